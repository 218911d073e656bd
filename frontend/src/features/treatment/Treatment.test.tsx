import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { InfusionSessionRead, SessionPrefill, VitalsRead } from '../../api/generated';
import { renderPage, stubFetch } from '../../test/render';
import { PROBLEM } from '../patient/fixtures';
import { PATIENT, PLAN, planRead } from './fixtures';
import { PlanPage } from './PlanPage';
import { SessionPage } from './SessionPage';

afterEach(() => vi.unstubAllGlobals());

const SESSION = '7a0c1a8e-0000-4000-8000-0000000000e1';

const plan = planRead({
  maintenance_interval_weeks: null,
  status: 'active',
  activated_at: '2031-02-01T00:00:00Z',
  induction_done: 2,
  allowed_transitions: ['paused', 'completed'],
});

const prefill: SessionPrefill = {
  plan_id: PLAN,
  next_sequence: 3,
  next_phase: 'induction',
  weight_kg: 70,
  dose_mg_per_kg: 0.5,
  dose_mg: 35,
  lot_number: 'LOT-7',
  infusion_minutes: 40,
  last_session_id: null,
  last_session_at: null,
  last_pre_vitals: null,
  last_side_effects: [],
  last_interventions: [],
  hold_systolic_above: 140,
  hold_diastolic_above: 90,
};

const vitals = (
  timepoint: VitalsRead['timepoint'],
  systolic: number,
  diastolic: number,
): VitalsRead => ({
  timepoint,
  systolic,
  diastolic,
  heart_rate: 80,
  spo2: 98,
  recorded_at: '2031-03-04T15:00:00Z',
  recorded_by: 'psy-1',
});

function session(overrides: Partial<InfusionSessionRead> = {}): InfusionSessionRead {
  return {
    id: SESSION,
    plan_id: PLAN,
    patient_id: PATIENT,
    sequence: 3,
    phase: 'induction',
    status: 'in_progress',
    booking_id: null,
    weight_kg: 70,
    dose_mg_per_kg: 0.5,
    dose_mg: 35,
    lot_number: 'LOT-7',
    started_at: '2031-03-04T15:00:00Z',
    ended_at: null,
    hold_reason: null,
    bp_override_reason: null,
    cadss6_items: null,
    cadss6_score: null,
    side_effects: [],
    interventions: [],
    serious_event: false,
    discharge_alert: null,
    discharge_vitals_near_baseline: null,
    discharge_escort_present: null,
    discharged_at: null,
    clinician_notes: '',
    vitals: [vitals('pre', 130, 85)],
    missing_timepoints: ['min_15', 'min_30', 'min_45', 'end', 'discharge'],
    created_by: 'psy-1',
    created_at: '2031-03-04T15:00:00Z',
    updated_at: '2031-03-04T15:00:00Z',
    ...overrides,
  } as InfusionSessionRead;
}

const HOLD_MESSAGE =
  'Pre-infusion BP 160/95 is above the hold threshold 140/90: hold the infusion or record an override reason.';

describe('PlanPage', () => {
  it("shows the server's hold prompt when the BP is too high, then holds the infusion", async () => {
    const { requests } = stubFetch({
      [`GET /api/treatment-plans/${PLAN}`]: { status: 200, body: plan },
      [`GET /api/treatment-plans/${PLAN}/sessions`]: { status: 200, body: [] },
      [`GET /api/treatment-plans/${PLAN}/sessions/prefill`]: { status: 200, body: prefill },
      [`POST /api/treatment-plans/${PLAN}/sessions`]: [
        {
          status: 422,
          contentType: PROBLEM,
          body: {
            type: 'https://halcyon.health/problems/hold-required',
            title:
              'Blood pressure above the hold threshold: hold the infusion or record an override reason',
            status: 422,
            detail: HOLD_MESSAGE,
            errors: [
              {
                field: 'body.bp_override_reason',
                message: HOLD_MESSAGE,
                code: 'bp_above_hold_threshold',
              },
            ],
          },
        },
        {
          status: 201,
          body: session({ status: 'held', hold_reason: 'BP too high today' }),
        },
      ],
    });
    const user = userEvent.setup({ delay: null });
    renderPage(<PlanPage />, {
      path: `/my-patients/${PATIENT}/plans/${PLAN}`,
      route: '/my-patients/:patientId/plans/:planId',
    });
    expect(
      await screen.findByRole('heading', { name: 'Treatment-resistant depression', level: 1 }),
    ).toBeInTheDocument();
    expect(screen.getByText('2 of 6 infusions given')).toBeInTheDocument();
    expect(
      await screen.findByText('Hold the infusion when blood pressure is above 140/90.'),
    ).toBeInTheDocument();
    expect(screen.getByLabelText('Weight today (kg)')).toHaveValue('70');
    await user.type(screen.getByLabelText('Systolic (mmHg)'), '160');
    await user.type(screen.getByLabelText('Diastolic (mmHg)'), '95');
    await user.type(screen.getByLabelText('Heart rate'), '80');
    await user.type(screen.getByLabelText('SpO₂ (%)'), '98');
    await user.click(screen.getByRole('button', { name: 'Start the infusion' }));

    const prompt = await screen.findByRole('group', {
      name: 'Blood pressure above the hold threshold',
    });
    expect(within(prompt).getByRole('alert')).toHaveTextContent(HOLD_MESSAGE);
    expect(within(prompt).getByRole('radio', { name: "Hold today's infusion" })).toBeChecked();
    await user.type(within(prompt).getByLabelText(/Why it is held/), 'BP too high today');
    await user.click(screen.getByRole('button', { name: 'Hold the infusion' }));

    await waitFor(() => expect(requests.filter((r) => r.method === 'POST')).toHaveLength(2));
    const [first, second] = await Promise.all(
      requests.filter((r) => r.method === 'POST').map((r) => r.json()),
    );
    expect(first).toMatchObject({
      weight_kg: 70,
      lot_number: 'LOT-7',
      pre_vitals: { systolic: 160, diastolic: 95, heart_rate: 80, spo2: 98 },
      hold: false,
      bp_override_reason: '',
    });
    expect(second).toMatchObject({ hold: true, hold_reason: 'BP too high today' });
  });
});

