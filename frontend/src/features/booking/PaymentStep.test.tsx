import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderPage, type StubRoutes, stubFetch } from '../../test/render';
import { booking, PROBLEM } from '../patient/fixtures';
import { VisitPage } from '../visits/VisitPage';
import {
  installFakeStripe,
  payment,
  STAND_IN_JS,
  uninstallFakeStripe,
  WithPaymentEnv,
} from './fakeStripe';
import type { PaymentEnv } from './stripeJs';

afterEach(() => {
  vi.unstubAllGlobals();
  uninstallFakeStripe();
});

const ID = booking().id;
const HELD = booking({
  status: 'held',
  hold_expires_at: new Date(Date.now() + 10 * 60_000).toISOString(),
  join_url: null,
  cancellation_policy: {
    by: 'patient',
    currency: 'usd',
    fee_cents: 0,
    full_refund: true,
    full_refund_until: null,
    reason: 'nothing_paid',
    refund_cents: 0,
  },
});
const CONSULT = {
  booking_id: ID,
  status: 'scheduled',
  starts_at: HELD.starts_at,
  ends_at: HELD.ends_at,
  join_opens_at: '2031-03-04T14:20:00-07:00',
  join_closes_at: '2031-03-04T15:30:00-07:00',
  patient_location: null,
  waiting_since: null,
  admitted_at: null,
  started_at: null,
  ended_at: null,
  duration_seconds: null,
  end_reason: null,
};
const PAID = payment({
  status: 'succeeded',
  booking_status: 'confirmed',
  hold_expires_at: null,
  client_secret: null,
  outcome: 'confirmed',
  succeeded_at: '2031-02-01T10:05:00-07:00',
});

function renderHeld(env: PaymentEnv, routes: StubRoutes) {
  const stub = stubFetch({
    [`GET /api/bookings/${ID}`]: { status: 200, body: HELD },
    [`POST /api/bookings/${ID}/payment`]: { status: 200, body: payment() },
    ...routes,
  });
  renderPage(
    <WithPaymentEnv env={env}>
      <VisitPage />
    </WithPaymentEnv>,
    { path: `/visits/${ID}`, route: '/visits/:bookingId' },
  );
  return stub;
}

async function payNow() {
  const user = userEvent.setup({ delay: null });
  await screen.findByLabelText('Card number');
  // The button is enabled once Stripe's card field is mounted: a click before that is ignored.
  const button = screen.getByRole('button', { name: 'Pay $150.00' });
  await waitFor(() => expect(button).toBeEnabled());
  await user.click(button);
  return user;
}

