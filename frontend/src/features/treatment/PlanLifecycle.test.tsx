import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Route, Routes } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TreatmentReadiness } from '../../api/generated';
import { renderPage, stubFetch } from '../../test/render';
import { PROBLEM } from '../patient/fixtures';
import { PATIENT, PLAN, planRead } from './fixtures';
import { PlanPage } from './PlanPage';
import { TreatmentPlans } from './TreatmentPlans';

afterEach(() => vi.unstubAllGlobals());

const OTHER_PLAN = '6a0c1a8e-0000-4000-8000-0000000000b2';
const FLAG = '8a0c1a8e-0000-4000-8000-0000000000f1';

const SEIZURES = {
  kind: 'unreviewed_flag',
  code: 'seizures',
  flag_id: FLAG,
  severity: 'high',
  message: "Contraindication flag 'seizures' has not been reviewed by a psychiatrist.",
} as const;
const KETAMINE_CONSENT = {
  kind: 'unsigned_consent',
  code: 'ketamine_treatment',
  flag_id: null,
  severity: null,
  message: "Consent 'ketamine_treatment' is not signed (or a newer version awaits a signature).",
} as const;

function readiness(overrides: Partial<TreatmentReadiness> = {}): TreatmentReadiness {
  return {
    patient_id: PATIENT,
    ready: false,
    blockers: [SEIZURES, KETAMINE_CONSENT],
    active_plan_id: null,
    dose_min_mg_per_kg: 0.1,
    dose_max_mg_per_kg: 1,
    dose_max_mg: 150,
    ...overrides,
  };
}

const DOSE_MESSAGE =
  "Use a dose between 0.1 and 1.0 mg/kg (the practice's limits); 1.5 mg/kg was given.";

/** The chart's plan list, and the plan page a new plan opens on. */
function renderChartPlans(language: 'en' | 'es' = 'en') {
  return renderPage(
    <Routes>
      <Route path="/my-patients/:patientId" element={<TreatmentPlans patientId={PATIENT} />} />
      <Route path="/my-patients/:patientId/plans/:planId" element={<p>The plan page</p>} />
    </Routes>,
    { path: `/my-patients/${PATIENT}`, language },
  );
}

function renderPlanPage(language: 'en' | 'es' = 'en') {
  return renderPage(<PlanPage />, {
    path: `/my-patients/${PATIENT}/plans/${PLAN}`,
    route: '/my-patients/:patientId/plans/:planId',
    language,
  });
}

