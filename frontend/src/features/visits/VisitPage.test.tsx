import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderPage, stubFetch } from '../../test/render';
import {
  installFakeStripe,
  payment,
  uninstallFakeStripe,
  WithPaymentEnv,
} from '../booking/fakeStripe';
import { booking, PRACTICE, PROBLEM } from '../patient/fixtures';
import { VisitPage } from './VisitPage';

afterEach(() => {
  vi.unstubAllGlobals();
  uninstallFakeStripe();
});

const ID = booking().id;
const CONSULT = {
  booking_id: ID,
  status: 'scheduled',
  starts_at: booking().starts_at,
  ends_at: booking().ends_at,
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

function renderVisit() {
  return renderPage(<VisitPage />, { path: `/visits/${ID}`, route: '/visits/:bookingId' });
}

describe('VisitPage', () => {
  it('shows the late-cancellation refund and fee before the patient confirms', async () => {
    const late = booking({
      cancellation_policy: {
        by: 'patient',
        currency: 'usd',
        fee_cents: 5000,
        full_refund: false,
        full_refund_until: '2031-03-03T14:30:00-07:00',
        reason: 'late_cancellation',
        refund_cents: 10000,
      },
    });
    const { requests } = stubFetch({
      [`GET /api/bookings/${ID}`]: { status: 200, body: late },
      [`GET /api/consults/${ID}`]: { status: 200, body: CONSULT },
      'GET /api/practice': { status: 200, body: PRACTICE },
      [`POST /api/bookings/${ID}/cancel`]: {
        status: 200,
        body: booking({
          status: 'cancelled',
          cancelled_at: '2031-03-04T10:00:00-07:00',
          cancellation: late.cancellation_policy,
          cancellation_policy: null,
          join_url: null,
        }),
      },
    });
    const user = userEvent.setup({ delay: null });
    renderVisit();

    await user.click(await screen.findByRole('button', { name: 'Cancel this visit' }));
    const dialog = screen.getByRole('alertdialog', { name: 'Cancel this visit?' });
    expect(dialog).toHaveAccessibleDescription(/you will get \$100\.00 back/);
    expect(dialog).toHaveTextContent('a cancellation fee of $50.00 applies');
    expect(dialog).toHaveTextContent('A full refund was available until');
    expect(within(dialog).getByRole('heading')).toHaveFocus();
    // Nothing is cancelled until the patient confirms.
    expect(requests.some((r) => r.method === 'POST')).toBe(false);

    await user.type(within(dialog).getByLabelText('Reason (optional)'), 'Travelling');
    await user.click(within(dialog).getByRole('button', { name: 'Yes, cancel the visit' }));

    expect(await screen.findByText('This visit is cancelled.')).toBeInTheDocument();
    expect(screen.getByText('Cancelled')).toBeInTheDocument();
    const cancel = requests.find((r) => r.method === 'POST');
    expect(await cancel?.json()).toEqual({ reason: 'Travelling' });
  });

  it('keeps the visit when the patient backs out, and says a full refund applies', async () => {
    stubFetch({
      [`GET /api/bookings/${ID}`]: { status: 200, body: booking() },
      [`GET /api/consults/${ID}`]: { status: 200, body: CONSULT },
    });
    const user = userEvent.setup({ delay: null });
    renderVisit();
    const open = await screen.findByRole('button', { name: 'Cancel this visit' });
    await user.click(open);
    expect(screen.getByRole('alertdialog')).toHaveTextContent(
      'You will get a full refund of $150.00.',
    );
    await user.click(screen.getByRole('button', { name: 'Keep the visit' }));
    expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument();
    expect(await screen.findByRole('button', { name: 'Cancel this visit' })).toHaveFocus();
  });

  it('offers a calendar file and says when joining opens', async () => {
    stubFetch({
      [`GET /api/bookings/${ID}`]: { status: 200, body: booking() },
      [`GET /api/consults/${ID}`]: { status: 200, body: CONSULT },
    });
    renderVisit();
    const ics = await screen.findByRole('link', { name: 'Add to calendar (.ics)' });
    expect(ics).toHaveAttribute('download', 'visit.ics');
    const content = decodeURIComponent(ics.getAttribute('href') ?? '');
    expect(content).toContain('DTSTART:20310304T213000Z');
    expect(content).toContain('SUMMARY:Follow-up visit with Dr. Lee');
    expect(await screen.findByText(/You can join from/)).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'Join the video visit' })).not.toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Reschedule' })).toHaveAttribute(
      'href',
      `/visits/${ID}/reschedule`,
    );
  });

  it('shows the join link while the consult window is open', async () => {
    const now = Date.now();
    const soon = booking({
      starts_at: new Date(now + 5 * 60_000).toISOString(),
      ends_at: new Date(now + 35 * 60_000).toISOString(),
    });
    stubFetch({
      [`GET /api/bookings/${ID}`]: { status: 200, body: soon },
      [`GET /api/consults/${ID}`]: {
        status: 200,
        body: {
          ...CONSULT,
          join_opens_at: new Date(now - 5 * 60_000).toISOString(),
          join_closes_at: new Date(now + 60 * 60_000).toISOString(),
        },
      },
    });
    renderVisit();
    expect(await screen.findByRole('link', { name: 'Join the video visit' })).toHaveAttribute(
      'href',
      `/visits/${ID}/call`,
    );
  });

  it('a held paid visit shows the live hold, the payment form and the release button', async () => {
    const held = booking({
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
    const fake = installFakeStripe();
    stubFetch({
      [`GET /api/bookings/${ID}`]: { status: 200, body: held },
      [`POST /api/bookings/${ID}/payment`]: { status: 200, body: payment() },
    });
    const user = userEvent.setup({ delay: null });
    renderPage(
      <WithPaymentEnv env={fake.env}>
        <VisitPage />
      </WithPaymentEnv>,
      { path: `/visits/${ID}`, route: '/visits/:bookingId' },
    );
    expect(
      await screen.findByRole('heading', { name: 'We are holding this time for you' }),
    ).toBeInTheDocument();
    expect(screen.getByRole('timer', { name: 'Time left to pay' })).toHaveTextContent(
      /^(10:00|9:5\d)$/,
    );
    expect(await screen.findByRole('heading', { name: 'Pay for your visit' })).toBeInTheDocument();
    expect(await screen.findByLabelText('Card number')).toBeInTheDocument();
    // Never claims to be confirmed while held.
    expect(screen.queryByText('Confirmed')).not.toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Release this time' }));
    expect(screen.getByRole('alertdialog')).toHaveTextContent(
      'Nothing has been paid for this visit',
    );
  });

  it('a paid visit shows what was paid, refunded and why', async () => {
    stubFetch({
      [`GET /api/bookings/${ID}`]: { status: 200, body: booking() },
      [`GET /api/consults/${ID}`]: { status: 200, body: CONSULT },
      [`GET /api/bookings/${ID}/payment`]: {
        status: 200,
        body: payment({
          status: 'succeeded',
          booking_status: 'confirmed',
          outcome: 'retaken',
          client_secret: null,
          succeeded_at: '2031-02-01T10:05:00-07:00',
          refunded_cents: 5000,
          refunds: [
            {
              id: '1a2b3c4d-0000-4000-8000-0000000000d1',
              payment_id: '1a2b3c4d-0000-4000-8000-0000000000c1',
              amount_cents: 5000,
              currency: 'usd',
              status: 'succeeded',
              kind: 'admin',
              reason: 'Goodwill',
              requested_by_role: 'admin',
              created_at: '2031-02-02T09:00:00-07:00',
            },
          ],
        }),
      },
    });
    renderVisit();
    const summary = await screen.findByRole('region', { name: /^Payment/ });
    expect(summary).toHaveTextContent('$150.00, paid Sat, Feb 1, 2031');
    expect(summary).toHaveTextContent('Refunded$50.00');
    expect(summary).toHaveTextContent(
      '$50.00 on Sun, Feb 2, 2031, 9:00 AM MST: refunded by the practice',
    );
    expect(summary).toHaveTextContent('the same time was still free, so your visit is booked');
    expect(summary).toHaveTextContent('(test payment)');
  });

  it('a payment that came too late says it was refunded in full', async () => {
    stubFetch({
      [`GET /api/bookings/${ID}`]: {
        status: 200,
        body: booking({ status: 'expired', hold_expires_at: null, cancellation_policy: null }),
      },
      [`GET /api/bookings/${ID}/payment`]: {
        status: 200,
        body: payment({
          status: 'succeeded',
          booking_status: 'expired',
          outcome: 'refunded_hold_lost',
          client_secret: null,
          refunded_cents: 15000,
        }),
      },
    });
    renderVisit();
    const summary = await screen.findByRole('region', { name: /^Payment/ });
    expect(summary).toHaveTextContent(
      'someone else had taken the time, so it was refunded in full',
    );
    expect(summary).toHaveTextContent('Refunded$150.00 (in full)');
  });

  it('a lapsed hold says so and offers another time', async () => {
    stubFetch({
      [`GET /api/bookings/${ID}`]: {
        status: 200,
        body: booking({ status: 'expired', hold_expires_at: null, cancellation_policy: null }),
      },
      // Never paid: there is no payment to show.
      [`GET /api/bookings/${ID}/payment`]: {
        status: 404,
        contentType: PROBLEM,
        body: {
          type: 'https://halcyon.health/problems/payment-not-found',
          title: 'Payment not found',
          status: 404,
        },
      },
    });
    renderVisit();
    expect(
      await screen.findByRole('heading', { name: 'This hold has expired' }),
    ).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Find another time' })).toHaveAttribute(
      'href',
      '/book',
    );
    expect(screen.queryByRole('button', { name: /Cancel/ })).not.toBeInTheDocument();
  });
});
