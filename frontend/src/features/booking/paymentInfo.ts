/**
 * What the booking answer carries to pay a held visit with Stripe.js (added by the payments
 * API). Read defensively: until the API sends it, there is no payment step at all.
 */
export interface PaymentInfo {
  client_secret: string;
  publishable_key: string;
  stripe_js_url: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** The booking's payment data, or null when the API gave none (free visits, older API). */
export function paymentOf(booking: unknown): PaymentInfo | null {
  if (!isRecord(booking) || !isRecord(booking.payment)) return null;
  const { client_secret, publishable_key, stripe_js_url } = booking.payment;
  if (
    typeof client_secret !== 'string' ||
    typeof publishable_key !== 'string' ||
    typeof stripe_js_url !== 'string' ||
    !client_secret ||
    !publishable_key ||
    !stripe_js_url
  ) {
    return null;
  }
  return { client_secret, publishable_key, stripe_js_url };
}