describe('PaymentStep', () => {
  it('pays with a card token, says it is confirming, polls, then shows the visit confirmed', async () => {
    const fake = installFakeStripe();
    // Polls far enough apart that "confirming" stays on screen long enough to be read.
    const { requests } = renderHeld(
      { ...fake.env, pollIntervalMs: 400 },
      {
        [`POST /api/bookings/${ID}/payment/card`]: {
          status: 200,
          body: payment({ status: 'processing', client_secret: null }),
        },
        [`GET /api/bookings/${ID}/payment`]: [
          { status: 200, body: payment({ status: 'processing', client_secret: null }) },
          { status: 200, body: payment({ status: 'succeeded', client_secret: null }) },
          { status: 200, body: PAID },
        ],
        [`GET /api/consults/${ID}`]: { status: 200, body: CONSULT },
        // Read again once confirmed: the booking says so too.
        [`GET /api/bookings/${ID}`]: [
          { status: 200, body: HELD },
          { status: 200, body: { ...HELD, status: 'confirmed', hold_expires_at: null } },
        ],
      },
    );
    await payNow();

    expect(await screen.findByText('Payment received, confirming your visit…')).toBeInTheDocument();
    // The hold keeps counting down while Stripe's webhook is awaited.
    expect(screen.getByRole('timer', { name: 'Time left to pay' })).toBeInTheDocument();
    expect(await screen.findByText('Paid. Your visit is confirmed.')).toBeInTheDocument();
    expect(await screen.findByText('Confirmed')).toBeInTheDocument();

    expect(fake.loadStripe).toHaveBeenCalledWith(STAND_IN_JS);
    expect(fake.factory).toHaveBeenCalledWith('pk_test_halcyon');
    expect(fake.createToken).toHaveBeenCalledTimes(1);
    expect(fake.confirmCardPayment).not.toHaveBeenCalled();
    const card = requests.find((r) => r.url.endsWith('/payment/card'));
    // Only the token reaches our API, never card data.
    expect(await card?.json()).toEqual({ token: 'tok_visa' });
    const polls = requests.filter((r) => r.method === 'GET' && r.url.endsWith('/payment'));
    expect(polls.length).toBeGreaterThanOrEqual(3);
    // No <script> is added in tests: the loader was injected.
    expect(document.querySelector(`script[src="${STAND_IN_JS}"]`)).toBeNull();
  });

  it('a declined card shows why and a link to pick a time again', async () => {
    const fake = installFakeStripe();
    renderHeld(fake.env, {
      [`POST /api/bookings/${ID}/payment/card`]: {
        status: 402,
        contentType: PROBLEM,
        body: {
          type: 'https://halcyon.health/problems/card-declined',
          title: 'The card was declined',
          status: 402,
          detail:
            'Your card was declined. The time you picked was released; pick a time again and try another card.',
        },
      },
      [`GET /api/bookings/${ID}`]: [
        { status: 200, body: HELD },
        { status: 200, body: { ...HELD, status: 'released', hold_expires_at: null } },
      ],
    });
    await payNow();

    // The booking is read again and shows released; the decline stays on screen.
    expect(await screen.findByText('Released, card declined')).toBeInTheDocument();
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Your card was declined');
    expect(alert).toHaveTextContent('The time you picked was released');
    expect(screen.getByRole('link', { name: 'Pick a time again' })).toHaveAttribute(
      'href',
      '/book',
    );
    expect(screen.queryByRole('button', { name: /Pay/ })).not.toBeInTheDocument();
  });

  it('when the bank asks for 3-D Secure, confirms with Stripe.js and then waits for the webhook', async () => {
    const fake = installFakeStripe();
    renderHeld(fake.env, {
      [`POST /api/bookings/${ID}/payment/card`]: {
        status: 200,
        body: payment({
          status: 'requires_action',
          next_action: 'confirm_card',
          client_secret: 'pi_3ds_secret_xyz',
        }),
      },
      [`GET /api/bookings/${ID}/payment`]: [
        { status: 200, body: payment({ status: 'processing', client_secret: null }) },
        { status: 200, body: PAID },
      ],
      [`GET /api/consults/${ID}`]: { status: 200, body: CONSULT },
    });
    await payNow();

    expect(await screen.findByText('Paid. Your visit is confirmed.')).toBeInTheDocument();
    expect(fake.confirmCardPayment).toHaveBeenCalledWith('pi_3ds_secret_xyz');
  });

  it('a failed 3-D Secure check shows the bank’s answer and the card form again', async () => {
    const fake = installFakeStripe({
      confirm: { error: { message: 'Authentication failed.' } },
    });
    renderHeld(fake.env, {
      [`POST /api/bookings/${ID}/payment/card`]: {
        status: 200,
        body: payment({
          status: 'requires_action',
          next_action: 'confirm_card',
          client_secret: 'pi_3ds_secret_xyz',
        }),
      },
      [`GET /api/bookings/${ID}/payment`]: { status: 200, body: payment() },
    });
    await payNow();
    expect(await screen.findByText('Authentication failed.')).toBeInTheDocument();
    expect(await screen.findByRole('button', { name: 'Pay $150.00' })).toBeEnabled();
  });

  it('labels test payments and lists the test cards', async () => {
    const fake = installFakeStripe();
    renderHeld(fake.env, {});
    const note = await screen.findByRole('note');
    expect(note).toHaveTextContent('Test payment — no real card is charged');
    expect(within(note).getByText('4242 4242 4242 4242')).toBeInTheDocument();
    expect(within(note).getByText('4000 0000 0000 0341')).toBeInTheDocument();
    expect(within(note).getByText('4000 0027 6000 3184')).toBeInTheDocument();
  });

  it('live payments carry no test label', async () => {
    const fake = installFakeStripe();
    const live = payment({
      stripe: {
        publishable_key: 'pk_live_x',
        js_url: 'https://js.stripe.com/v3/',
        test_mode: false,
        stand_in: false,
      },
    });
    renderHeld(fake.env, { [`POST /api/bookings/${ID}/payment`]: { status: 200, body: live } });
    expect(await screen.findByRole('button', { name: 'Pay $150.00' })).toBeInTheDocument();
    expect(screen.queryByText(/Test payment/)).not.toBeInTheDocument();
    expect(fake.loadStripe).toHaveBeenCalledWith('https://js.stripe.com/v3/');
  });

  it('card details Stripe could not use show next to the card field', async () => {
    const fake = installFakeStripe();
    renderHeld(fake.env, {
      [`POST /api/bookings/${ID}/payment/card`]: {
        status: 422,
        contentType: PROBLEM,
        body: {
          type: 'https://halcyon.health/problems/card-token-rejected',
          title: 'The card details could not be used',
          status: 422,
          detail: null,
          errors: [
            {
              field: 'body.token',
              message: 'Stripe could not use these card details (expired card).',
              code: 'card_token_rejected',
            },
          ],
        },
      },
    });
    await payNow();
    const group = await screen.findByRole('group', { name: 'Card details' });
    expect(group).toHaveAccessibleDescription(
      'Stripe could not use these card details (expired card).',
    );
    expect(await screen.findByRole('button', { name: 'Pay $150.00' })).toBeEnabled();
  });

  it('a card Stripe.js itself refuses never reaches our API', async () => {
    const fake = installFakeStripe({
      token: { error: { message: 'Your card number is invalid.' } },
    });
    const { requests } = renderHeld(fake.env, {});
    await payNow();
    expect(await screen.findByRole('group', { name: 'Card details' })).toHaveAccessibleDescription(
      'Your card number is invalid.',
    );
    expect(requests.some((r) => r.url.endsWith('/payment/card'))).toBe(false);
  });

  it('when Stripe is not answering, says nothing was charged and lets the patient retry', async () => {
    const fake = installFakeStripe();
    renderHeld(fake.env, {
      [`POST /api/bookings/${ID}/payment/card`]: {
        status: 503,
        contentType: PROBLEM,
        body: {
          type: 'https://halcyon.health/problems/payment-provider-unavailable',
          title: 'The payment provider is not answering',
          status: 503,
          detail: 'Stripe did not answer. Nothing was charged: try again.',
        },
      },
    });
    await payNow();
    expect(
      await screen.findByText('Stripe is not answering. Nothing was charged: please try again.'),
    ).toBeInTheDocument();
    expect(await screen.findByRole('button', { name: 'Pay $150.00' })).toBeEnabled();
  });

  it('a hold that lapsed before paying says so with a link', async () => {
    const fake = installFakeStripe();
    renderHeld(fake.env, {
      [`POST /api/bookings/${ID}/payment/card`]: {
        status: 409,
        contentType: PROBLEM,
        body: {
          type: 'https://halcyon.health/problems/hold-lapsed',
          title: 'The hold on this time has ended',
          status: 409,
          detail:
            'Your hold on this time has ended before the payment was made: pick a time again.',
        },
      },
    });
    await payNow();
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Your hold on this time has ended before the payment was made',
    );
    expect(screen.getByRole('link', { name: 'Pick a time again' })).toHaveAttribute(
      'href',
      '/book',
    );
  });

  it('stops asking after the time limit and says the confirmation is late', async () => {
    const fake = installFakeStripe();
    const processing = payment({ status: 'processing', client_secret: null });
    const { requests } = renderHeld(
      { ...fake.env, pollTimeoutMs: 150 },
      {
        [`POST /api/bookings/${ID}/payment/card`]: { status: 200, body: processing },
        [`GET /api/bookings/${ID}/payment`]: { status: 200, body: processing },
      },
    );
    await payNow();
    expect(await screen.findByText(/Stripe has not confirmed the payment yet/)).toBeInTheDocument();
    const polled = requests.filter((r) => r.method === 'GET' && r.url.endsWith('/payment')).length;
    await new Promise((resolve) => setTimeout(resolve, 60));
    const after = requests.filter((r) => r.method === 'GET' && r.url.endsWith('/payment')).length;
    expect(after).toBe(polled);
    expect(screen.getByRole('button', { name: 'Check again' })).toBeInTheDocument();
  });
});
