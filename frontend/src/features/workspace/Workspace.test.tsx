import { QueryClientProvider } from '@tanstack/react-query';
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SafetyTaskRead, WaitingRoomEntry } from '../../api/generated';
import { createQueryClient } from '../../api/queries';
import { homePath } from '../../components/RequireAuth';
import { I18nProvider } from '../../i18n';
import { renderPage, stubFetch } from '../../test/render';
import { PROBLEM } from '../patient/fixtures';
import { ChartSummaryPage } from './ChartSummaryPage';
import {
  ANA,
  PHQ9_OUTCOME,
  patientProfile,
  signedNote,
  trendPoint,
  unreviewedFlag,
} from './fixtures';
import { SafetyInboxPage } from './SafetyInboxPage';
import { Schedule } from './Schedule';
import { type CallNavigationState, WaitingRoom } from './WaitingRoom';

afterEach(() => vi.unstubAllGlobals());

const DAY = '2031-03-04';
const BEN = '5f0c1a8e-0000-4000-8000-0000000000a2';
const VISIT_ANA = '9b1c1a8e-0000-4000-8000-0000000000c1';
const VISIT_BEN = '9b1c1a8e-0000-4000-8000-0000000000c2';

function entry(overrides: Partial<WaitingRoomEntry>): WaitingRoomEntry {
  return {
    booking_id: VISIT_BEN,
    patient_id: BEN,
    patient_name: 'Ben Ortiz',
    starts_at: '2031-03-04T16:00:00Z',
    ends_at: '2031-03-04T16:30:00Z',
    status: 'scheduled',
    waiting_since: null,
    join_open: false,
    patient_location: null,
    ...overrides,
  };
}

const WAITING_UNLICENSED = entry({
  booking_id: VISIT_ANA,
  patient_id: ANA,
  patient_name: 'Ana Ruiz',
  starts_at: '2031-03-04T15:00:00Z',
  ends_at: '2031-03-04T15:30:00Z',
  status: 'waiting',
  waiting_since: '2031-03-04T14:56:00Z',
  join_open: true,
  patient_location: {
    state: 'WA',
    confirmed_at: '2031-03-04T14:55:00Z',
    psychiatrist_licensed: false,
    warning:
      'The patient says they are in WA, where Dr. Lee holds no licence valid on 2031-03-04. Do not treat until the patient is in a state where you are licensed.',
  },
});

/** The call page's stand-in: shows what the waiting room handed over. */
function CallProbe() {
  const state = useLocation().state as CallNavigationState | null;
  return (
    <p>
      call page · admit={String(state?.admit)} · token={state?.joinToken.token}
    </p>
  );
}

function renderRoom() {
  return render(
    <I18nProvider initialLanguage="en">
      <QueryClientProvider client={createQueryClient()}>
        <MemoryRouter initialEntries={['/today']}>
          <Routes>
            <Route path="/today" element={<WaitingRoom day={DAY} />} />
            <Route path="/visits/:bookingId/call" element={<CallProbe />} />
          </Routes>
        </MemoryRouter>
      </QueryClientProvider>
    </I18nProvider>,
  );
}

