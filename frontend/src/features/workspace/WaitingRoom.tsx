import { useMutation, useQuery } from '@tanstack/react-query';
import { useEffect } from 'react';
import { Link, useNavigate } from 'react-router';
import {
  consultsPsychiatristJoinToken,
  type JoinTokenRead,
  type WaitingRoomEntry,
} from '../../api/generated';
import { Empty, ErrorState, errorMessage, Loading } from '../../components/States';
import { type MessageKey, useI18n } from '../../i18n';
import { formatTimeIn } from '../patient/format';
import { waitingRoomQuery } from './queries';

/**
 * The call page (shared by both roles). The waiting room checks the join first (the API
 * refuses outside the join window or for someone else's visit) and hands over, in the
 * navigation state, the token and whether the patient is to be admitted on joining.
 */
export function callPath(bookingId: string): string {
  return `/visits/${bookingId}/call`;
}

export interface CallNavigationState {
  joinToken: JoinTokenRead;
  admit: boolean;
}

const STATUS: Record<WaitingRoomEntry['status'], MessageKey> = {
  scheduled: 'waiting.status.scheduled',
  waiting: 'waiting.status.waiting',
  in_progress: 'waiting.status.in_progress',
  completed: 'waiting.status.completed',
};

const ORDER: Record<WaitingRoomEntry['status'], number> = {
  waiting: 0,
  in_progress: 1,
  scheduled: 2,
  completed: 3,
};

/** Who is waiting first (longest wait first), then the rest of the day in time order. */
export function roomOrder(entries: readonly WaitingRoomEntry[]): WaitingRoomEntry[] {
  return [...entries].sort(
    (a, b) =>
      ORDER[a.status] - ORDER[b.status] ||
      Date.parse(a.waiting_since ?? a.starts_at) - Date.parse(b.waiting_since ?? b.starts_at),
  );
}

const browserZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

/** The day's consults: who is in the waiting room, where they say they are, and Admit. */
export function WaitingRoom({ day }: { day: string }) {
  const { t } = useI18n();
  const room = useQuery(waitingRoomQuery(day));
  const waiting = room.data?.filter((e) => e.status === 'waiting').length ?? 0;
  // Someone is waiting: fetch the call page's code now, so "Admit" does not wait for it.
  useEffect(() => {
    if (waiting > 0) void import('../call/CallPage');
  }, [waiting]);
  return (
    <section className="card" aria-labelledby="waiting-room-title">
      <h2 id="waiting-room-title">{t('waiting.title')}</h2>
      <p className="visually-hidden" aria-live="polite">
        {room.data ? t('waiting.count', { count: waiting }) : ''}
      </p>
      {room.isPending ? (
        <Loading />
      ) : room.isError ? (
        <ErrorState error={room.error} onRetry={() => void room.refetch()} />
      ) : room.data.length === 0 ? (
        <Empty>{t('waiting.empty')}</Empty>
      ) : (
        <ul className="list waiting-room">
          {roomOrder(room.data).map((entry) => (
            <li key={entry.booking_id}>
              <WaitingEntry entry={entry} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function WaitingEntry({ entry }: { entry: WaitingRoomEntry }) {
  const { t, language } = useI18n();
  const navigate = useNavigate();
  const zone = browserZone();
  const join = useMutation({
    mutationFn: async () =>
      (await consultsPsychiatristJoinToken({ path: { booking_id: entry.booking_id } })).data,
    onSuccess: (joinToken) => {
      const state: CallNavigationState = { joinToken, admit: entry.status === 'waiting' };
      navigate(callPath(entry.booking_id), { state });
    },
  });
  const location = entry.patient_location;
  const unlicensed = location !== null && !location.psychiatrist_licensed;
  const warningId = `licence-warning-${entry.booking_id}`;
  const titleId = `waiting-${entry.booking_id}`;
  return (
    <article
      className={entry.status === 'waiting' ? 'entry waiting' : 'entry'}
      aria-labelledby={titleId}
    >
      <h3 id={titleId}>
        <Link to={`/my-patients/${entry.patient_id}`}>{entry.patient_name}</Link>{' '}
        <span className={entry.status === 'waiting' ? 'badge warn' : 'badge'}>
          {t(STATUS[entry.status])}
        </span>
      </h3>
      <p>
        {t('waiting.time', {
          start: formatTimeIn(entry.starts_at, zone, language),
          end: formatTimeIn(entry.ends_at, zone, language),
        })}
        {entry.waiting_since && entry.status === 'waiting'
          ? ` · ${t('waiting.since', { time: formatTimeIn(entry.waiting_since, zone, language) })}`
          : null}
      </p>
      <p>
        {location
          ? t('waiting.location', {
              state: location.state,
              time: formatTimeIn(location.confirmed_at, zone, language),
            })
          : t('waiting.noLocation')}
      </p>
      {unlicensed ? (
        <div className="alert alert-error" role="alert" id={warningId}>
          <p className="alert-title">{t('waiting.licenceWarning')}</p>
          {/* The API's warning names the licence in English; other readers get the same fact in
              their words. */}
          <p>
            {language === 'en' && location.warning
              ? location.warning
              : t('waiting.notLicensed', { state: location.state })}
          </p>
        </div>
      ) : null}
      {join.isError ? (
        <p className="field-error" role="alert">
          {errorMessage(join.error, t, language)}
        </p>
      ) : null}
      {entry.status === 'waiting' || entry.status === 'in_progress' ? (
        <button
          type="button"
          className="button primary"
          disabled={!entry.join_open || join.isPending}
          aria-describedby={unlicensed ? warningId : undefined}
          onClick={() => join.mutate()}
        >
          {join.isPending
            ? t('form.working')
            : entry.status === 'waiting'
              ? t('waiting.admit', { name: entry.patient_name })
              : t('waiting.rejoin')}
        </button>
      ) : null}
    </article>
  );
}
