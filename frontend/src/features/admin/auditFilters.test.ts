import { describe, expect, it } from 'vitest';
import { buildAuditQuery, readAuditFilters, writeAuditFilters } from './auditFilters';

const ACTOR = '5F0C1A8E-0000-4000-8000-000000000002';
const EMPTY = { action: '', actor: '', patient: '', since: '', until: '', page: 1 };

describe('audit filters', () => {
  it('build the API query: ids lower-cased, days as local midnights, the last day included', () => {
    const query = buildAuditQuery({
      action: ' payment.refunded ',
      actor: ACTOR,
      patient: '5f0c1a8e-0000-4000-8000-000000000001',
      since: '2031-03-01',
      until: '2031-03-31',
      page: 3,
    });
    expect(query).toEqual({
      action: 'payment.refunded',
      actor_id: ACTOR.toLowerCase(),
      patient_id: '5f0c1a8e-0000-4000-8000-000000000001',
      since: new Date(2031, 2, 1).toISOString(),
      until: new Date(2031, 3, 1).toISOString(),
      page: 3,
      limit: 25,
    });
  });

  it('leave out what is empty or malformed instead of sending it', () => {
    expect(buildAuditQuery({ ...EMPTY, actor: 'not-an-id', since: '2031-3-1' })).toEqual({
      page: 1,
      limit: 25,
    });
  });

  it('round-trip through the address, without empty values or page 1', () => {
    const filters = { ...EMPTY, action: 'auth.signed_in', until: '2031-03-31', page: 2 };
    const params = writeAuditFilters(filters);
    expect(params.toString()).toBe('action=auth.signed_in&until=2031-03-31&page=2');
    expect(readAuditFilters(params)).toEqual(filters);
    expect(writeAuditFilters(EMPTY).toString()).toBe('');
  });
});