describe('a new treatment plan from the chart', () => {
  it('says what will gate activation, puts a refused dose on its field, then proposes the plan', async () => {
    const { requests } = stubFetch({
      [`GET /api/patients/${PATIENT}/treatment-plans`]: { status: 200, body: [] },
      [`GET /api/patients/${PATIENT}/treatment-readiness`]: { status: 200, body: readiness() },
      [`POST /api/patients/${PATIENT}/treatment-plans`]: [
        {
          status: 422,
          contentType: PROBLEM,
          body: {
            type: 'https://halcyon.health/problems/dose-out-of-range',
            title: "Dose outside the practice's limits",
            status: 422,
            detail: DOSE_MESSAGE,
            errors: [
              { field: 'body.dose_mg_per_kg', message: DOSE_MESSAGE, code: 'dose_out_of_range' },
            ],
          },
        },
        { status: 201, body: planRead() },
      ],
    });
    const user = userEvent.setup({ delay: null });
    renderChartPlans();
    expect(await screen.findByText('No treatment plans.')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'New treatment plan' }));

    // The first field takes the focus; the gate is spelled out before anything is typed.
    const indication = screen.getByLabelText('Indication');
    expect(indication).toHaveFocus();
    const gate = await screen.findByRole('region', { name: 'Before a plan can become active' });
    expect(
      within(gate).getByText('Contraindication flag not reviewed: History of seizures.'),
    ).toBeInTheDocument();
    expect(
      within(gate).getByText('Consent not signed: Consent to ketamine treatment'),
    ).toBeInTheDocument();
    expect(within(gate).getByText(/Ask the patient to sign it in their portal/)).toBeVisible();
    expect(
      screen.getByText(
        'Usually 0.5 mg/kg. The practice allows 0.1 to 1 mg/kg, and at most 150 mg in one infusion.',
      ),
    ).toBeInTheDocument();

    await user.selectOptions(indication, 'Treatment-resistant depression');
    const dose = screen.getByLabelText('Target dose (mg/kg of body weight)');
    await user.clear(dose);
    await user.type(dose, '1.5');
    await user.type(screen.getByLabelText('A maintenance infusion every (weeks, optional)'), '4');
    await user.click(screen.getByRole('button', { name: 'Propose the plan' }));

    // Refused: the reason sits on the dose field, which takes the focus; nothing else is marked.
    await waitFor(() => expect(dose).toHaveAttribute('aria-invalid', 'true'));
    expect(dose).toHaveAccessibleDescription(expect.stringContaining(DOSE_MESSAGE));
    expect(dose).toHaveFocus();
    expect(screen.getByLabelText('Induction infusions (number)')).not.toHaveAttribute(
      'aria-invalid',
    );

    await user.clear(dose);
    await user.type(dose, '0.5');
    await user.click(screen.getByRole('button', { name: 'Propose the plan' }));
    expect(await screen.findByText('The plan page')).toBeInTheDocument();

    const posts = requests.filter((r) => r.method === 'POST');
    expect(posts).toHaveLength(2);
    const [first, second] = await Promise.all(posts.map((r) => r.json()));
    expect(first).toMatchObject({ dose_mg_per_kg: 1.5 });
    expect(second).toEqual({
      indication: 'treatment_resistant_depression',
      indication_detail: '',
      induction_infusions: 6,
      infusions_per_week: 2,
      dose_mg_per_kg: 0.5,
      infusion_minutes: 40,
      schedule_notes: '',
      maintenance_interval_weeks: 4,
      maintenance_notes: '',
    });
  });

  it('in Spanish, shows the refused fields in Spanish (not the API English) and a decimal comma', async () => {
    const { requests } = stubFetch({
      [`GET /api/patients/${PATIENT}/treatment-plans`]: { status: 200, body: [] },
      [`GET /api/patients/${PATIENT}/treatment-readiness`]: {
        status: 200,
        body: readiness({ blockers: [], ready: true }),
      },
      [`POST /api/patients/${PATIENT}/treatment-plans`]: {
        status: 422,
        contentType: PROBLEM,
        body: {
          type: 'https://halcyon.health/problems/validation',
          title: 'Invalid input',
          status: 422,
          detail:
            'body.indication: Input should be ...; body.induction_infusions: Input should be ...',
          errors: [
            {
              field: 'body.indication',
              message: "Input should be 'depression', 'treatment_resistant_depression' or 'other'",
              code: 'literal_error',
            },
            {
              field: 'body.induction_infusions',
              message: 'Input should be less than or equal to 12',
              code: 'less_than_equal',
            },
          ],
        },
      },
    });
    const user = userEvent.setup({ delay: null });
    renderChartPlans('es');
    await user.click(await screen.findByRole('button', { name: 'Nuevo plan de tratamiento' }));
    expect(
      await screen.findByText('Nada lo impide: un plan de este paciente puede activarse.'),
    ).toBeInTheDocument();
    const dose = screen.getByLabelText('Dosis objetivo (mg/kg de peso corporal)');
    expect(dose).toHaveValue('0,5');
    const induction = screen.getByLabelText('Infusiones de inducción (número)');
    await user.clear(induction);
    await user.type(induction, '20');
    await user.click(screen.getByRole('button', { name: 'Proponer el plan' }));

    const indication = screen.getByLabelText('Indicación');
    await waitFor(() => expect(indication).toHaveAttribute('aria-invalid', 'true'));
    expect(indication).toHaveAccessibleDescription('Elija una de las opciones.');
    expect(induction).toHaveAccessibleDescription(
      expect.stringContaining('Use un número de 1 a 12.'),
    );
    expect(screen.getByRole('alert')).toHaveTextContent('Revise');
    expect(document.body.textContent).not.toMatch(/Input should be/);
    const post = requests.find((r) => r.method === 'POST');
    expect(await post?.json()).toMatchObject({ dose_mg_per_kg: 0.5, induction_infusions: 20 });
  });
});

