import { afterEach, describe, expect, it } from 'vitest';
import { uninstallFakeStripe } from './fakeStripe';
import { loadStripeScript, type StripeFactory } from './stripeJs';

afterEach(() => {
  uninstallFakeStripe();
  for (const s of document.querySelectorAll('script')) s.remove();
});

describe('loadStripeScript', () => {
  it('adds one script tag for the URL and resolves with the Stripe it defines', async () => {
    const url = 'http://127.0.0.1:8420/js.stripe.com/v3/';
    const first = loadStripeScript(url);
    const second = loadStripeScript(url);
    const scripts = document.querySelectorAll(`script[src="${url}"]`);
    expect(scripts).toHaveLength(1);
    // jsdom does not run external scripts: play the browser's part.
    const factory = (() => ({})) as unknown as StripeFactory;
    (window as { Stripe?: StripeFactory }).Stripe = factory;
    scripts[0]?.dispatchEvent(new Event('load'));
    expect(await first).toBe(factory);
    expect(await second).toBe(factory);
  });

  it('rejects when the script fails, and tries again on the next call', async () => {
    const url = 'http://127.0.0.1:9/nowhere.js';
    const attempt = loadStripeScript(url);
    document.querySelector(`script[src="${url}"]`)?.dispatchEvent(new Event('error'));
    await expect(attempt).rejects.toThrow('did not load');
    void loadStripeScript(url).catch(() => undefined);
    expect(document.querySelectorAll(`script[src="${url}"]`)).toHaveLength(1);
  });
});
