import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RefundRead } from '../../api/generated';
import { renderPage, stubFetch } from '../../test/render';
import { PROBLEM } from '../patient/fixtures';
import { PAYMENT_ID, page, paymentRead, paymentRow } from './fixtures';
import { PaymentsPage } from './PaymentsPage';

afterEach(() => {
  vi.unstubAllGlobals();
});

const REFUND: RefundRead = {
  id: 'f0000000-0000-4000-8000-000000000001',
  payment_id: PAYMENT_ID,
  amount_cents: 15000,
  currency: 'usd',
  status: 'succeeded',
  kind: 'admin',
  reason: 'Visit did not happen',
  requested_by_role: 'admin',
  created_at: '2031-03-05T10:00:00-07:00',
};

const LISTS = {
  'GET /api/psychiatrists': { status: 200, body: [] },
  'GET /api/visit-types': { status: 200, body: [] },
};

async function openRefund() {
  const user = userEvent.setup({ delay: null });
  renderPage(<PaymentsPage />, { path: '/admin/payments' });
  const row = (await screen.findByText('Ana Pérez')).closest('tr');
  if (!row) throw new Error('no row');
  await user.click(within(row).getByRole('button', { name: /Refund/ }));
  const dialog = await screen.findByRole('dialog', { name: 'Refund Ana Pérez' });
  await within(dialog).findByText('Left to refund');
  return { user, dialog, row };
}

describe('refunding a payment', () => {
  it('labels test payments and says what is left to refund', async () => {
    stubFetch({
      ...LISTS,
      'GET /api/admin/billing/payments': { status: 200, body: page([paymentRow()]) },
      [`GET /api/admin/payments/${PAYMENT_ID}`]: {
        status: 200,
        body: paymentRead({
          refunded_cents: 5000,
          refunds: [{ ...REFUND, amount_cents: 5000, reason: 'Goodwill' }],
        }),
      },
    });
    const { dialog, row } = await openRefund();
    expect(within(row).getByText('Test')).toBeInTheDocument();
    expect(within(dialog).getByText('Test')).toBeInTheDocument();
    expect(within(dialog).getByTestId('refund-left')).toHaveTextContent('$100.00');
    expect(dialog).toHaveTextContent('Goodwill');
    expect(within(dialog).getByRole('heading', { name: 'Refund Ana Pérez' })).toHaveFocus();
  });

  it('a full refund sends no amount, and the row shows it refunded', async () => {
    const { requests } = stubFetch({
      ...LISTS,
      'GET /api/admin/billing/payments': [
        { status: 200, body: page([paymentRow()]) },
        { status: 200, body: page([paymentRow({ refunded_cents: 15000 })]) },
      ],
      [`GET /api/admin/payments/${PAYMENT_ID}`]: { status: 200, body: paymentRead() },
      [`POST /api/admin/payments/${PAYMENT_ID}/refunds`]: { status: 201, body: REFUND },
    });
    const { user, dialog } = await openRefund();
    // "Everything left" is the default choice.
    expect(within(dialog).getByRole('radio', { name: 'Everything left ($150.00)' })).toBeChecked();
    await user.type(within(dialog).getByLabelText('Reason'), 'Visit did not happen');
    await user.click(within(dialog).getByRole('button', { name: 'Refund' }));

    await screen.findByText('Refunded $150.00 to Ana Pérez.');
    const post = requests.find((r) => r.method === 'POST');
    expect(await post?.json()).toEqual({ reason: 'Visit did not happen' });
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    const row = screen.getByText('Ana Pérez').closest('tr');
    if (!row) throw new Error('no row');
    await waitFor(() => expect(within(row).getByText('Fully refunded')).toBeInTheDocument());
    expect(row.querySelector('td[data-label="Refunded"]')).toHaveTextContent('$150.00');
    expect(within(row).queryByRole('button', { name: /Refund/ })).not.toBeInTheDocument();
  });

  it('a 409 refund-too-large lands on the amount field', async () => {
    const { requests } = stubFetch({
      ...LISTS,
      'GET /api/admin/billing/payments': { status: 200, body: page([paymentRow()]) },
      [`GET /api/admin/payments/${PAYMENT_ID}`]: { status: 200, body: paymentRead() },
      [`POST /api/admin/payments/${PAYMENT_ID}/refunds`]: {
        status: 409,
        contentType: PROBLEM,
        body: {
          type: 'https://halcyon.health/problems/refund-too-large',
          title: 'The refund is larger than what is left to refund',
          status: 409,
          detail: 'Only $20.00 is left to refund.',
          errors: [
            {
              field: 'body.amount_cents',
              message: 'Only $20.00 is left to refund.',
              code: 'invalid',
            },
          ],
        },
      },
    });
    const { user, dialog } = await openRefund();
    await user.click(within(dialog).getByRole('radio', { name: 'Part of it' }));
    await user.type(within(dialog).getByLabelText('Amount to refund (USD)'), '50');
    await user.type(within(dialog).getByLabelText('Reason'), 'Partial goodwill');
    await user.click(within(dialog).getByRole('button', { name: 'Refund' }));

    const amount = within(dialog).getByLabelText('Amount to refund (USD)');
    await waitFor(() => expect(amount).toHaveAttribute('aria-invalid', 'true'));
    expect(amount).toHaveAccessibleDescription(/Only \$20\.00 is left to refund\./);
    expect(amount).toHaveFocus();
    const post = requests.find((r) => r.method === 'POST');
    expect(await post?.json()).toEqual({ amount_cents: 5000, reason: 'Partial goodwill' });
    // The dialog stays open with what was typed.
    expect(amount).toHaveValue('50');
  });

  it('refuses an amount above what is left before asking the API', async () => {
    const { requests } = stubFetch({
      ...LISTS,
      'GET /api/admin/billing/payments': { status: 200, body: page([paymentRow()]) },
      [`GET /api/admin/payments/${PAYMENT_ID}`]: { status: 200, body: paymentRead() },
    });
    const { user, dialog } = await openRefund();
    await user.click(within(dialog).getByRole('radio', { name: 'Part of it' }));
    await user.type(within(dialog).getByLabelText('Amount to refund (USD)'), '150.01');
    await user.type(within(dialog).getByLabelText('Reason'), 'Too much');
    await user.click(within(dialog).getByRole('button', { name: 'Refund' }));
    expect(await within(dialog).findByText('At most $150.00 is left to refund.')).toBeVisible();
    expect(requests.some((r) => r.method === 'POST')).toBe(false);
  });
});