describe('WaitingRoom', () => {
  it('lists who waits first, with their confirmed location and the licensure warning', async () => {
    const { requests } = stubFetch({
      'GET /api/consults/waiting-room': {
        status: 200,
        body: [entry({}), WAITING_UNLICENSED],
      },
    });
    renderRoom();
    const entries = await screen.findAllByRole('article');
    expect(entries[0]).toHaveAccessibleName(/Ana Ruiz/);
    expect(entries[0]).toHaveTextContent('Waiting');
    expect(entries[0]).toHaveTextContent('Confirmed location: WA');
    const warning = within(entries[0] as HTMLElement).getByRole('alert');
    expect(warning).toHaveTextContent('Licensure warning');
    expect(warning).toHaveTextContent('holds no licence valid on 2031-03-04');
    // The Admit button points screen readers at the warning.
    expect(
      within(entries[0] as HTMLElement).getByRole('button', { name: 'Admit Ana Ruiz' }),
    ).toHaveAccessibleDescription(/Licensure warning/);
    // Not arrived yet: no location, no warning, nothing to admit.
    expect(entries[1]).toHaveTextContent('Location not confirmed yet.');
    expect(within(entries[1] as HTMLElement).queryByRole('alert')).not.toBeInTheDocument();
    expect(within(entries[1] as HTMLElement).queryByRole('button')).not.toBeInTheDocument();
    expect(new URL(requests[0]?.url ?? '').searchParams.get('day')).toBe(DAY);
  });

  it('a licensed location shows no warning', async () => {
    stubFetch({
      'GET /api/consults/waiting-room': {
        status: 200,
        body: [
          {
            ...WAITING_UNLICENSED,
            patient_location: {
              state: 'ID',
              confirmed_at: '2031-03-04T14:55:00Z',
              psychiatrist_licensed: true,
              warning: null,
            },
          },
        ],
      },
    });
    renderRoom();
    expect(await screen.findByText(/Confirmed location: ID/)).toBeInTheDocument();
    expect(screen.queryByText('Licensure warning')).not.toBeInTheDocument();
  });

  it('Admit asks the API for a join token and opens the call to admit the patient', async () => {
    const token = {
      consult_id: VISIT_ANA,
      role: 'psychiatrist',
      token: 'jt_abc',
      not_before: '2031-03-04T14:50:00Z',
      expires_at: '2031-03-04T15:40:00Z',
      signaling_url: 'ws://127.0.0.1:8001/ws/consults/x',
    };
    const { requests } = stubFetch({
      'GET /api/consults/waiting-room': { status: 200, body: [WAITING_UNLICENSED] },
      [`POST /api/consults/${VISIT_ANA}/psychiatrist-join-token`]: { status: 200, body: token },
    });
    const user = userEvent.setup({ delay: null });
    renderRoom();
    await user.click(await screen.findByRole('button', { name: 'Admit Ana Ruiz' }));
    expect(await screen.findByText('call page · admit=true · token=jt_abc')).toBeInTheDocument();
    expect(requests.filter((r) => r.method === 'POST').map((r) => new URL(r.url).pathname)).toEqual(
      [`/api/consults/${VISIT_ANA}/psychiatrist-join-token`],
    );
  });

  it('a refused admit says why and stays in the waiting room', async () => {
    stubFetch({
      'GET /api/consults/waiting-room': { status: 200, body: [WAITING_UNLICENSED] },
      [`POST /api/consults/${VISIT_ANA}/psychiatrist-join-token`]: {
        status: 409,
        contentType: PROBLEM,
        body: {
          type: 'https://halcyon.health/problems/join-window-closed',
          title: 'The join window is closed',
          status: 409,
          detail: 'This visit can be joined from 10 minutes before its start.',
        },
      },
    });
    const user = userEvent.setup({ delay: null });
    renderRoom();
    await user.click(await screen.findByRole('button', { name: 'Admit Ana Ruiz' }));
    expect(
      await screen.findByText('This visit can be joined from 10 minutes before its start.'),
    ).toBeInTheDocument();
  });

  it('says so when nobody is booked, and shows errors with a retry', async () => {
    stubFetch({ 'GET /api/consults/waiting-room': { status: 200, body: [] } });
    renderRoom();
    expect(await screen.findByText('No video visits on this day.')).toBeInTheDocument();
  });
});

function task(overrides: Partial<SafetyTaskRead>): SafetyTaskRead {
  return {
    id: '7a000000-0000-4000-8000-000000000001',
    kind: 'intake_suicidal_ideation',
    status: 'open',
    priority: 1,
    patient_id: BEN,
    patient_name: 'Ben Ortiz',
    patient_phone: '+12085550100',
    assigned_to_me: true,
    created_at: '2031-03-04T09:00:00Z',
    due_at: '2031-03-04T10:00:00Z',
    overdue: false,
    detail: {},
    source_id: '7b000000-0000-4000-8000-000000000001',
    source_type: 'intake',
    acknowledged_at: null,
    acknowledged_by: null,
    acknowledgement_note: null,
    ...overrides,
  };
}

