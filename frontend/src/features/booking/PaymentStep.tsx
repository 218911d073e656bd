import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useContext, useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import {
  type BookingRead,
  type PaymentRead,
  paymentsGetPayment,
  paymentsPayWithCard,
  paymentsStartPayment,
} from '../../api/generated';
import { type ApiError, asApiError } from '../../api/problem';
import { ErrorState, errorMessage, Loading } from '../../components/States';
import { useFormErrors } from '../../components/useFormErrors';
import { type MessageKey, useI18n } from '../../i18n';
import { formatMoney } from '../patient/format';
import { PaymentEnvContext, type StripeCardElement, type StripeLike } from './stripeJs';

type EndReason = 'declined' | 'lapsed' | 'closed' | 'failed' | 'refunded';

type Phase =
  | { kind: 'setup' }
  | { kind: 'ready' }
  | { kind: 'paying' }
  | { kind: 'needs-auth' }
  | { kind: 'authenticating' }
  | { kind: 'confirming' }
  | { kind: 'slow' }
  | { kind: 'confirmed' }
  | { kind: 'ended'; reason: EndReason; detail: string | null };

/** What the visit page hears: keep the step on screen (busy/ended), or the visit is confirmed. */
export type PaymentStepStatus = 'idle' | 'busy' | 'ended' | 'confirmed';

const FIELDS = ['token'] as const;
const CARD_PHASES = new Set<Phase['kind']>(['ready', 'paying', 'authenticating']);

const END_TITLES: Record<EndReason, MessageKey> = {
  declined: 'payment.declinedTitle',
  lapsed: 'payment.lapsedTitle',
  closed: 'payment.closedTitle',
  failed: 'payment.failedTitle',
  refunded: 'payment.refundedTitle',
};

const TEST_CARDS: { number: string; key: MessageKey }[] = [
  { number: '4242 4242 4242 4242', key: 'payment.testCard.succeeds' },
  { number: '4000 0000 0000 0341', key: 'payment.testCard.declined' },
  { number: '4000 0027 6000 3184', key: 'payment.testCard.secure' },
];

function isProblem(error: ApiError, slug: string): boolean {
  return error.problem.type.endsWith(`/${slug}`);
}

function stripeDown(error: ApiError): boolean {
  return error.status === 503 || error.status === 502;
}

/** Where a payment the API reported stands, as a phase of this step (null: pay with a card). */
function phaseOf(payment: PaymentRead): Phase | null {
  if (payment.booking_status === 'confirmed') return { kind: 'confirmed' };
  if (payment.outcome === 'refunded_hold_lost') {
    return { kind: 'ended', reason: 'refunded', detail: null };
  }
  if (payment.status === 'succeeded' || payment.status === 'processing') {
    return { kind: 'confirming' };
  }
  if (payment.status === 'failed' || payment.status === 'canceled') {
    return { kind: 'ended', reason: 'failed', detail: payment.failure_message ?? payment.message };
  }
  if (payment.next_action === 'confirm_card' && payment.client_secret)
    return { kind: 'needs-auth' };
  return null;
}

/**
 * Pays a held visit by card. Stripe.js (loaded from the address the API names) turns the card
 * into a token, so card data goes from this page to Stripe only; the API confirms the
 * PaymentIntent with that token. The visit is confirmed only by Stripe's webhook, so after
 * paying this step asks the API every ~1.5 s, for a bounded time, until it says so.
 */
