import { useQuery, useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useCallback, useState } from 'react';
import { Link, useParams } from 'react-router';
import type { BookingRead } from '../../api/generated';
import { SuccessAlert } from '../../components/FormAlert';
import { Notice } from '../../components/Notice';
import { PageHeading } from '../../components/PageHeading';
import { ErrorState, Loading } from '../../components/States';
import { usePageTitle } from '../../components/usePageTitle';
import { useI18n } from '../../i18n';
import { HoldCountdown } from '../booking/HoldCountdown';
import type { PaymentStepStatus } from '../booking/PaymentStep';
import { formatDateTimeIn, formatMoney, visitName } from '../patient/format';
import { bookingQuery, consultQuery } from '../patient/queries';
import { StatusBadge } from '../patient/StatusBadge';
import { CancelPanel, describeDecision } from './CancelPanel';
import { buildIcs, icsHref } from './ics';
import { PaymentSummary } from './PaymentSummary';
import { useNow } from './useNow';

// Stripe.js and the card form load only for a visit that has something to pay.
const PaymentStep = lazy(() => import('../booking/PaymentStep'));

function holdLapsed(booking: BookingRead, now: number): boolean {
  return (
    booking.status === 'expired' ||
    booking.status === 'released' ||
    (booking.status === 'held' &&
      booking.hold_expires_at !== null &&
      Date.parse(booking.hold_expires_at) <= now)
  );
}

/** One visit: the hold and payment, or the join link, calendar file, reschedule and cancel. */
export function VisitPage() {
  const { bookingId = '' } = useParams();
  const { t, language } = useI18n();
  const queryClient = useQueryClient();
  // The payment step stays on screen while it is busy or has news (a decline, a lapse), even
  // when the booking it belongs to has moved on; it polls the payment itself.
  const [paymentStatus, setPaymentStatus] = useState<PaymentStepStatus>('idle');
  const [justPaid, setJustPaid] = useState(false);
  const booking = useQuery({
    ...bookingQuery(bookingId),
    // While held, notice the hold ending (or a payment confirmed from another tab).
    refetchInterval: (query) => (query.state.data?.status === 'held' ? 15_000 : false),
  });
  const title = booking.data
    ? visitName(booking.data.visit_type, language)
    : t('visits.detailTitle');
  usePageTitle(title);
  const now = useNow(1_000);
  const refresh = useCallback(
    () => void queryClient.invalidateQueries({ queryKey: ['booking', bookingId] }),
    [queryClient, bookingId],
  );
  const onPaymentStatus = useCallback(
    (status: PaymentStepStatus) => {
      setPaymentStatus(status);
      if (status === 'confirmed') setJustPaid(true);
      if (status === 'confirmed' || status === 'ended') {
        void queryClient.invalidateQueries({ queryKey: ['booking', bookingId] });
        void queryClient.invalidateQueries({ queryKey: ['bookings'] });
      }
    },
    [queryClient, bookingId],
  );

  if (booking.isPending) return <Loading />;
  if (booking.isError) {
    return (
      <section>
        <PageHeading>{t('visits.detailTitle')}</PageHeading>
        <ErrorState error={booking.error} onRetry={() => void booking.refetch()} />
        <p>
          <Link to="/visits">{t('visits.back')}</Link>
        </p>
      </section>
    );
  }
  const b = booking.data;
  const lapsed = holdLapsed(b, now);
  const upcoming = Date.parse(b.starts_at) > now;
  const holding = b.status === 'held' && !lapsed;
  const pinned = paymentStatus === 'busy' || paymentStatus === 'ended';
  const showPaymentStep = b.price_cents > 0 && (holding || pinned) && b.status !== 'confirmed';

  return (
    <section>
      <p>
        <Link to="/visits">{t('visits.back')}</Link>
      </p>
      <PageHeading>
        {title} {lapsed && b.status === 'held' ? null : <StatusBadge status={b.status} />}
      </PageHeading>
      <Notice />
      {justPaid && b.status === 'confirmed' ? (
        <SuccessAlert>
          <p>{t('payment.confirmed')}</p>
        </SuccessAlert>
      ) : null}
      <dl className="facts card">
        <dt>{t('visits.when')}</dt>
        <dd>{formatDateTimeIn(b.starts_at, b.time_zone, language)}</dd>
        <dt>{t('visits.psychiatrist')}</dt>
        <dd>{b.psychiatrist_name}</dd>
        <dt>{t('visits.duration')}</dt>
        <dd>{t('book.minutes', { minutes: b.visit_type.duration_minutes })}</dd>
        <dt>{t('visits.price')}</dt>
        <dd>
          {b.price_cents === 0 ? t('book.free') : formatMoney(b.price_cents, b.currency, language)}
        </dd>
      </dl>

      {holding || showPaymentStep ? (
        <section className="card hold" aria-labelledby={holding ? 'hold-title' : 'payment-title'}>
          {holding && b.hold_expires_at ? (
            <>
              <h2 id="hold-title">{t('hold.title')}</h2>
              <p>
                {t('hold.explain', {
                  time: formatDateTimeIn(b.hold_expires_at, b.time_zone, language),
                })}
              </p>
              <HoldCountdown expiresAt={b.hold_expires_at} onExpire={refresh} />
            </>
          ) : null}
          {showPaymentStep ? (
            <Suspense fallback={<Loading label={t('payment.loading')} />}>
              <PaymentStep booking={b} onStatus={onPaymentStatus} />
            </Suspense>
          ) : null}
          {holding && paymentStatus === 'idle' ? (
            <CancelPanel booking={b} onOpen={refresh} />
          ) : null}
        </section>
      ) : null}

      {lapsed && !pinned ? (
        <section className="card" aria-labelledby="expired-title">
          <h2 id="expired-title">
            {b.status === 'released' ? t('hold.releasedTitle') : t('hold.expiredTitle')}
          </h2>
          <p>{b.status === 'released' ? t('hold.released') : t('hold.expired')}</p>
          <p>
            <Link to="/book" className="button primary">
              {t('hold.findAnother')}
            </Link>
          </p>
        </section>
      ) : null}

      {b.status === 'confirmed' ? (
        <>
          {upcoming || Date.parse(b.ends_at) > now ? <JoinPanel booking={b} now={now} /> : null}
          <div className="actions">
            {upcoming ? <CalendarLink booking={b} /> : null}
            {upcoming && b.cancellation_policy ? (
              <Link to={`/visits/${b.id}/reschedule`} className="button secondary">
                {t('visits.reschedule')}
              </Link>
            ) : null}
          </div>
          {upcoming ? <CancelPanel booking={b} onOpen={refresh} /> : null}
        </>
      ) : null}

      {b.price_cents > 0 && b.status !== 'held' && !showPaymentStep ? (
        <PaymentSummary bookingId={b.id} timeZone={b.time_zone} />
      ) : null}

      {b.status === 'cancelled' && b.cancellation ? (
        <SuccessAlert>
          <p>{t('cancel.done')}</p>
          {describeDecision(b.cancellation, b.time_zone, language, t).map((line) => (
            <p key={line}>{line}</p>
          ))}
        </SuccessAlert>
      ) : null}
    </section>
  );
}

