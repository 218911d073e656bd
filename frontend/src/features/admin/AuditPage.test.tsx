import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderPage, stubFetch } from '../../test/render';
import { AuditPage } from './AuditPage';
import { page } from './fixtures';

afterEach(() => {
  vi.unstubAllGlobals();
});

const ACTOR = '5f0c1a8e-0000-4000-8000-000000000009';
const ENTRY = {
  id: 41,
  at: '2031-03-04T17:00:00Z',
  action: 'payment.refunded',
  actor_id: ACTOR,
  actor_role: 'admin',
  patient_id: '5f0c1a8e-0000-4000-8000-000000000001',
  subject_type: 'payment',
  subject_id: 'a1b2c3d4-0000-4000-8000-000000000001',
  request_id: null,
  ip: '127.0.0.1',
  detail: { amount_cents: 5000 },
};

function auditCalls(requests: Request[]) {
  return requests
    .filter((r) => new URL(r.url).pathname === '/api/admin/audit')
    .map((r) => new URL(r.url).searchParams);
}

describe('AuditPage', () => {
  it('sends the filters as the API query and starts again at page 1', async () => {
    const { requests } = stubFetch({
      'GET /api/admin/audit': { status: 200, body: { ...page([ENTRY], 60), limit: 25 } },
    });
    const user = userEvent.setup({ delay: null });
    renderPage(<AuditPage />, { path: '/admin/audit?page=2' });
    expect(await screen.findByText('payment.refunded')).toBeInTheDocument();
    expect(auditCalls(requests)[0]?.get('page')).toBe('2');

    await user.type(screen.getByLabelText('Action'), 'visit_note.signed');
    await user.type(screen.getByLabelText('From'), '2031-03-01');
    await user.click(screen.getByRole('button', { name: 'Apply filters' }));

    await vi.waitFor(() => expect(auditCalls(requests)).toHaveLength(2));
    const query = auditCalls(requests)[1];
    expect(query?.get('action')).toBe('visit_note.signed');
    expect(query?.get('since')).toBe(new Date(2031, 2, 1).toISOString());
    expect(query?.get('page')).toBe('1');
    expect(query?.has('actor_id')).toBe(false);
  });

  it('refuses a malformed id on its field without asking the API', async () => {
    const { requests } = stubFetch({
      'GET /api/admin/audit': { status: 200, body: page([], 0) },
    });
    const user = userEvent.setup({ delay: null });
    renderPage(<AuditPage />, { path: '/admin/audit' });
    expect(await screen.findByText('No entries match these filters.')).toBeInTheDocument();
    await user.type(screen.getByLabelText('Actor id'), '1234');
    await user.click(screen.getByRole('button', { name: 'Apply filters' }));
    const field = screen.getByLabelText('Actor id');
    expect(field).toHaveAttribute('aria-invalid', 'true');
    expect(field).toHaveFocus();
    expect(auditCalls(requests)).toHaveLength(1);
  });

  it("filters by an entry's actor from its row", async () => {
    const { requests } = stubFetch({
      'GET /api/admin/audit': { status: 200, body: page([ENTRY]) },
    });
    const user = userEvent.setup({ delay: null });
    renderPage(<AuditPage />, { path: '/admin/audit' });
    const row = (await screen.findByText('payment.refunded')).closest('tr');
    if (!row) throw new Error('no row');
    await user.click(within(row).getByRole('button', { name: /Show only entries by/ }));
    await vi.waitFor(() => expect(auditCalls(requests)).toHaveLength(2));
    expect(auditCalls(requests)[1]?.get('actor_id')).toBe(ACTOR);
    expect(screen.getByLabelText('Actor id')).toHaveValue(ACTOR);
  });

  it('shows the hash chain status when asked', async () => {
    stubFetch({
      'GET /api/admin/audit': { status: 200, body: page([], 0) },
      'GET /api/admin/audit/verify': {
        status: 200,
        body: { ok: false, checked: 120, first_bad_id: 77, reason: 'hash mismatch' },
      },
    });
    const user = userEvent.setup({ delay: null });
    renderPage(<AuditPage />, { path: '/admin/audit' });
    await user.click(await screen.findByRole('button', { name: 'Check the chain' }));
    expect(
      await screen.findByText('Broken at entry 77 (120 checked): hash mismatch'),
    ).toBeInTheDocument();
  });
});
