import type { ReactNode } from 'react';
import { vi } from 'vitest';
import type { PaymentRead } from '../../api/generated';
import { booking } from '../patient/fixtures';
import {
  type PaymentEnv,
  PaymentEnvContext,
  type StripeConfirmResult,
  type StripeFactory,
  type StripeTokenResult,
} from './stripeJs';

/**
 * Tests only: a stand-in for the global `Stripe` that Stripe.js defines, set on `window` the
 * way the real script does, and handed to the payment step through the loader (no script is
 * loaded in jsdom). Its card element is a plain labelled input.
 */
export function installFakeStripe({
  token = { token: { id: 'tok_visa' } },
  confirm = { paymentIntent: { status: 'succeeded' } },
}: {
  token?: StripeTokenResult;
  confirm?: StripeConfirmResult;
} = {}) {
  const createToken = vi.fn(async () => token);
  const confirmCardPayment = vi.fn(async (_secret: string) => confirm);
  const factory = vi.fn<StripeFactory>(() => ({
    elements: () => ({
      create: () => {
        let input: HTMLInputElement | null = null;
        return {
          mount(element: HTMLElement) {
            input = document.createElement('input');
            input.setAttribute('aria-label', 'Card number');
            element.appendChild(input);
          },
          destroy() {
            input?.remove();
          },
        };
      },
    }),
    createToken,
    confirmCardPayment,
  }));
  (window as { Stripe?: StripeFactory }).Stripe = factory;
  const loadStripe = vi.fn(async (_url: string) => {
    const loaded = (window as { Stripe?: StripeFactory }).Stripe;
    if (!loaded) throw new Error('no Stripe');
    return loaded;
  });
  const env: PaymentEnv = { loadStripe, pollIntervalMs: 10, pollTimeoutMs: 10_000 };
  return { factory, createToken, confirmCardPayment, loadStripe, env };
}

export function uninstallFakeStripe() {
  delete (window as { Stripe?: StripeFactory }).Stripe;
}

export function WithPaymentEnv({ env, children }: { env: PaymentEnv; children: ReactNode }) {
  return <PaymentEnvContext.Provider value={env}>{children}</PaymentEnvContext.Provider>;
}

export const STAND_IN_JS = 'http://127.0.0.1:8420/js.stripe.com/v3/';

export function payment(overrides: Partial<PaymentRead> = {}): PaymentRead {
  return {
    id: '1a2b3c4d-0000-4000-8000-0000000000c1',
    booking_id: booking().id,
    booking_status: 'held',
    hold_expires_at: new Date(Date.now() + 10 * 60_000).toISOString(),
    status: 'requires_payment',
    amount_cents: 15000,
    currency: 'usd',
    refunded_cents: 0,
    outcome: null,
    failure_message: null,
    client_secret: 'pi_123_secret_abc',
    next_action: null,
    message: 'Enter your card to pay and confirm the visit before the hold ends.',
    stripe: {
      publishable_key: 'pk_test_halcyon',
      js_url: STAND_IN_JS,
      test_mode: true,
      stand_in: true,
    },
    refunds: [],
    created_at: '2031-02-01T10:00:00-07:00',
    succeeded_at: null,
    ...overrides,
  };
}