function CalendarLink({ booking }: { booking: BookingRead }) {
  const { t, language } = useI18n();
  const url = `${globalThis.location?.origin ?? ''}/visits/${booking.id}`;
  const ics = buildIcs({
    id: booking.id,
    startsAt: booking.starts_at,
    endsAt: booking.ends_at,
    title: t('visits.calendarTitle', {
      visit: visitName(booking.visit_type, language),
      name: booking.psychiatrist_name,
    }),
    description: t('visits.calendarDescription', { url }),
    url,
  });
  return (
    <a className="button secondary" href={icsHref(ics)} download="visit.ics">
      {t('visits.addToCalendar')}
    </a>
  );
}

/** The join link, from the consult's window (opens a few minutes before the start). */
function JoinPanel({ booking, now }: { booking: BookingRead; now: number }) {
  const { t, language } = useI18n();
  const consult = useQuery(consultQuery(booking.id));
  if (consult.isPending) return <Loading />;
  if (consult.isError) {
    return <ErrorState error={consult.error} onRetry={() => void consult.refetch()} />;
  }
  const opens = Date.parse(consult.data.join_opens_at);
  const closes = Date.parse(consult.data.join_closes_at);
  if (consult.data.status === 'completed') return null;
  return (
    <section className="card" aria-labelledby="join-title">
      <h2 id="join-title">{t('join.title')}</h2>
      {now >= opens && now < closes ? (
        <p aria-live="polite">
          <Link to={`/visits/${booking.id}/call`} className="button primary large">
            {t('join.now')}
          </Link>
        </p>
      ) : now < opens ? (
        <p aria-live="polite">
          {t('join.opensAt', {
            time: formatDateTimeIn(consult.data.join_opens_at, booking.time_zone, language),
          })}
        </p>
      ) : (
        <p>{t('join.closed')}</p>
      )}
    </section>
  );
}

export default VisitPage;