export function PaymentStep({
  booking,
  onStatus,
}: {
  booking: BookingRead;
  onStatus?: (status: PaymentStepStatus) => void;
}) {
  const { t, language } = useI18n();
  const env = useContext(PaymentEnvContext);
  const queryClient = useQueryClient();
  const bookingId = booking.id;
  const [phase, setPhase] = useState<Phase>({ kind: 'setup' });
  const [cardError, setCardError] = useState<string | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const mountPoint = useRef<HTMLDivElement>(null);
  const stripe = useRef<StripeLike | null>(null);
  const card = useRef<StripeCardElement | null>(null);
  const [stripeState, setStripeState] = useState<'loading' | 'ready' | 'failed'>('loading');
  const [cardMounted, setCardMounted] = useState(false);

  // Starting is safe to repeat: the API hands back the payment already started for this visit.
  const start = useQuery({
    queryKey: ['payment', bookingId, 'start'],
    queryFn: async ({ signal }) =>
      (await paymentsStartPayment({ path: { booking_id: bookingId }, signal })).data,
    staleTime: Number.POSITIVE_INFINITY,
    gcTime: 0,
    retry: false,
  });
  const setup = start.data;

  useEffect(() => {
    if (!setup || phase.kind !== 'setup') return;
    queryClient.setQueryData(['payment', bookingId], setup);
    setPhase(phaseOf(setup) ?? { kind: 'ready' });
  }, [setup, phase.kind, queryClient, bookingId]);

  // Stripe.js: only once there is something to pay with it.
  const jsUrl = setup?.stripe.js_url;
  const publishableKey = setup?.stripe.publishable_key;
  const wantStripe = setup?.status === 'requires_payment' || setup?.status === 'requires_action';
  useEffect(() => {
    if (!wantStripe || !jsUrl || !publishableKey) return;
    let cancelled = false;
    setStripeState('loading');
    env.loadStripe(jsUrl).then(
      (factory) => {
        if (cancelled) return;
        stripe.current = factory(publishableKey);
        setStripeState('ready');
      },
      () => {
        if (!cancelled) setStripeState('failed');
      },
    );
    return () => {
      cancelled = true;
    };
  }, [wantStripe, jsUrl, publishableKey, env]);

  const cardVisible = CARD_PHASES.has(phase.kind);
  useEffect(() => {
    if (stripeState !== 'ready' || !cardVisible || !stripe.current || !mountPoint.current) return;
    const element = stripe.current.elements().create('card');
    element.mount(mountPoint.current);
    card.current = element;
    setCardMounted(true);
    return () => {
      element.destroy();
      card.current = null;
      setCardMounted(false);
    };
  }, [stripeState, cardVisible]);

  // After paying: ask the API until Stripe's webhook has confirmed the visit.
  const polling = phase.kind === 'confirming';
  const poll = useQuery({
    queryKey: ['payment', bookingId],
    queryFn: async ({ signal }) =>
      (await paymentsGetPayment({ path: { booking_id: bookingId }, signal })).data,
    enabled: polling,
    staleTime: 0,
    refetchInterval: (query) => {
      const next = query.state.data ? phaseOf(query.state.data) : null;
      return next && next.kind !== 'confirming' ? false : env.pollIntervalMs;
    },
  });
  useEffect(() => {
    if (!polling || !poll.data || poll.isFetching) return;
    const next = phaseOf(poll.data);
    if (next && next.kind !== 'confirming' && next.kind !== 'needs-auth') setPhase(next);
  }, [polling, poll.data, poll.isFetching]);
  useEffect(() => {
    if (!polling) return;
    const timer = setTimeout(() => setPhase({ kind: 'slow' }), env.pollTimeoutMs);
    return () => clearTimeout(timer);
  }, [polling, env.pollTimeoutMs]);

  const statusRef = useRef(onStatus);
  statusRef.current = onStatus;
  useEffect(() => {
    const kind = phase.kind;
    const status: PaymentStepStatus =
      kind === 'setup' || kind === 'ready'
        ? 'idle'
        : kind === 'ended'
          ? 'ended'
          : kind === 'confirmed'
            ? 'confirmed'
            : 'busy';
    statusRef.current?.(status);
  }, [phase.kind]);

  const payCard = useMutation({
    mutationFn: async (token: string) =>
      (await paymentsPayWithCard({ path: { booking_id: bookingId }, body: { token } })).data,
  });
  const errors = useFormErrors(payCard.error, FIELDS);
  const tokenError = errors.fields.token ?? null;

  async function authenticate(clientSecret: string) {
    const instance = stripe.current;
    if (!instance) return;
    setPhase({ kind: 'authenticating' });
    setFormError(null);
    let failure: string | null = null;
    try {
      const result = await instance.confirmCardPayment(clientSecret);
      if (result.error) failure = result.error.message || t('payment.authFailed');
    } catch {
      failure = t('payment.authFailed');
    }
    if (!failure) {
      setPhase({ kind: 'confirming' });
      return;
    }
    setFormError(failure);
    // Where does the payment stand now: failed for good, or may the patient try again?
    try {
      const now = (await paymentsGetPayment({ path: { booking_id: bookingId } })).data;
      queryClient.setQueryData(['payment', bookingId], now);
      const next = phaseOf(now);
      setPhase(next?.kind === 'ended' ? { ...next, detail: failure } : (next ?? { kind: 'ready' }));
    } catch {
      setPhase({ kind: 'needs-auth' });
    }
  }

  async function pay() {
    const instance = stripe.current;
    const element = card.current;
    if (!instance || !element || phase.kind !== 'ready') return;
    setPhase({ kind: 'paying' });
    setCardError(null);
    setFormError(null);
    payCard.reset();
    let token: string | null = null;
    try {
      const result = await instance.createToken(element);
      if (result.token?.id) token = result.token.id;
      else setCardError(result.error?.message || t('payment.cardIncomplete'));
    } catch {
      setCardError(t('payment.cardIncomplete'));
    }
    if (!token) {
      setPhase({ kind: 'ready' });
      return;
    }
    let answer: PaymentRead;
    try {
      answer = await payCard.mutateAsync(token);
    } catch (caught) {
      const error = asApiError(caught);
      if (error.status === 402) {
        setPhase({ kind: 'ended', reason: 'declined', detail: error.problem.detail });
      } else if (error.status === 409) {
        const reason: EndReason = isProblem(error, 'hold-lapsed') ? 'lapsed' : 'closed';
        setPhase({ kind: 'ended', reason, detail: error.problem.detail });
      } else if (error.status === 422) {
        // The field error shows under the card (useFormErrors maps `body.token`).
        setPhase({ kind: 'ready' });
      } else {
        setFormError(
          stripeDown(error) ? t('payment.stripeDown') : errorMessage(error, t, language),
        );
        setPhase({ kind: 'ready' });
      }
      return;
    }
    queryClient.setQueryData(['payment', bookingId], answer);
    if (answer.next_action === 'confirm_card' && answer.client_secret) {
      await authenticate(answer.client_secret);
      return;
    }
    const next = phaseOf(answer);
    if (next) setPhase(next);
    else {
      setFormError(t('payment.failed'));
      setPhase({ kind: 'ready' });
    }
  }

  const amount = setup ? formatMoney(setup.amount_cents, setup.currency, language) : null;

  return (
    <section className="card payment" aria-labelledby="payment-title">
      <h2 id="payment-title">{t('payment.title')}</h2>
      {setup?.stripe.test_mode ? <TestModeNote standIn={setup.stripe.stand_in} /> : null}
      {amount ? <p>{t('payment.amount', { amount })}</p> : null}
      {start.isPending ? (
        <Loading label={t('payment.loading')} />
      ) : start.isError ? (
        <StartFailed error={asApiError(start.error)} onRetry={() => void start.refetch()} />
      ) : phase.kind === 'ended' ? (
        <Ended reason={phase.reason} detail={phase.detail} />
      ) : phase.kind === 'confirmed' ? (
        <p className="alert alert-success" role="status">
          {t('payment.confirmed')}
        </p>
      ) : phase.kind === 'confirming' ? (
        <p className="state state-loading" role="status">
          <span className="spinner" aria-hidden="true" />
          {t('payment.received')}
        </p>
      ) : phase.kind === 'slow' ? (
        <div role="status">
          <p>{t('payment.slow')}</p>
          <button
            type="button"
            className="button secondary"
            onClick={() => setPhase({ kind: 'confirming' })}
          >
            {t('payment.checkAgain')}
          </button>
        </div>
      ) : phase.kind === 'needs-auth' ? (
        <div>
          {formError ? (
            <div className="alert alert-error" role="alert">
              <p>{formError}</p>
            </div>
          ) : null}
          <p>{t('payment.needsAuth')}</p>
          <button
            type="button"
            className="button primary"
            disabled={stripeState !== 'ready'}
            onClick={() => {
              const secret = queryClient.getQueryData<PaymentRead>([
                'payment',
                bookingId,
              ])?.client_secret;
              if (secret) void authenticate(secret);
            }}
          >
            {t('payment.confirmWithBank')}
          </button>
        </div>
      ) : stripeState === 'failed' ? (
        <p className="alert alert-error" role="alert">
          {t('payment.loadFailed')}
        </p>
      ) : (
        <form
          className="form"
          aria-busy={phase.kind !== 'ready'}
          onSubmit={(event) => {
            event.preventDefault();
            void pay();
          }}
        >
          {formError || errors.form.length > 0 ? (
            <div className="alert alert-error" role="alert">
              {formError ? <p>{formError}</p> : null}
              {errors.form.map((m) => (
                <p key={m}>{m}</p>
              ))}
            </div>
          ) : null}
          <fieldset
            className="field"
            aria-describedby={cardError || tokenError ? 'card-error' : undefined}
          >
            <legend>{t('payment.card')}</legend>
            {cardMounted ? null : <Loading label={t('payment.loading')} />}
            <div ref={mountPoint} className="card-element" data-testid="card-element" />
            {cardError || tokenError ? (
              <p className="field-error" id="card-error" role="alert">
                {cardError ?? tokenError}
              </p>
            ) : null}
          </fieldset>
          {phase.kind === 'authenticating' ? (
            <p role="status">{t('payment.authenticating')}</p>
          ) : null}
          <button
            type="submit"
            className="button primary"
            disabled={phase.kind !== 'ready' || !cardMounted}
          >
            {phase.kind === 'ready'
              ? t('payment.payAmount', { amount: amount ?? '' })
              : t('form.working')}
          </button>
          <p className="muted">{t('payment.cardPrivacy')}</p>
        </form>
      )}
    </section>
  );
}

