import type { PaymentRead, PaymentRow, RevenueReport } from '../../api/generated';

/** Admin test data shaped like the API's answers. */
export const PAYMENT_ID = 'a1b2c3d4-0000-4000-8000-000000000001';

export function paymentRow(overrides: Partial<PaymentRow> = {}): PaymentRow {
  return {
    payment_id: PAYMENT_ID,
    booking_id: '9b1c1a8e-0000-4000-8000-0000000000b1',
    date_of_service: '2031-03-04T14:30:00-07:00',
    time_zone: 'America/Boise',
    patient_id: '5f0c1a8e-0000-4000-8000-000000000001',
    patient_name: 'Ana Pérez',
    psychiatrist_id: '5f0c1a8e-0000-4000-8000-000000000002',
    psychiatrist_name: 'Dr. Lee',
    visit_type_id: '7c0c1a8e-0000-4000-8000-0000000000a1',
    visit_type: 'Follow-up visit',
    amount_cents: 15000,
    refunded_cents: 0,
    currency: 'usd',
    status: 'succeeded',
    outcome: 'confirmed',
    failure_code: null,
    failure_message: null,
    created_at: '2031-02-01T10:00:00-07:00',
    succeeded_at: '2031-02-01T10:01:00-07:00',
    test_mode: true,
    ...overrides,
  };
}

export function paymentRead(overrides: Partial<PaymentRead> = {}): PaymentRead {
  return {
    id: PAYMENT_ID,
    booking_id: '9b1c1a8e-0000-4000-8000-0000000000b1',
    booking_status: 'confirmed',
    hold_expires_at: null,
    status: 'succeeded',
    amount_cents: 15000,
    currency: 'usd',
    refunded_cents: 0,
    outcome: 'confirmed',
    failure_message: null,
    client_secret: null,
    next_action: null,
    message: 'Paid.',
    stripe: {
      publishable_key: 'pk_test',
      js_url: 'http://127.0.0.1/js',
      test_mode: true,
      stand_in: true,
    },
    refunds: [],
    created_at: '2031-02-01T10:00:00-07:00',
    succeeded_at: '2031-02-01T10:01:00-07:00',
    ...overrides,
  };
}

export function page<T>(items: T[], total = items.length) {
  return { items, total, page: 1, limit: 20 };
}

export function revenueReport(overrides: Partial<RevenueReport> = {}): RevenueReport {
  return {
    group: 'month',
    by: 'total',
    time_zone: 'America/Boise',
    from_date: '2031-01-01',
    to_date: '2031-03-31',
    rows: [],
    totals: [],
    ...overrides,
  };
}
