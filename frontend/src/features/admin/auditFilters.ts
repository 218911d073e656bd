/**
 * The audit viewer's filters: kept in the address (so a filtered view can be shared and
 * survives a reload) and turned into the API's query.
 */
export interface AuditFilters {
  action: string;
  actor: string;
  patient: string;
  /** YYYY-MM-DD, the first day (from local midnight). */
  since: string;
  /** YYYY-MM-DD, the last day (inclusive: up to the next local midnight). */
  until: string;
  page: number;
}

export interface AuditQuery {
  action?: string;
  actor_id?: string;
  patient_id?: string;
  since?: string;
  until?: string;
  page: number;
  limit: number;
}

export const AUDIT_PAGE_SIZE = 25;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

export function isUuid(value: string): boolean {
  return UUID.test(value.trim());
}

export function readAuditFilters(params: URLSearchParams): AuditFilters {
  const page = Number.parseInt(params.get('page') ?? '1', 10);
  return {
    action: params.get('action') ?? '',
    actor: params.get('actor') ?? '',
    patient: params.get('patient') ?? '',
    since: params.get('since') ?? '',
    until: params.get('until') ?? '',
    page: Number.isFinite(page) && page > 0 ? page : 1,
  };
}

export function writeAuditFilters(filters: AuditFilters): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of ['action', 'actor', 'patient', 'since', 'until'] as const) {
    const value = filters[key].trim();
    if (value) params.set(key, value);
  }
  if (filters.page > 1) params.set('page', String(filters.page));
  return params;
}

/** Local midnight starting a calendar day, as an instant with its offset (the API wants one). */
export function localMidnight(day: string, plusDays = 0): string {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(y ?? 1970, (m ?? 1) - 1, (d ?? 1) + plusDays).toISOString();
}

/**
 * The API query for the filters. Malformed ids and dates are left out rather than sent (the
 * form says they are invalid); days are the reader's calendar days, `until` inclusive.
 */
export function buildAuditQuery(filters: AuditFilters): AuditQuery {
  const query: AuditQuery = { page: filters.page, limit: AUDIT_PAGE_SIZE };
  const action = filters.action.trim();
  if (action) query.action = action;
  if (isUuid(filters.actor)) query.actor_id = filters.actor.trim().toLowerCase();
  if (isUuid(filters.patient)) query.patient_id = filters.patient.trim().toLowerCase();
  if (DAY.test(filters.since)) query.since = localMidnight(filters.since);
  if (DAY.test(filters.until)) query.until = localMidnight(filters.until, 1);
  return query;
}

/** Actions an admin most often looks for; the field accepts any action name. */
export const COMMON_ACTIONS = [
  'auth.signed_in',
  'auth.login_failed',
  'account.invited',
  'payment.refunded',
  'booking.created',
  'booking.cancelled',
  'visit_note.read',
  'visit_note.signed',
  'visit_note.addendum_signed',
  'visit_type.updated',
  'psychiatrist.license_saved',
] as const;
