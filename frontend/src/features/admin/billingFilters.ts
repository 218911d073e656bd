import type { PaymentRow } from '../../api/generated';

export type PaymentStatus = PaymentRow['status'];
export const PAYMENT_STATUSES: readonly PaymentStatus[] = [
  'succeeded',
  'failed',
  'processing',
  'requires_payment',
  'requires_action',
  'canceled',
];

/** The payments and refunds lists' filters, as kept in the address. */
export interface BillingFilters {
  from: string;
  to: string;
  psychiatrist: string;
  visitType: string;
  status: string;
  /** '' both, 'live' or 'test'. */
  mode: string;
  page: number;
}

const KEYS = ['from', 'to', 'psychiatrist', 'visitType', 'status', 'mode'] as const;
export const BILLING_PAGE_SIZE = 20;

export function readBillingFilters(params: URLSearchParams): BillingFilters {
  const page = Number.parseInt(params.get('page') ?? '1', 10);
  return {
    from: params.get('from') ?? '',
    to: params.get('to') ?? '',
    psychiatrist: params.get('psychiatrist') ?? '',
    visitType: params.get('visitType') ?? '',
    status: params.get('status') ?? '',
    mode: params.get('mode') ?? '',
    page: Number.isFinite(page) && page > 0 ? page : 1,
  };
}

export function writeBillingFilters(filters: BillingFilters): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of KEYS) if (filters[key]) params.set(key, filters[key]);
  if (filters.page > 1) params.set('page', String(filters.page));
  return params;
}

export interface BillingQueryBase {
  from?: string;
  to?: string;
  psychiatrist_id?: string;
  visit_type_id?: string;
  test_mode?: boolean;
}

/** The API's query for the filters, but status (the payments and refunds lists differ). */
export function billingQuery(filters: BillingFilters): BillingQueryBase {
  const query: BillingQueryBase = {};
  if (filters.from) query.from = filters.from;
  if (filters.to) query.to = filters.to;
  if (filters.psychiatrist) query.psychiatrist_id = filters.psychiatrist;
  if (filters.visitType) query.visit_type_id = filters.visitType;
  if (filters.mode === 'test') query.test_mode = true;
  if (filters.mode === 'live') query.test_mode = false;
  return query;
}

export function isPaymentStatus(value: string): value is PaymentStatus {
  return (PAYMENT_STATUSES as readonly string[]).includes(value);
}
