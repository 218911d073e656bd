import { createContext } from 'react';

// The few parts of Stripe.js the payment step uses (the same surface Stripe's own script and
// the local stand-in's copy both offer). There is no npm package: the script comes from the
// address the API names, so the stand-in's copy loads in tests and in the embedded demo.
export interface StripeCardElement {
  mount(element: HTMLElement): void;
  destroy(): void;
}

export interface StripeError {
  message?: string;
  code?: string;
  type?: string;
}

export interface StripeTokenResult {
  token?: { id: string };
  error?: StripeError | null;
}

export interface StripeConfirmResult {
  paymentIntent?: { status: string };
  error?: StripeError | null;
}

export interface StripeLike {
  elements(): { create(type: 'card', options?: Record<string, unknown>): StripeCardElement };
  createToken(card: StripeCardElement): Promise<StripeTokenResult>;
  confirmCardPayment(clientSecret: string): Promise<StripeConfirmResult>;
}

export type StripeFactory = (publishableKey: string) => StripeLike;
export type StripeLoader = (url: string) => Promise<StripeFactory>;

const loaded = new Map<string, Promise<StripeFactory>>();

/**
 * Adds a <script src={url}> once and resolves with the global `Stripe` it defines. Only the
 * payment step calls this, so no other page ever loads Stripe.js.
 */
export const loadStripeScript: StripeLoader = (url) => {
  let promise = loaded.get(url);
  if (!promise) {
    promise = new Promise<StripeFactory>((resolve, reject) => {
      const script = document.createElement('script');
      script.src = url;
      script.async = true;
      script.onload = () => {
        const factory = (globalThis as { Stripe?: StripeFactory }).Stripe;
        if (typeof factory === 'function') resolve(factory);
        else reject(new Error('Stripe.js loaded but defined no Stripe()'));
      };
      script.onerror = () => {
        script.remove();
        reject(new Error(`Stripe.js did not load from ${url}`));
      };
      document.head.appendChild(script);
    });
    // A failed load may be retried (the network came back).
    promise.catch(() => loaded.delete(url));
    loaded.set(url, promise);
  }
  return promise;
};

/** What the payment step needs from its surroundings; tests swap the loader and the clock. */
export interface PaymentEnv {
  /** Loads Stripe.js from the API's `stripe.js_url` (tests hand over a fake `Stripe`). */
  loadStripe: StripeLoader;
  /** How often to ask whether Stripe's webhook confirmed the visit. */
  pollIntervalMs: number;
  /** When to stop asking and say it is taking long. */
  pollTimeoutMs: number;
}

export const defaultPaymentEnv: PaymentEnv = {
  loadStripe: loadStripeScript,
  pollIntervalMs: 1_500,
  pollTimeoutMs: 120_000,
};

export const PaymentEnvContext = createContext<PaymentEnv>(defaultPaymentEnv);