const ITEM9 = task({
  id: '7a000000-0000-4000-8000-000000000002',
  kind: 'phq9_item9',
  priority: 0,
  patient_id: ANA,
  patient_name: 'Ana Ruiz',
  // Newer than the intake task, yet it must come first.
  created_at: '2031-03-04T11:00:00Z',
  detail: { scale: 'phq9', total: 19, band: 'moderately_severe', items: { '9': 2 } },
});

describe('SafetyInboxPage', () => {
  it('lists PHQ-9 item-9 alerts first, whatever order the page arrives in', async () => {
    stubFetch({
      'GET /api/safety/tasks': {
        status: 200,
        body: { items: [task({}), ITEM9], total: 2, page: 1, limit: 20 },
      },
    });
    renderPage(<SafetyInboxPage />);
    const list = await screen.findByRole('list', { name: 'Safety tasks, most urgent first' });
    const cards = within(list).getAllByRole('article');
    expect(cards[0]).toHaveAccessibleName(/Ana Ruiz: PHQ-9 item 9, thoughts of self-harm/);
    expect(cards[0]).toHaveTextContent('Item 9 answered 2 of 3 · total 19');
    expect(
      within(cards[0] as HTMLElement).getByRole('link', { name: 'Call +12085550100' }),
    ).toHaveAttribute('href', 'tel:+12085550100');
    expect(cards[1]).toHaveAccessibleName(/Ben Ortiz: suicidal thoughts reported at intake/);
  });

  it('acknowledging sends the note and reloads the inbox', async () => {
    const { requests } = stubFetch({
      'GET /api/safety/tasks': [
        { status: 200, body: { items: [ITEM9], total: 1, page: 1, limit: 20 } },
        { status: 200, body: { items: [], total: 0, page: 1, limit: 20 } },
      ],
      [`POST /api/safety/tasks/${ITEM9.id}/acknowledge`]: {
        status: 200,
        body: { ...ITEM9, status: 'acknowledged' },
      },
    });
    const user = userEvent.setup({ delay: null });
    renderPage(<SafetyInboxPage />);
    await user.type(await screen.findByLabelText('What was done'), 'Called Ana; safe, plan made.');
    await user.click(screen.getByRole('button', { name: 'Acknowledge' }));
    expect(await screen.findByText('No open safety tasks.')).toBeInTheDocument();
    const post = requests.find((r) => r.method === 'POST');
    expect(await post?.json()).toEqual({ note: 'Called Ana; safe, plan made.' });
  });
});

