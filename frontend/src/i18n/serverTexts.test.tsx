import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { NoteRead, TemplateCode } from '../api/generated';
import { ChartPanel } from '../features/call/ChartPanel';
import { NOTE_ID, note } from '../features/notes/fixtures';
import { NoteEditor } from '../features/notes/NoteEditor';
import { NoteForVisitPage } from '../features/notes/NoteForVisitPage';
import { booking, PROBLEM } from '../features/patient/fixtures';
import { INDICATIONS } from '../features/treatment/NewPlanForm';
import { TreatmentPlans } from '../features/treatment/TreatmentPlans';
import { PHQ9_OUTCOME, signedNote, unreviewedFlag } from '../features/workspace/fixtures';
import { renderPage, stubFetch } from '../test/render';
import { en } from './en';
import { es } from './es';
import { translate } from './index';
import { bandLabel, flagText, indicationName, templateTitle } from './serverTexts';

afterEach(() => vi.unstubAllGlobals());

const PATIENT = '5f0c1a8e-0000-4000-8000-000000000001';

/** What the API sends (in English) for a chart: each text the page could show word for word. */
const FLAG_MESSAGE = 'History of seizures.';
const BAND_EN = 'Moderately severe';
const TEMPLATE_TITLE = 'Follow-up visit';

const flag = {
  ...unreviewedFlag(PATIENT),
  message: FLAG_MESSAGE,
  evidence: { 'medical_history.seizures': true },
  rule_id: 'seizures',
  rule_set_version: '2026.11.1',
};

const point = (at: string, score: number, band: string, label: { en: string; es: string }) => ({
  at,
  score,
  band,
  band_label: label,
  baseline: false,
  response: false,
  remission: false,
});

const CHART = {
  [`GET /api/patients/${PATIENT}/screening/flags`]: { status: 200, body: [flag] },
  [`GET /api/patients/${PATIENT}/trends`]: {
    status: 200,
    body: {
      patient_id: PATIENT,
      infusions: [],
      phq9: { ...PHQ9_OUTCOME, latest_score: 17, change_percent: 15 },
      scales: [
        {
          scale: 'phq9',
          points: [
            point('2031-01-01T00:00:00Z', 20, 'severe', { en: 'Severe', es: 'Grave' }),
            point('2031-03-01T00:00:00Z', 17, 'moderately_severe', {
              en: BAND_EN,
              es: 'Moderadamente grave',
            }),
          ],
        },
      ],
    },
  },
  [`GET /api/patients/${PATIENT}/notes`]: {
    status: 200,
    body: {
      items: [signedNote(PATIENT, { title: TEMPLATE_TITLE })],
      total: 1,
      page: 1,
      limit: 1,
    },
  },
};