describe('SessionPage', () => {
  it('records vitals at the next timepoint and the CADSS-6, and shows what blocks discharge', async () => {
    const { requests } = stubFetch({
      [`GET /api/infusion-sessions/${SESSION}`]: { status: 200, body: session() },
      [`PUT /api/infusion-sessions/${SESSION}/vitals/min_15`]: {
        status: 200,
        body: session({
          vitals: [vitals('pre', 130, 85), vitals('min_15', 138, 88)],
          missing_timepoints: ['min_30', 'min_45', 'end', 'discharge'],
        }),
      },
      [`PATCH /api/infusion-sessions/${SESSION}`]: {
        status: 200,
        body: session({ cadss6_items: [1, 0, 2, 1, 0, 0], cadss6_score: 4 }),
      },
      [`POST /api/infusion-sessions/${SESSION}/discharge`]: {
        status: 422,
        contentType: PROBLEM,
        body: {
          type: 'https://halcyon.health/problems/discharge-not-ready',
          title: 'Not ready for discharge',
          status: 422,
          detail: 'An escort must be present.',
          errors: [
            { field: 'body.escort_present', message: 'An escort must be present.', code: 'x' },
            { field: 'vitals.discharge', message: 'Record the discharge vitals.', code: 'missing' },
          ],
        },
      },
    });
    const user = userEvent.setup({ delay: null });
    renderPage(<SessionPage />, {
      path: `/infusion-sessions/${SESSION}`,
      route: '/infusion-sessions/:sessionId',
    });
    expect(
      await screen.findByRole('heading', { name: 'Infusion 3', level: 1 }),
    ).toBeInTheDocument();
    expect(screen.getByLabelText('Timepoint')).toHaveValue('min_15');
    await user.type(screen.getByLabelText('Systolic (mmHg)'), '138');
    await user.type(screen.getByLabelText('Diastolic (mmHg)'), '88');
    await user.type(screen.getByLabelText('Heart rate'), '80');
    await user.type(screen.getByLabelText('SpO₂ (%)'), '98');
    await user.click(screen.getByRole('button', { name: 'Record vitals' }));
    const table = screen.getByRole('table', { name: 'Vitals' });
    await waitFor(() => expect(within(table).getAllByRole('row')).toHaveLength(3));
    expect(within(table).getAllByRole('row')[2]).toHaveTextContent('15 min138/888098%');
    expect(screen.getByLabelText('Timepoint')).toHaveValue('min_30');
    const put = requests.find((r) => r.method === 'PUT');
    expect(await put?.json()).toEqual({ systolic: 138, diastolic: 88, heart_rate: 80, spo2: 98 });

    const answers = ['1', '0', '2', '1', '0', '0'];
    for (const [i, item] of [1, 2, 6, 7, 15, 22].entries()) {
      await user.selectOptions(screen.getByLabelText(`CADSS item ${item}`), answers[i] ?? '0');
    }
    await user.click(screen.getByRole('button', { name: 'Save the CADSS-6' }));
    expect(await screen.findByText('Score: 4 of 24')).toBeInTheDocument();
    const patch = requests.find((r) => r.method === 'PATCH');
    expect(await patch?.json()).toEqual({ cadss6_items: [1, 0, 2, 1, 0, 0] });

    // Discharge: what the API says is missing lands on its checkbox, the rest above the form.
    await user.click(screen.getByLabelText('Alert and oriented'));
    await user.click(screen.getByRole('button', { name: 'Discharge the patient' }));
    const escort = screen.getByLabelText('An escort is present (no driving today)');
    await waitFor(() => expect(escort).toHaveAttribute('aria-invalid', 'true'));
    expect(escort).toHaveAccessibleDescription('An escort must be present.');
    expect(screen.getByText(/Record the discharge vitals\./)).toBeInTheDocument();
    const post = requests.find((r) => r.url.endsWith('/discharge'));
    expect(await post?.json()).toEqual({
      alert: true,
      vitals_near_baseline: false,
      escort_present: false,
    });
  });
});
