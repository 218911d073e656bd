import { useQuery } from '@tanstack/react-query';
import { type FormEvent, useEffect, useMemo, useRef, useState } from 'react';
import { Link, useLocation, useParams, useSearchParams } from 'react-router';
import { useSession } from '../../api/session';
import { SelectField } from '../../components/Field';
import { PageHeading } from '../../components/PageHeading';
import { ErrorState, Loading } from '../../components/States';
import { usePageTitle } from '../../components/usePageTitle';
import { useI18n } from '../../i18n';
import { US_STATES } from '../auth/usStates';
import { bookingQuery, myProfileQuery } from '../patient/queries';
import { fetchJoin, isPermanentApiError, waitingRoomQuery } from './api';
import { CallView } from './CallView';
import { ChartPanel } from './ChartPanel';
import { CallController, type Role } from './controller';
import { relayRequested } from './shared';
import './call.css';

/**
 * The video call of one visit, for its patient and its psychiatrist: a short lobby (the
 * patient confirms the state they are in; both press Join, which also lets the browser play
 * sound), then the call.
 */
export function CallPage() {
  const { bookingId = '' } = useParams();
  const [search] = useSearchParams();
  const relay = relayRequested(search);
  const { t } = useI18n();
  const session = useSession();
  const role: Role = session.user?.role === 'psychiatrist' ? 'psychiatrist' : 'patient';
  const booking = useQuery(bookingQuery(bookingId));
  const waitingRoom = useQuery({ ...waitingRoomQuery, enabled: role === 'psychiatrist' });
  const entry = waitingRoom.data?.find((e) => e.booking_id === bookingId);
  const otherName =
    role === 'patient'
      ? (booking.data?.psychiatrist_name ?? t('call.yourPsychiatrist'))
      : (entry?.patient_name ?? t('call.thePatient'));
  const title = booking.data ? t('call.titleWith', { name: otherName }) : t('call.title');
  usePageTitle(title);

  const [controller, setController] = useState<CallController | null>(null);
  // The call ends with the page: leave the room and free the camera.
  useEffect(() => {
    if (!controller) return;
    const onHide = () => controller.dispose();
    window.addEventListener('pagehide', onHide);
    return () => {
      window.removeEventListener('pagehide', onHide);
      controller.dispose();
    };
  }, [controller]);

  const join = (locationState: string | null) => {
    const next = new CallController({
      join: () => fetchJoin(bookingId, role, locationState),
      isPermanentJoinError: isPermanentApiError,
      relay,
    });
    setController(next);
    void next.start();
  };

  // "Admit" in the waiting room: the psychiatrist joins at once and admits the waiting patient.
  const admitRequested = (useLocation().state as { admit?: boolean } | null)?.admit === true;
  const autoJoined = useRef(false);
  useEffect(() => {
    if (role !== 'psychiatrist' || !admitRequested || autoJoined.current || booking.isPending)
      return;
    autoJoined.current = true;
    join(null);
  });
  useEffect(() => {
    if (!controller || role !== 'psychiatrist' || !admitRequested) return;
    let admitted = false;
    const tryAdmit = () => {
      const s = controller.getState();
      if (!admitted && s.phase === 'waiting' && s.peerPresent && s.room !== 'admitted') {
        admitted = controller.admit();
      }
    };
    tryAdmit();
    const off = controller.subscribe(tryAdmit);
    return () => {
      off();
    };
  }, [controller, role, admitRequested]);

  if (booking.isPending) return <Loading />;
  if (booking.isError) {
    return (
      <section>
        <PageHeading>{t('call.title')}</PageHeading>
        <ErrorState error={booking.error} onRetry={() => void booking.refetch()} />
      </section>
    );
  }

  return (
    <section className="call-page">
      <p className="call-back">
        <Link to={`/visits/${bookingId}`}>{t('call.back')}</Link>
      </p>
      <PageHeading>{title}</PageHeading>
      {relay ? <p className="muted">{t('call.relayMode')}</p> : null}
      <div className={role === 'psychiatrist' ? 'call-with-chart' : undefined}>
        <div>
          {controller ? (
            <CallView
              controller={controller}
              bookingId={bookingId}
              otherName={otherName}
              locationWarning={entry?.patient_location?.warning ?? null}
              onRejoin={() => {
                controller.dispose();
                setController(null);
              }}
            />
          ) : role === 'patient' ? (
            <PatientLobby bookingId={bookingId} onJoin={join} />
          ) : (
            <div className="card">
              <p>{t('call.hostIntro')}</p>
              <button type="button" className="button primary large" onClick={() => join(null)}>
                {t('call.hostJoin')}
              </button>
            </div>
          )}
        </div>
        {role === 'psychiatrist' ? <ChartPanel patientId={booking.data.patient_id} /> : null}
      </div>
    </section>
  );
}

/** The patient confirms the state they are in (the psychiatrist must be licensed there). */
function PatientLobby({
  bookingId,
  onJoin,
}: {
  bookingId: string;
  onJoin: (state: string) => void;
}) {
  const { t } = useI18n();
  const profile = useQuery(myProfileQuery);
  const [state, setState] = useState<string | null>(null);
  const [error, setError] = useState<string | undefined>();
  const chosen = state ?? profile.data?.state ?? '';
  const options = useMemo(
    () =>
      US_STATES.map(([code, name]) => (
        <option key={code} value={code}>
          {name}
        </option>
      )),
    [],
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!chosen) {
      setError(t('call.locationRequired'));
      return;
    }
    onJoin(chosen);
  };
  return (
    <form className="card form call-lobby" onSubmit={submit} noValidate>
      <h2>{t('call.locationTitle')}</h2>
      <SelectField
        label={t('call.locationLabel')}
        hint={t('call.locationHint')}
        error={error}
        value={chosen}
        onChange={(e) => {
          setState(e.target.value);
          setError(undefined);
        }}
      >
        <option value="">{t('call.locationChoose')}</option>
        {options}
      </SelectField>
      {/* Until the profile is here the state it pre-selects is not: a click then would only
          be told to choose one. */}
      <button
        type="submit"
        className="button primary large"
        disabled={profile.isPending}
        aria-busy={profile.isPending}
      >
        {t('call.join')}
      </button>
      <p>
        <Link to={`/visits/${bookingId}/check`}>{t('call.checkFirst')}</Link>
      </p>
    </form>
  );
}

export default CallPage;