describe('Schedule', () => {
  it('shows the day in time order with names, and filters by status', async () => {
    const booked = (id: string, patient: string, start: string, status: string) => ({
      id,
      patient_id: patient,
      psychiatrist_id: 'p',
      psychiatrist_name: 'Dr. Lee',
      status,
      starts_at: start,
      ends_at: start.replace(':00:00', ':30:00'),
      time_zone: 'UTC',
      hold_expires_at: null,
      price_cents: 0,
      currency: 'usd',
      created_at: '2031-03-01T00:00:00Z',
      cancelled_at: null,
      no_show_at: null,
      join_url: null,
      cancellation: null,
      cancellation_policy: null,
      visit_type: {
        id: 'vt',
        code: 'followup',
        name: 'Follow-up visit',
        name_es: null,
        description: null,
        duration_minutes: 30,
        price_cents: 0,
        currency: 'usd',
        active: true,
        eligibility: 'any',
        is_infusion: false,
        requires_consents: false,
        requires_intake: false,
      },
    });
    const { requests } = stubFetch({
      'GET /api/bookings': [
        {
          status: 200,
          body: {
            items: [
              booked(VISIT_BEN, BEN, '2031-03-04T16:00:00Z', 'confirmed'),
              booked(VISIT_ANA, ANA, '2031-03-04T15:00:00Z', 'cancelled'),
            ],
            total: 2,
            page: 1,
            limit: 100,
          },
        },
        { status: 200, body: { items: [], total: 0, page: 1, limit: 100 } },
      ],
      'GET /api/patients': {
        status: 200,
        body: {
          items: [
            {
              patient_id: ANA,
              name: 'Ana Ruiz',
              date_of_birth: '1990-01-01',
              state: 'ID',
              language: 'es',
              on_care_team_since: '2031-01-01T00:00:00Z',
            },
          ],
          total: 1,
          page: 1,
          limit: 100,
        },
      },
    });
    const user = userEvent.setup({ delay: null });
    renderPage(<Schedule day={DAY} />);
    const items = await screen.findAllByRole('listitem');
    expect(items[0]).toHaveTextContent('Ana Ruiz');
    expect(items[0]).toHaveTextContent('Cancelled');
    expect(items[1]).toHaveTextContent('Patient');
    await user.selectOptions(screen.getByLabelText('Show'), 'Confirmed');
    expect(await screen.findByText('No visits with this status on this day.')).toBeInTheDocument();
    const last = requests.filter((r) => new URL(r.url).pathname === '/api/bookings').at(-1);
    expect(new URL(last?.url ?? '').searchParams.get('status')).toBe('confirmed');
  });
});

describe('ChartSummaryPage', () => {
  it('shows flags, latest scores with their trend, and the last note', async () => {
    stubFetch({
      [`GET /api/patients/${ANA}/profile`]: {
        status: 200,
        body: patientProfile({ current_state: 'WA', phone: '+12085550100' }),
      },
      [`GET /api/patients/${ANA}/safety/tasks`]: { status: 200, body: [ITEM9] },
      [`GET /api/patients/${ANA}/treatment-plans`]: { status: 200, body: [] },
      [`GET /api/patients/${ANA}/screening/flags`]: { status: 200, body: [unreviewedFlag(ANA)] },
      [`GET /api/patients/${ANA}/trends`]: {
        status: 200,
        body: {
          patient_id: ANA,
          infusions: [],
          phq9: PHQ9_OUTCOME,
          scales: [
            {
              scale: 'phq9',
              points: [
                trendPoint('2031-01-01T00:00:00Z', 20, 'severe', true),
                trendPoint('2031-03-01T00:00:00Z', 12, 'moderate'),
              ],
            },
            { scale: 'gad7', points: [] },
          ],
        },
      },
      [`GET /api/patients/${ANA}/notes`]: {
        status: 200,
        body: {
          items: [signedNote(ANA, { addenda: 1 })],
          total: 3,
          page: 1,
          limit: 1,
        },
      },
    });
    renderPage(<ChartSummaryPage />, {
      path: `/my-patients/${ANA}`,
      route: '/my-patients/:patientId',
    });
    expect(await screen.findByRole('heading', { name: 'Ana Ruiz', level: 1 })).toBeInTheDocument();
    expect(await screen.findByText(/Past suicide attempt reported/)).toBeInTheDocument();
    const scores = await screen.findByRole('table', { name: 'Latest scores' });
    expect(scores).toHaveTextContent('PHQ-9 (depression)12 of 27 · moderatedown 8 (from 20)');
    expect(scores).not.toHaveTextContent('GAD-7');
    expect(await screen.findByText(/Signed by Dr. Lee/)).toBeInTheDocument();
    expect(screen.getByText('Earlier notes: 2')).toBeInTheDocument();
    expect(
      await screen.findByRole('heading', { name: /Ana Ruiz: PHQ-9 item 9/, level: 3 }),
    ).toBeInTheDocument();
  });
});

describe('homePath', () => {
  it('sends psychiatrists to their day, patients to their portal and admins to the console', () => {
    expect(homePath('psychiatrist')).toBe('/today');
    expect(homePath('patient')).toBe('/portal');
    expect(homePath('admin')).toBe('/admin');
    expect(homePath('staff')).toBe('/account');
  });
});
