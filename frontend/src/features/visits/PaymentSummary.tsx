import { queryOptions, useQuery } from '@tanstack/react-query';
import { type PaymentRead, paymentsGetPayment, type RefundRead } from '../../api/generated';
import { ApiError } from '../../api/problem';
import { ErrorState, Loading } from '../../components/States';
import { type MessageKey, useI18n } from '../../i18n';
import { formatDateTimeIn, formatMoney } from '../patient/format';

const STATUS: Record<PaymentRead['status'], MessageKey> = {
  requires_payment: 'paymentSummary.status.requires_payment',
  requires_action: 'paymentSummary.status.requires_action',
  processing: 'paymentSummary.status.processing',
  succeeded: 'paymentSummary.status.succeeded',
  failed: 'paymentSummary.status.failed',
  canceled: 'paymentSummary.status.canceled',
};

const REFUND_KINDS: Record<string, MessageKey> = {
  hold_lost: 'refundKind.hold_lost',
  stripe: 'refundKind.stripe',
  admin: 'refundKind.admin',
  practice_cancelled: 'refundKind.practice_cancelled',
  cancellation_policy: 'refundKind.cancellation_policy',
};

const OUTCOMES: Record<string, MessageKey> = {
  retaken: 'payment.outcome.retaken',
  refunded_hold_lost: 'payment.outcome.refunded_hold_lost',
};

export function paymentQuery(bookingId: string) {
  return queryOptions({
    queryKey: ['payment', bookingId],
    queryFn: async ({ signal }) =>
      (await paymentsGetPayment({ path: { booking_id: bookingId }, signal })).data,
  });
}

/** A paid visit's payment after the fact: paid, refunded (and why), what happened late. */
export function PaymentSummary({ bookingId, timeZone }: { bookingId: string; timeZone: string }) {
  const { t, language } = useI18n();
  const payment = useQuery(paymentQuery(bookingId));
  if (payment.isPending) return <Loading />;
  if (payment.isError) {
    // No payment was ever started (for instance the hold lapsed before paying): nothing to show.
    if (payment.error instanceof ApiError && payment.error.status === 404) return null;
    return <ErrorState error={payment.error} onRetry={() => void payment.refetch()} />;
  }
  const p = payment.data;
  const money = (cents: number) => formatMoney(cents, p.currency, language);
  const outcome = p.outcome ? OUTCOMES[p.outcome] : undefined;
  return (
    <section className="card" aria-labelledby="payment-summary-title">
      <h2 id="payment-summary-title">
        {t('paymentSummary.title')}
        {p.stripe.test_mode ? (
          <span className="badge warn"> {t('paymentSummary.testMode')}</span>
        ) : null}
      </h2>
      {outcome ? <p role="status">{t(outcome)}</p> : null}
      <dl className="facts">
        <dt>{t('paymentSummary.status')}</dt>
        <dd>{t(STATUS[p.status])}</dd>
        <dt>{t('paymentSummary.amount')}</dt>
        <dd>
          {p.succeeded_at
            ? t('paymentSummary.paidOn', {
                amount: money(p.amount_cents),
                date: formatDateTimeIn(p.succeeded_at, timeZone, language),
              })
            : money(p.amount_cents)}
        </dd>
        {p.failure_message && p.status === 'failed' ? (
          <>
            <dt>{t('paymentSummary.failure')}</dt>
            <dd>{p.failure_message}</dd>
          </>
        ) : null}
        {p.refunded_cents > 0 ? (
          <>
            <dt>{t('paymentSummary.refunded')}</dt>
            <dd>
              {p.refunded_cents >= p.amount_cents
                ? t('paymentSummary.refundedFull', { amount: money(p.refunded_cents) })
                : money(p.refunded_cents)}
            </dd>
          </>
        ) : null}
      </dl>
      {p.refunds.length > 0 ? (
        <>
          <h3>{t('paymentSummary.refunds')}</h3>
          <ul>
            {p.refunds.map((r) => (
              <li key={r.id}>
                <RefundLine refund={r} timeZone={timeZone} />
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}

function RefundLine({ refund, timeZone }: { refund: RefundRead; timeZone: string }) {
  const { t, language } = useI18n();
  const kind = REFUND_KINDS[refund.kind];
  const line = t('paymentSummary.refund', {
    amount: formatMoney(refund.amount_cents, refund.currency, language),
    date: formatDateTimeIn(refund.created_at, timeZone, language),
    why: kind ? t(kind) : refund.kind,
  });
  if (refund.status === 'succeeded') return <>{line}</>;
  return (
    <>
      {line} — {t(`paymentSummary.refundStatus.${refund.status}`)}
    </>
  );
}