describe('changing a plan’s status', () => {
  it('shows why activation is refused, reviews the flag in place, activates, and asks before completing', async () => {
    const { requests } = stubFetch({
      [`GET /api/treatment-plans/${PLAN}`]: { status: 200, body: planRead() },
      [`GET /api/treatment-plans/${PLAN}/sessions`]: { status: 200, body: [] },
      [`GET /api/treatment-plans/${PLAN}/sessions/prefill`]: { status: 404, body: {} },
      [`GET /api/patients/${PATIENT}/treatment-readiness`]: [
        { status: 200, body: readiness({ blockers: [KETAMINE_CONSENT] }) },
        // After the refusal: the API names a flag raised since the page loaded.
        { status: 200, body: readiness() },
        // After the review and the patient's signature.
        { status: 200, body: readiness({ blockers: [], ready: true }) },
      ],
      [`POST /api/patients/${PATIENT}/screening/flags/${FLAG}/review`]: {
        status: 200,
        body: { id: FLAG, status: 'overridden' },
      },
      [`POST /api/treatment-plans/${PLAN}/status`]: [
        {
          status: 409,
          contentType: PROBLEM,
          body: {
            type: 'https://halcyon.health/problems/plan-blocked',
            title: 'Unreviewed screening flags or unsigned consents stand in the way',
            status: 409,
            detail: `The plan cannot become active: ${SEIZURES.message} ${KETAMINE_CONSENT.message}`,
            errors: [
              { field: 'screening_flags', message: SEIZURES.message, code: 'unreviewed_flag' },
              { field: 'consents', message: KETAMINE_CONSENT.message, code: 'unsigned_consent' },
            ],
          },
        },
        {
          status: 200,
          body: planRead({
            status: 'active',
            activated_at: '2031-02-02T00:00:00Z',
            allowed_transitions: ['paused', 'completed'],
            history: [
              {
                from_status: 'proposed',
                to_status: 'active',
                changed_by: 'psy-1',
                changed_at: '2031-02-02T00:00:00Z',
                reason: 'Consents signed',
              },
            ],
          }),
        },
        {
          status: 200,
          body: planRead({ status: 'completed', allowed_transitions: [] }),
        },
      ],
    });
    const user = userEvent.setup({ delay: null });
    renderPlanPage();
    expect(
      await screen.findByRole('heading', { name: 'Treatment-resistant depression', level: 1 }),
    ).toBeInTheDocument();
    expect(screen.getByText('every 4 weeks')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Pause the plan' })).not.toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Activate the plan' }));
    expect(await screen.findByText('The plan cannot become active yet')).toBeInTheDocument();
    const gate = screen.getByRole('region', { name: 'Before a plan can become active' });
    const review = await within(gate).findByRole('button', { name: 'Review the flag' });
    expect(review).toHaveAccessibleDescription(
      'High Contraindication flag not reviewed: History of seizures.',
    );

    await user.click(review);
    const override = within(gate).getByRole('radio', { name: /Override/ });
    await user.click(override);
    await user.type(
      within(gate).getByLabelText('Reason (kept in the record)'),
      'One febrile seizure in childhood; neurology cleared.',
    );
    await user.click(within(gate).getByRole('button', { name: 'Record the review' }));
    expect(await screen.findByText('Flag reviewed.')).toBeInTheDocument();
    expect(
      await within(gate).findByText(
        'Nothing stands in the way: a plan of this patient can become active.',
      ),
    ).toBeInTheDocument();
    const reviewPost = requests.find((r) => r.url.endsWith('/review'));
    expect(await reviewPost?.json()).toEqual({
      decision: 'override',
      reason: 'One febrile seizure in childhood; neurology cleared.',
    });

    await user.type(screen.getByLabelText('Reason for the change (optional)'), 'Consents signed');
    await user.click(screen.getByRole('button', { name: 'Activate the plan' }));
    expect(await screen.findByText('Status changed: Active.')).toBeInTheDocument();
    expect(screen.getByText(/Proposed → Active/)).toBeInTheDocument();

    // Completing is final: it asks first, and backing out sends nothing.
    await user.click(screen.getByRole('button', { name: 'Complete the plan' }));
    let dialog = screen.getByRole('dialog', { name: 'Complete this plan?' });
    expect(dialog).toHaveAccessibleDescription(/cannot be changed, resumed/);
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Complete the plan' }));
    dialog = screen.getByRole('dialog', { name: 'Complete this plan?' });
    await user.click(within(dialog).getByRole('button', { name: 'Yes, complete the plan' }));
    expect(
      await screen.findByText('A completed plan is closed: it can no longer change.'),
    ).toBeInTheDocument();

    const statuses = await Promise.all(
      requests.filter((r) => r.url.endsWith('/status')).map((r) => r.json()),
    );
    expect(statuses).toEqual([
      { status: 'active', reason: '' },
      { status: 'active', reason: 'Consents signed' },
      { status: 'completed', reason: '' },
    ]);
  });

  it('in Spanish, says another plan is active (with a link to it) instead of the API English', async () => {
    stubFetch({
      [`GET /api/treatment-plans/${PLAN}`]: {
        status: 200,
        body: planRead({ status: 'paused', allowed_transitions: ['active', 'completed'] }),
      },
      [`GET /api/treatment-plans/${PLAN}/sessions`]: { status: 200, body: [] },
      [`GET /api/patients/${PATIENT}/treatment-readiness`]: [
        { status: 200, body: readiness({ blockers: [], ready: true }) },
        { status: 200, body: readiness({ blockers: [], active_plan_id: OTHER_PLAN }) },
      ],
      [`POST /api/treatment-plans/${PLAN}/status`]: {
        status: 409,
        contentType: PROBLEM,
        body: {
          type: 'https://halcyon.health/problems/another-plan-active',
          title: 'Another plan of this patient is active',
          status: 409,
          detail: `Plan ${OTHER_PLAN} is active: pause or complete it first.`,
          errors: [],
        },
      },
    });
    const user = userEvent.setup({ delay: null });
    renderPlanPage('es');
    expect(
      await screen.findByRole('heading', { name: 'Depresión resistente al tratamiento', level: 1 }),
    ).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Reanudar el plan' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Otro plan de este paciente está activo: páuselo o complételo primero.',
    );
    expect(await screen.findByRole('link', { name: 'Abrir el plan activo' })).toHaveAttribute(
      'href',
      `/my-patients/${PATIENT}/plans/${OTHER_PLAN}`,
    );
    expect(document.body.textContent).not.toContain('is active: pause or complete it first');
  });
});
