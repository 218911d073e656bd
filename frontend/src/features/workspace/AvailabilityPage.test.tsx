import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { applyLoginResult, resetSessionForTests } from '../../api/session';
import { renderPage, stubFetch } from '../../test/render';
import { AvailabilityPage } from './AvailabilityPage';

const ME = '3d0c1a8e-0000-4000-8000-0000000000d1';
const BASE = `/api/psychiatrists/${ME}/availability`;

afterEach(() => {
  vi.unstubAllGlobals();
  resetSessionForTests();
});

function availability(rules: unknown[]) {
  return {
    psychiatrist_id: ME,
    time_zone: 'America/Denver',
    settings: {
      buffer_minutes: 10,
      slot_step_minutes: 15,
      min_notice_minutes: 720,
      horizon_days: 60,
    },
    rules,
    overrides: [],
    time_off: [],
  };
}

describe('AvailabilityPage', () => {
  it("adds weekly hours to the signed-in psychiatrist's own schedule", async () => {
    applyLoginResult({
      status: 'ok',
      access_token: 'access',
      user: {
        id: ME,
        email: 'lee@example.org',
        email_verified: true,
        full_name: 'Dr. Lee',
        mfa_enabled: true,
        mfa_required: true,
        role: 'psychiatrist',
      },
    });
    const rule = { id: 'r1', weekday: 'tuesday', start: '08:00:00', end: '12:00:00' };
    const { requests } = stubFetch({
      [`GET ${BASE}`]: [
        { status: 200, body: availability([]) },
        { status: 200, body: availability([rule]) },
      ],
      [`POST ${BASE}/rules`]: { status: 201, body: rule },
    });
    const user = userEvent.setup({ delay: null });
    renderPage(<AvailabilityPage />);

    expect(
      screen.getByRole('heading', { name: 'My availability and time off', level: 1 }),
    ).toBeInTheDocument();
    expect(await screen.findByText('No weekly hours yet.')).toBeInTheDocument();
    await user.selectOptions(screen.getByLabelText('Day'), 'tuesday');
    await user.clear(screen.getByLabelText('From'));
    await user.type(screen.getByLabelText('From'), '08:00');
    await user.clear(screen.getByLabelText('Until'));
    await user.type(screen.getByLabelText('Until'), '12:00');
    await user.click(screen.getByRole('button', { name: 'Add hours' }));

    await waitFor(() => expect(requests.some((r) => r.method === 'POST')).toBe(true));
    const post = requests.find((r) => r.method === 'POST');
    expect(new URL(post?.url ?? '').pathname).toBe(`${BASE}/rules`);
    expect(await post?.json()).toEqual({ weekday: 'tuesday', start: '08:00', end: '12:00' });
    // The new hours show once the schedule is read again.
    expect(
      await screen.findByRole('button', { name: 'Remove Tuesday 08:00–12:00' }),
    ).toBeInTheDocument();
  });
});