function TestModeNote({ standIn }: { standIn: boolean }) {
  const { t } = useI18n();
  return (
    <div className="test-mode" role="note" aria-labelledby="test-mode-title">
      <p className="test-mode-title" id="test-mode-title">
        <strong>{t('payment.testMode')}</strong>
      </p>
      <p>{t('payment.testCards')}</p>
      <ul>
        {TEST_CARDS.map((c) => (
          <li key={c.number}>
            <code>{c.number}</code> — {t(c.key)}
          </li>
        ))}
      </ul>
      <p className="muted">{standIn ? t('payment.standInHint') : t('payment.testCardHint')}</p>
    </div>
  );
}

function Ended({ reason, detail }: { reason: EndReason; detail: string | null }) {
  const { t } = useI18n();
  return (
    <div>
      <div className={reason === 'refunded' ? 'alert' : 'alert alert-error'} role="alert">
        <p className="alert-title">{t(END_TITLES[reason])}</p>
        <p>{reason === 'refunded' ? t('payment.outcome.refunded_hold_lost') : detail}</p>
      </div>
      <p>
        <Link to="/book" className="button primary">
          {t('payment.pickAgain')}
        </Link>
      </p>
    </div>
  );
}

function StartFailed({ error, onRetry }: { error: ApiError; onRetry: () => void }) {
  const { t } = useI18n();
  if (error.status === 409 && isProblem(error, 'hold-lapsed')) {
    return <Ended reason="lapsed" detail={error.problem.detail} />;
  }
  if (stripeDown(error)) {
    return (
      <div className="state state-error" role="alert">
        <p>{t('payment.stripeDown')}</p>
        <button type="button" className="button secondary" onClick={onRetry}>
          {t('state.retry')}
        </button>
      </div>
    );
  }
  return <ErrorState error={error} onRetry={onRetry} />;
}

export default PaymentStep;
