import { useEffect, useRef, useState } from 'react';
import { useI18n } from '../../i18n';
import type { PaymentInfo } from './paymentInfo';

// The few parts of Stripe.js this step uses.
interface StripeCard {
  mount(element: HTMLElement): void;
  destroy(): void;
}
interface StripeResult {
  error?: { message?: string };
  paymentIntent?: { status: string };
}
interface StripeLike {
  elements(): { create(type: 'card', options?: Record<string, unknown>): StripeCard };
  confirmCardPayment(
    clientSecret: string,
    data: { payment_method: { card: StripeCard } },
  ): Promise<StripeResult>;
}
type StripeFactory = (publishableKey: string) => StripeLike;

const loaded = new Map<string, Promise<StripeFactory>>();

/** Loads Stripe.js from the URL the API named (card data goes from the page to Stripe only). */
function loadStripeJs(url: string): Promise<StripeFactory> {
  let promise = loaded.get(url);
  if (!promise) {
    promise = new Promise<StripeFactory>((resolve, reject) => {
      const script = document.createElement('script');
      script.src = url;
      script.async = true;
      script.onload = () => {
        const factory = (globalThis as { Stripe?: StripeFactory }).Stripe;
        if (factory) resolve(factory);
        else reject(new Error('Stripe.js did not load'));
      };
      script.onerror = () => reject(new Error('Stripe.js did not load'));
      document.head.appendChild(script);
    });
    promise.catch(() => loaded.delete(url));
    loaded.set(url, promise);
  }
  return promise;
}

type Phase = 'loading' | 'ready' | 'paying' | 'submitted' | 'failed-to-load';

/**
 * Pays the held visit by card through Stripe.js. Success here only means Stripe accepted the
 * card: the visit shows confirmed when the API says so (its webhook), which `onSubmitted`
 * starts watching for.
 */
export function PaymentStep({
  payment,
  onSubmitted,
}: {
  payment: PaymentInfo;
  onSubmitted: () => void;
}) {
  const { t } = useI18n();
  const mountPoint = useRef<HTMLDivElement>(null);
  const stripe = useRef<StripeLike | null>(null);
  const card = useRef<StripeCard | null>(null);
  const [phase, setPhase] = useState<Phase>('loading');
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    loadStripeJs(payment.stripe_js_url).then(
      (factory) => {
        if (cancelled || !mountPoint.current) return;
        stripe.current = factory(payment.publishable_key);
        card.current = stripe.current.elements().create('card');
        card.current.mount(mountPoint.current);
        setPhase('ready');
      },
      () => {
        if (!cancelled) setPhase('failed-to-load');
      },
    );
    return () => {
      cancelled = true;
      card.current?.destroy();
      card.current = null;
    };
  }, [payment.stripe_js_url, payment.publishable_key]);

  async function pay() {
    if (!stripe.current || !card.current) return;
    setPhase('paying');
    setError(null);
    const result = await stripe.current.confirmCardPayment(payment.client_secret, {
      payment_method: { card: card.current },
    });
    if (result.error || !result.paymentIntent) {
      setError(result.error?.message || t('payment.failed'));
      setPhase('ready');
      return;
    }
    setPhase('submitted');
    onSubmitted();
  }

  return (
    <section className="card payment" aria-labelledby="payment-title">
      <h2 id="payment-title">{t('payment.title')}</h2>
      {phase === 'failed-to-load' ? (
        <p role="alert">{t('payment.loadFailed')}</p>
      ) : phase === 'submitted' ? (
        <p role="status">{t('payment.submitted')}</p>
      ) : (
        <form
          className="form"
          onSubmit={(event) => {
            event.preventDefault();
            void pay();
          }}
        >
          {error ? (
            <div className="alert alert-error" role="alert">
              <p>{error}</p>
            </div>
          ) : null}
          <fieldset className="field">
            <legend>{t('payment.card')}</legend>
            <div ref={mountPoint} className="card-element" />
          </fieldset>
          <button type="submit" className="button primary" disabled={phase !== 'ready'}>
            {phase === 'paying' ? t('form.working') : t('payment.pay')}
          </button>
        </form>
      )}
    </section>
  );
}

export default PaymentStep;
