import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Me } from '../../api/generated';
import { applyLoginResult, resetSessionForTests } from '../../api/session';
import { renderPage, stubFetch } from '../../test/render';
import { booking } from '../patient/fixtures';
import { PHQ9_OUTCOME, signedNote, trendPoint, unreviewedFlag } from '../workspace/fixtures';
import { CallPage } from './CallPage';

const ID = booking().id;
const PATIENT = booking().patient_id;
const SESSION = '7a0c1a8e-0000-4000-8000-0000000000e1';

function signIn(role: Me['role']) {
  applyLoginResult({
    status: 'ok',
    access_token: 'access',
    user: {
      id: `${role}-1`,
      email: `${role}@example.org`,
      email_verified: true,
      full_name: role === 'patient' ? 'Ana Patient' : 'Dr. Lee',
      mfa_enabled: role !== 'patient',
      mfa_required: role !== 'patient',
      role,
    },
  });
}

afterEach(() => {
  vi.unstubAllGlobals();
  resetSessionForTests();
});

/** The chart endpoints of the booking's patient, with one of each thing the panel shows. */
const CHART_ROUTES = {
  [`GET /api/patients/${PATIENT}/screening/flags`]: {
    status: 200,
    body: [unreviewedFlag(PATIENT)],
  },
  [`GET /api/patients/${PATIENT}/trends`]: {
    status: 200,
    body: {
      patient_id: PATIENT,
      infusions: [
        {
          session_id: SESSION,
          plan_id: 'plan-1',
          sequence: 3,
          phase: 'induction',
          status: 'completed',
          at: '2031-02-20T17:00:00Z',
          cadss6_score: 4,
        },
      ],
      phq9: PHQ9_OUTCOME,
      scales: [
        {
          scale: 'phq9',
          points: [
            trendPoint('2031-01-01T00:00:00Z', 20, 'severe'),
            trendPoint('2031-03-01T00:00:00Z', 12, 'moderate'),
          ],
        },
      ],
    },
  },
  [`GET /api/infusion-sessions/${SESSION}`]: {
    status: 200,
    body: {
      id: SESSION,
      vitals: [
        {
          timepoint: 'min_15',
          systolic: 150,
          diastolic: 95,
          heart_rate: 88,
          spo2: 97,
          recorded_at: '2031-02-20T17:15:00Z',
          recorded_by: 'psychiatrist-1',
        },
        {
          timepoint: 'pre',
          systolic: 128,
          diastolic: 82,
          heart_rate: 72,
          spo2: 99,
          recorded_at: '2031-02-20T17:00:00Z',
          recorded_by: 'psychiatrist-1',
        },
      ],
    },
  },
  [`GET /api/patients/${PATIENT}/notes`]: {
    status: 200,
    body: {
      items: [signedNote(PATIENT)],
      total: 1,
      page: 1,
      limit: 1,
    },
  },
};

describe('the chart beside the call', () => {
  it("shows the booking's patient's chart to the psychiatrist, and folds away", async () => {
    signIn('psychiatrist');
    stubFetch({
      [`GET /api/bookings/${ID}`]: { status: 200, body: booking() },
      'GET /api/consults/waiting-room': { status: 200, body: [] },
      ...CHART_ROUTES,
    });
    const user = userEvent.setup({ delay: null });
    renderPage(<CallPage />, { path: `/visits/${ID}/call`, route: '/visits/:bookingId/call' });

    const panel = await screen.findByRole('complementary', { name: 'Chart' });
    expect(await within(panel).findByText(/Past suicide attempt reported/)).toBeInTheDocument();
    const scores = await within(panel).findByRole('table', { name: 'Latest scores' });
    expect(scores).toHaveTextContent('12 of 27 · moderatedown 8 (from 20)');
    // The narrow panel shows the day; the time is in the title.
    const when = scores.querySelector('time');
    expect(when).toHaveAttribute('datetime', '2031-03-01T00:00:00Z');
    expect(when?.textContent).toMatch(/^(Feb 28|Mar 1), 2031$/);
    expect(when?.getAttribute('title')).toMatch(/2031, \d{1,2}:\d{2}/);
    const vitals = await within(panel).findByRole('table', { name: 'Vitals, latest infusion' });
    const rows = within(vitals).getAllByRole('row');
    // Timepoints in clinical order, whatever order the API lists them in.
    expect(rows[1]).toHaveTextContent('Before128/827299%');
    expect(rows[2]).toHaveTextContent('15 min150/958897%');
    expect(within(panel).getByText(/Session 3,/)).toBeInTheDocument();
    expect(await within(panel).findByText(/Signed by Dr. Lee/)).toBeInTheDocument();
    expect(within(panel).getByRole('link', { name: 'Open the full chart' })).toHaveAttribute(
      'href',
      `/my-patients/${PATIENT}`,
    );
    // The call itself is still there beside it.
    expect(screen.getByRole('button', { name: 'Join the call' })).toBeInTheDocument();

    const toggle = within(panel).getByRole('button', { name: 'Hide the chart' });
    expect(toggle).toHaveAttribute('aria-expanded', 'true');
    await user.click(toggle);
    expect(within(panel).getByRole('button', { name: 'Show the chart' })).toHaveAttribute(
      'aria-expanded',
      'false',
    );
  });

  it('is not shown to the patient, nor is the chart asked for', async () => {
    signIn('patient');
    const { requests } = stubFetch({
      [`GET /api/bookings/${ID}`]: { status: 200, body: booking() },
      'GET /api/patients/me/profile': { status: 200, body: { state: 'CO' } },
    });
    renderPage(<CallPage />, { path: `/visits/${ID}/call`, route: '/visits/:bookingId/call' });
    await waitFor(() => expect(screen.getByLabelText('State you are in now')).toHaveValue('CO'));
    expect(screen.queryByRole('complementary', { name: 'Chart' })).not.toBeInTheDocument();
    expect(screen.queryByText('Screening flags')).not.toBeInTheDocument();
    expect(
      requests.some((r) => new URL(r.url).pathname.startsWith(`/api/patients/${PATIENT}`)),
    ).toBe(false);
  });
});