describe('server texts on Spanish staff pages', () => {
  it('the chart beside the call shows flags, score bands and the last note in Spanish', async () => {
    stubFetch(CHART);
    renderPage(<ChartPanel patientId={PATIENT} />, { language: 'es' });
    const panel = await screen.findByRole('complementary', { name: es['callChart.title'] });
    expect(await within(panel).findByText(/Antecedentes de convulsiones\./)).toBeInTheDocument();
    const scores = await within(panel).findByRole('table');
    expect(scores).toHaveTextContent('17 de 27 · Moderadamente grave');
    expect(await within(panel).findByText('Consulta de seguimiento')).toBeInTheDocument();
    const text = document.body.textContent ?? '';
    for (const english of [FLAG_MESSAGE, BAND_EN, 'moderately', TEMPLATE_TITLE]) {
      expect(text, english).not.toContain(english);
    }
  });

  it('the same chart in English keeps the words the API sends', async () => {
    stubFetch(CHART);
    renderPage(<ChartPanel patientId={PATIENT} />, { language: 'en' });
    const panel = await screen.findByRole('complementary', { name: 'Chart' });
    expect(await within(panel).findByText(/History of seizures\./)).toBeInTheDocument();
    expect(await within(panel).findByRole('table')).toHaveTextContent(
      '17 of 27 · Moderately severe',
    );
    expect(await within(panel).findByText(TEMPLATE_TITLE)).toBeInTheDocument();
  });

  it('treatment plans on the chart name their indication in Spanish', async () => {
    stubFetch({
      [`GET /api/patients/${PATIENT}/treatment-plans`]: {
        status: 200,
        body: [
          {
            id: 'plan-1',
            indication: 'treatment_resistant_depression',
            status: 'active',
            induction_done: 2,
            induction_infusions: 6,
            maintenance_done: 0,
          },
        ],
      },
    });
    renderPage(<TreatmentPlans patientId={PATIENT} />, { language: 'es' });
    expect(
      await screen.findByRole('link', { name: 'Depresión resistente al tratamiento' }),
    ).toBeInTheDocument();
    expect(document.body.textContent).not.toContain('treatment_resistant_depression');
  });

  it('the note template picker, the note heading and a refused signature are in Spanish', async () => {
    const visit = booking();
    const templates = (['follow_up', 'initial_evaluation'] as TemplateCode[]).map((code) => ({
      code,
      title: en[`notes.templateTitle.${code}`],
      description: en[`notes.templateDescription.${code}`],
      prompts: {},
      suggested_codes: [],
    }));
    const draft: NoteRead = note({ assessment: 'Improving.', plan: '' });
    const { requests } = stubFetch({
      [`GET /api/bookings/${visit.id}`]: { status: 200, body: visit },
      [`GET /api/patients/${visit.patient_id}/notes`]: {
        status: 200,
        body: { items: [], total: 0, page: 1, limit: 100 },
      },
      [`GET /api/patients/${visit.patient_id}/profile`]: { status: 404, body: {} },
      'GET /api/notes/templates': { status: 200, body: templates },
      [`POST /api/patients/${visit.patient_id}/notes`]: { status: 201, body: draft },
      [`GET /api/notes/${NOTE_ID}`]: { status: 200, body: draft },
      [`POST /api/notes/${NOTE_ID}/sign`]: {
        status: 422,
        contentType: PROBLEM,
        body: {
          type: 'https://halcyon.health/problems/note-incomplete',
          title: 'The note cannot be signed yet',
          status: 422,
          detail: 'Write the plan before signing.',
          errors: [{ field: 'plan', message: 'Write the plan before signing.', code: 'missing' }],
        },
      },
    });
    const user = userEvent.setup({ delay: null });
    renderPage(<NoteForVisitPage />, {
      path: `/visits/${visit.id}/note`,
      route: '/visits/:bookingId/note',
      language: 'es',
    });
    const picker = await screen.findByRole('group', { name: 'Plantilla' });
    expect(within(picker).getByRole('radio', { name: /Consulta de seguimiento/ })).toBeVisible();
    expect(
      within(picker).getByRole('radio', { name: /Evaluación diagnóstica completa/ }),
    ).toBeVisible();
    expect(picker).not.toHaveTextContent(/Follow-up|evaluation|Progress since/);

    await user.click(within(picker).getByRole('radio', { name: /Consulta de seguimiento/ }));
    await user.click(screen.getByRole('button', { name: es['notes.start'] }));
    expect(
      await screen.findByRole('heading', { name: 'Consulta de seguimiento', level: 1 }),
    ).toBeInTheDocument();
    // The draft's prompts and pulled-in scores come in Spanish too.
    const post = requests.find((r) => r.method === 'POST');
    expect(await post?.json()).toMatchObject({ template: 'follow_up', language: 'es' });
    await user.click(screen.getByRole('button', { name: es['notes.sign'] }));
    const dialog = screen.getByRole('dialog');
    await user.click(within(dialog).getByRole('button', { name: es['notes.signConfirm'] }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      'Escriba la sección «Plan» antes de firmar.',
    );
    expect(dialog).not.toHaveTextContent(/before signing|plan:/);
  });

  it('a signed note in English still opens with its template name', async () => {
    stubFetch({ [`GET /api/notes/${NOTE_ID}`]: { status: 200, body: note() } });
    renderPage(<NoteEditor noteId={NOTE_ID} />);
    expect(
      await screen.findByRole('heading', { name: TEMPLATE_TITLE, level: 1 }),
    ).toBeInTheDocument();
  });
});

describe('translated server codes', () => {
  it('every indication a plan can have has a name in each language', () => {
    for (const code of INDICATIONS) {
      expect(Object.hasOwn(en, `treatment.indication.${code}`), code).toBe(true);
      expect(Object.hasOwn(es, `treatment.indication.${code}`), code).toBe(true);
      expect(
        indicationName(code, (key) => translate('es', key)),
        code,
      ).not.toContain('_');
    }
  });

  it('a rule or template this build does not know shows the API words, not a bare code', () => {
    const t = (key: Parameters<typeof translate>[1]) => translate('es', key);
    expect(flagText({ rule_id: 'new_rule_2030', message: 'Some new concern.' }, t)).toBe(
      'Some new concern.',
    );
    expect(templateTitle('group_session', 'Group session', t)).toBe('Group session');
    expect(bandLabel({ band: 'very_high', band_label: null }, 'es')).toBe('very high');
    expect(bandLabel({ band: null }, 'es')).toBeNull();
  });
});
