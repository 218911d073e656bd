import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useMemo, useRef, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import {
  type IntakeAnswers,
  type IntakeRead,
  type IntakeSubmitted,
  intakeSaveMyIntakeDraft,
  intakeSubmitMyIntake,
  type MedicalHistory,
  type PsychiatricHistory,
  type SubstanceUse,
  type Vitals,
} from '../../api/generated';
import { ApiError } from '../../api/problem';
import { SelectField, TextField } from '../../components/Field';
import { FormAlert, SuccessAlert } from '../../components/FormAlert';
import { PageHeading } from '../../components/PageHeading';
import { ErrorState, Loading } from '../../components/States';
import { useFormErrors } from '../../components/useFormErrors';
import { usePageTitle } from '../../components/usePageTitle';
import { dictionaries, type MessageKey, type Translate, useI18n } from '../../i18n';
import { CrisisResources } from '../patient/CrisisResources';
import { formatDateTimeIn } from '../patient/format';
import { myIntakeQuery } from '../patient/queries';
import { CheckboxGroup, Rows, TextArea, YesNo } from './fields';

type SectionId = 'reasons' | 'psychiatric' | 'medical' | 'medications' | 'substances' | 'pregnancy';
const SECTIONS: readonly SectionId[] = [
  'reasons',
  'psychiatric',
  'medical',
  'medications',
  'substances',
  'pregnancy',
];
type Step = SectionId | 'review';

/** Which answers each section saves (top-level keys of the intake). */
const SECTION_KEYS: Record<SectionId, readonly (keyof IntakeAnswers)[]> = {
  reasons: ['reasons_for_care', 'reason_other'],
  psychiatric: ['psychiatric_history'],
  medical: ['medical_history', 'vitals'],
  medications: ['medications', 'allergies', 'no_known_allergies'],
  substances: ['substance_use'],
  pregnancy: ['pregnancy'],
};

function sectionOf(path: string): SectionId {
  const top = path.split('.')[0] as keyof IntakeAnswers;
  return SECTIONS.find((s) => SECTION_KEYS[s].includes(top)) ?? 'reasons';
}

function isStep(value: string | null): value is Step {
  return value === 'review' || (SECTIONS as readonly string[]).includes(value ?? '');
}

/** The question a dotted answer path stands for, for "still needed" lists. */
export function questionLabel(path: string, t: Translate): string {
  const key = `intake.q.${path}`;
  return key in dictionaries.en ? t(key as MessageKey) : path;
}

// Every answer path a field on this form shows an error for.
const FIELDS = [
  'reasons_for_care',
  'reason_other',
  'psychiatric_history.diagnoses',
  'psychiatric_history.hospitalisations',
  'psychiatric_history.prior_treatments',
  'psychiatric_history.antidepressant_trials',
  'psychiatric_history.psychosis',
  'psychiatric_history.mania',
  'psychiatric_history.suicidal_thoughts_now',
  'psychiatric_history.suicide_attempt_history',
  'medical_history.hypertension',
  'medical_history.heart_disease',
  'medical_history.aneurysm_or_vascular_disease',
  'medical_history.arteriovenous_malformation',
  'medical_history.brain_haemorrhage',
  'medical_history.seizures',
  'medical_history.severe_lung_disease',
  'medical_history.severe_liver_disease',
  'medical_history.other',
  'vitals',
  'vitals.weight_kg',
  'vitals.bp_systolic',
  'vitals.bp_diastolic',
  'vitals.bp_measured_on',
  'medications',
  'allergies',
  'no_known_allergies',
  'substance_use.alcohol_drinks_per_week',
  'substance_use.stimulant_use_current',
  'substance_use.cannabis',
  'substance_use.ketamine_nonmedical_use',
  'substance_use.substance_use_disorder',
  'substance_use.details',
  'pregnancy',
] as const;
type Field = (typeof FIELDS)[number];

/** Submit names missing answers `intake.<path>`; drafts name them `body.<path>`: one shape. */
function normaliseFields(error: unknown): unknown {
  if (!(error instanceof ApiError)) return error;
  const errors = error.problem.errors.map((e) => ({
    ...e,
    field: e.field.startsWith('intake.') ? e.field.slice('intake.'.length) : e.field,
  }));
  return new ApiError(error.status, { ...error.problem, errors });
}

/** Intake and screening: section by section, saved as you go, resumed later, then submitted. */
export function IntakePage() {
  const { t } = useI18n();
  usePageTitle(t('intake.title'));
  const intake = useQuery(myIntakeQuery);
  if (intake.isPending) return <Loading />;
  if (intake.isError) {
    return (
      <section>
        <PageHeading>{t('intake.title')}</PageHeading>
        <ErrorState error={intake.error} onRetry={() => void intake.refetch()} />
      </section>
    );
  }
  return <IntakeForm initial={intake.data} />;
}

function IntakeForm({ initial }: { initial: IntakeRead }) {
  const { t, language } = useI18n();
  const queryClient = useQueryClient();
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const sectionHeading = useRef<HTMLHeadingElement>(null);
  const [answers, setAnswers] = useState<IntakeAnswers>(initial.answers);
  const [diagnosesText, setDiagnosesText] = useState(
    (initial.answers.psychiatric_history?.diagnoses ?? []).join('\n'),
  );
  const [submitted, setSubmitted] = useState<IntakeSubmitted | null>(null);
  const [savedAt, setSavedAt] = useState<string | null>(initial.updated_at);
  const live = useQuery(myIntakeQuery);
  const current = live.data ?? initial;

  // Resume where answers are still needed; a submitted intake opens on its review.
  const stepParam = params.get('step');
  const step: Step = isStep(stepParam)
    ? stepParam
    : initial.status === 'submitted'
      ? 'review'
      : initial.status === 'draft' && initial.missing[0]
        ? sectionOf(initial.missing[0])
        : initial.status === 'draft'
          ? 'review'
          : 'reasons';
  const goTo = (next: Step) => {
    const nextParams = new URLSearchParams(params);
    nextParams.set('step', next);
    setParams(nextParams);
  };
  // A new section: start keyboard and screen-reader users at its heading.
  const firstStep = useRef(true);
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the section changes
  useEffect(() => {
    if (firstStep.current) {
      firstStep.current = false;
      return;
    }
    sectionHeading.current?.focus();
  }, [step]);

  const save = useMutation({
    mutationFn: async ({ section }: { section: SectionId; after: Step | 'leave' }) =>
      (await intakeSaveMyIntakeDraft({ body: patchFor(section, answers, diagnosesText) })).data,
    onSuccess: (saved, { after }) => {
      queryClient.setQueryData(myIntakeQuery.queryKey, saved);
      setAnswers(saved.answers);
      setSavedAt(saved.updated_at);
      if (after === 'leave') navigate('/portal', { state: { notice: 'intake.savedNotice' } });
      else goTo(after);
    },
  });
  const submit = useMutation({
    mutationFn: async () => (await intakeSubmitMyIntake()).data,
    onSuccess: (result) => {
      queryClient.setQueryData(myIntakeQuery.queryKey, result.intake);
      setSubmitted(result);
    },
    onError: () => void queryClient.invalidateQueries({ queryKey: myIntakeQuery.queryKey }),
  });
  const saveError = useMemo(() => normaliseFields(save.error), [save.error]);
  const errors = useFormErrors(saveError, FIELDS);
  // A refused submit lists the missing answers: the review below names them in words.
  const submitErrors = useFormErrors(submit.error, FIELDS);
  const err = (field: Field) => errors.fields[field];

  if (submitted) {
    return (
      <section>
        {submitted.crisis_resources ? (
          <CrisisResources resources={submitted.crisis_resources} focus />
        ) : null}
        <PageHeading>{t('intake.submittedTitle')}</PageHeading>
        <SuccessAlert>
          <p>{t('intake.submittedBody')}</p>
        </SuccessAlert>
        <p>
          <Link to="/book" className="button primary">
            {t('portal.nav.book')}
          </Link>{' '}
          <Link to="/portal">{t('portal.backHome')}</Link>
        </p>
      </section>
    );
  }

  const index = step === 'review' ? SECTIONS.length : SECTIONS.indexOf(step);
  const nextStep: Step = SECTIONS[index + 1] ?? 'review';

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (step === 'review') {
      save.reset();
      submit.mutate();
    } else {
      submit.reset();
      save.mutate({ section: step, after: nextStep });
    }
  }

  const psych = answers.psychiatric_history ?? {};
  const medical = answers.medical_history ?? {};
  const vitals = answers.vitals ?? {};
  const substances = answers.substance_use ?? {};
  const setPsych = (patch: Partial<PsychiatricHistory>) =>
    setAnswers((a) => ({ ...a, psychiatric_history: { ...a.psychiatric_history, ...patch } }));
  const setMedical = (patch: Partial<MedicalHistory>) =>
    setAnswers((a) => ({ ...a, medical_history: { ...a.medical_history, ...patch } }));
  const setVitals = (patch: Partial<Vitals>) =>
    setAnswers((a) => ({ ...a, vitals: { ...a.vitals, ...patch } }));
  const setSubstances = (patch: Partial<SubstanceUse>) =>
    setAnswers((a) => ({ ...a, substance_use: { ...a.substance_use, ...patch } }));

  return (
    <section>
      <PageHeading>{t('intake.title')}</PageHeading>
      <p>{t('intake.intro')}</p>
      <nav aria-label={t('intake.sections')} className="steps">
        <ol>
          {[...SECTIONS, 'review' as const].map((s, i) => (
            <li key={s}>
              <button
                type="button"
                className="link-button"
                aria-current={s === step ? 'step' : undefined}
                onClick={() => goTo(s)}
              >
                {i + 1}. {t(`intake.section.${s}`)}
              </button>
            </li>
          ))}
        </ol>
      </nav>
      {savedAt ? (
        <p className="muted" aria-live="polite">
          {t('intake.savedAt', {
            time: formatDateTimeIn(
              savedAt,
              Intl.DateTimeFormat().resolvedOptions().timeZone,
              language,
            ),
          })}
        </p>
      ) : null}
      <form className="form" onSubmit={onSubmit} noValidate>
        <h2 tabIndex={-1} ref={sectionHeading}>
          {t(`intake.section.${step}`)}
        </h2>
        {step === 'review' ? (
          <FormAlert error={submitErrors.apiError} />
        ) : (
          <FormAlert error={errors.apiError} messages={errors.form} />
        )}

        {step === 'reasons' ? (
          <>
            <CheckboxGroup
              legend={t('intake.q.reasons_for_care')}
              options={REASONS.map((r) => [r, t(`intake.reason.${r}`)] as const)}
              value={answers.reasons_for_care ?? []}
              onChange={(v) => setAnswers((a) => ({ ...a, reasons_for_care: v }))}
              error={err('reasons_for_care')}
            />
            {answers.reasons_for_care?.includes('other') ? (
              <TextField
                label={t('intake.q.reason_other')}
                maxLength={300}
                value={answers.reason_other ?? ''}
                onChange={(e) => setAnswers((a) => ({ ...a, reason_other: e.target.value }))}
                error={err('reason_other')}
              />
            ) : null}
          </>
        ) : null}

        {step === 'psychiatric' ? (
          <>
            <TextArea
              label={t('intake.q.psychiatric_history.diagnoses')}
              hint={t('intake.hint.onePerLine')}
              value={diagnosesText}
              onChange={setDiagnosesText}
              error={err('psychiatric_history.diagnoses')}
            />
            <TextField
              label={t('intake.q.psychiatric_history.hospitalisations')}
              type="number"
              min={0}
              max={100}
              inputMode="numeric"
              value={psych.hospitalisations ?? ''}
              onChange={(e) => setPsych({ hospitalisations: toNumber(e.target.value) })}
              error={err('psychiatric_history.hospitalisations')}
            />
            <CheckboxGroup
              legend={t('intake.q.psychiatric_history.prior_treatments')}
              hint={t('intake.hint.noneTicked')}
              options={TREATMENTS.map((r) => [r, t(`intake.treatment.${r}`)] as const)}
              value={psych.prior_treatments ?? []}
              onChange={(v) => setPsych({ prior_treatments: v })}
              error={err('psychiatric_history.prior_treatments')}
            />
            <Rows
              legend={t('intake.q.psychiatric_history.antidepressant_trials')}
              hint={t('intake.hint.trials')}
              rows={psych.antidepressant_trials ?? []}
              onChange={(rows) => setPsych({ antidepressant_trials: rows })}
              blank={() => ({ medication: '', weeks: null, adequate: false })}
              addLabel={t('intake.addTrial')}
              removeLabel={(i) => t('intake.removeRow', { n: i + 1 })}
              error={err('psychiatric_history.antidepressant_trials')}
              render={(row, update, i) => (
                <>
                  <TextField
                    label={t('intake.trial.medication', { n: i + 1 })}
                    maxLength={200}
                    value={row.medication}
                    onChange={(e) => update({ ...row, medication: e.target.value })}
                  />
                  <TextField
                    label={t('intake.trial.weeks')}
                    type="number"
                    min={0}
                    max={520}
                    value={row.weeks ?? ''}
                    onChange={(e) => update({ ...row, weeks: toNumber(e.target.value) })}
                  />
                  <label className="checkbox">
                    <input
                      type="checkbox"
                      checked={row.adequate}
                      onChange={(e) => update({ ...row, adequate: e.target.checked })}
                    />
                    <span>{t('intake.trial.adequate')}</span>
                  </label>
                </>
              )}
            />
            {(
              ['psychosis', 'mania', 'suicidal_thoughts_now', 'suicide_attempt_history'] as const
            ).map((key) => (
              <YesNo
                key={key}
                legend={t(`intake.q.psychiatric_history.${key}`)}
                value={psych[key]}
                onChange={(v) => setPsych({ [key]: v })}
                error={err(`psychiatric_history.${key}`)}
              />
            ))}
          </>
        ) : null}

        {step === 'medical' ? (
          <>
            {MEDICAL.map((key) => (
              <YesNo
                key={key}
                legend={t(`intake.q.medical_history.${key}`)}
                value={medical[key]}
                onChange={(v) => setMedical({ [key]: v })}
                error={err(`medical_history.${key}`)}
              />
            ))}
            <TextArea
              label={t('intake.q.medical_history.other')}
              maxLength={4000}
              value={medical.other ?? ''}
              onChange={(v) => setMedical({ other: v || null })}
              error={err('medical_history.other')}
            />
            <fieldset className={err('vitals') ? 'question field-invalid' : 'question'}>
              <legend>{t('intake.vitals')}</legend>
              <p className="field-hint">{t('intake.hint.vitals')}</p>
              {err('vitals') ? <p className="field-error">{err('vitals')}</p> : null}
              <TextField
                label={t('intake.q.vitals.weight_kg')}
                type="number"
                min={20}
                max={350}
                step="0.1"
                value={vitals.weight_kg ?? ''}
                onChange={(e) => setVitals({ weight_kg: toNumber(e.target.value) })}
                error={err('vitals.weight_kg')}
              />
              <TextField
                label={t('intake.q.vitals.bp_systolic')}
                type="number"
                min={60}
                max={300}
                value={vitals.bp_systolic ?? ''}
                onChange={(e) => setVitals({ bp_systolic: toNumber(e.target.value) })}
                error={err('vitals.bp_systolic')}
              />
              <TextField
                label={t('intake.q.vitals.bp_diastolic')}
                type="number"
                min={30}
                max={200}
                value={vitals.bp_diastolic ?? ''}
                onChange={(e) => setVitals({ bp_diastolic: toNumber(e.target.value) })}
                error={err('vitals.bp_diastolic')}
              />
              <TextField
                label={t('intake.q.vitals.bp_measured_on')}
                type="date"
                value={vitals.bp_measured_on ?? ''}
                onChange={(e) => setVitals({ bp_measured_on: e.target.value || null })}
                error={err('vitals.bp_measured_on')}
              />
            </fieldset>
          </>
        ) : null}

        {step === 'medications' ? (
          <>
            <Rows
              legend={t('intake.q.medications')}
              hint={t('intake.hint.medications')}
              rows={answers.medications ?? []}
              onChange={(rows) => setAnswers((a) => ({ ...a, medications: rows }))}
              blank={() => ({ name: '', dose: '', frequency: '' })}
              addLabel={t('intake.addMedication')}
              removeLabel={(i) => t('intake.removeRow', { n: i + 1 })}
              error={err('medications')}
              render={(row, update, i) => (
                <>
                  <TextField
                    label={t('intake.medication.name', { n: i + 1 })}
                    maxLength={200}
                    value={row.name}
                    onChange={(e) => update({ ...row, name: e.target.value })}
                  />
                  <TextField
                    label={t('intake.medication.dose')}
                    maxLength={60}
                    value={row.dose}
                    onChange={(e) => update({ ...row, dose: e.target.value })}
                  />
                  <TextField
                    label={t('intake.medication.frequency')}
                    maxLength={60}
                    value={row.frequency}
                    onChange={(e) => update({ ...row, frequency: e.target.value })}
                  />
                </>
              )}
            />
            <label className="checkbox">
              <input
                type="checkbox"
                checked={answers.no_known_allergies === true}
                onChange={(e) =>
                  setAnswers((a) => ({
                    ...a,
                    no_known_allergies: e.target.checked,
                    allergies: e.target.checked ? [] : a.allergies,
                  }))
                }
              />
              <span>{t('intake.q.no_known_allergies')}</span>
            </label>
            {answers.no_known_allergies ? null : (
              <Rows
                legend={t('intake.q.allergies')}
                rows={answers.allergies ?? []}
                onChange={(rows) => setAnswers((a) => ({ ...a, allergies: rows }))}
                blank={() => ({ substance: '', reaction: null })}
                addLabel={t('intake.addAllergy')}
                removeLabel={(i) => t('intake.removeRow', { n: i + 1 })}
                error={err('allergies')}
                render={(row, update, i) => (
                  <>
                    <TextField
                      label={t('intake.allergy.substance', { n: i + 1 })}
                      maxLength={200}
                      value={row.substance}
                      onChange={(e) => update({ ...row, substance: e.target.value })}
                    />
                    <TextField
                      label={t('intake.allergy.reaction')}
                      maxLength={60}
                      value={row.reaction ?? ''}
                      onChange={(e) => update({ ...row, reaction: e.target.value || null })}
                    />
                  </>
                )}
              />
            )}
          </>
        ) : null}

        {step === 'substances' ? (
          <>
            <TextField
              label={t('intake.q.substance_use.alcohol_drinks_per_week')}
              type="number"
              min={0}
              max={200}
              inputMode="numeric"
              value={substances.alcohol_drinks_per_week ?? ''}
              onChange={(e) => setSubstances({ alcohol_drinks_per_week: toNumber(e.target.value) })}
              error={err('substance_use.alcohol_drinks_per_week')}
            />
            <SelectField
              label={t('intake.q.substance_use.cannabis')}
              value={substances.cannabis ?? ''}
              onChange={(e) =>
                setSubstances({
                  cannabis: (e.target.value || null) as SubstanceUse['cannabis'],
                })
              }
              error={err('substance_use.cannabis')}
            >
              <option value="">{t('form.choose')}</option>
              {CANNABIS.map((c) => (
                <option key={c} value={c}>
                  {t(`intake.cannabis.${c}`)}
                </option>
              ))}
            </SelectField>
            {(
              [
                'stimulant_use_current',
                'ketamine_nonmedical_use',
                'substance_use_disorder',
              ] as const
            ).map((key) => (
              <YesNo
                key={key}
                legend={t(`intake.q.substance_use.${key}`)}
                value={substances[key]}
                onChange={(v) => setSubstances({ [key]: v })}
                error={err(`substance_use.${key}`)}
              />
            ))}
            <TextArea
              label={t('intake.q.substance_use.details')}
              maxLength={4000}
              value={substances.details ?? ''}
              onChange={(v) => setSubstances({ details: v || null })}
              error={err('substance_use.details')}
            />
          </>
        ) : null}

        {step === 'pregnancy' ? (
          <SelectField
            label={t('intake.q.pregnancy')}
            value={answers.pregnancy ?? ''}
            onChange={(e) =>
              setAnswers((a) => ({
                ...a,
                pregnancy: (e.target.value || null) as IntakeAnswers['pregnancy'],
              }))
            }
            error={err('pregnancy')}
          >
            <option value="">{t('form.choose')}</option>
            {PREGNANCY.map((p) => (
              <option key={p} value={p}>
                {t(`intake.pregnancy.${p}`)}
              </option>
            ))}
          </SelectField>
        ) : null}

        {step === 'review' ? <Review intake={current} onGoTo={goTo} /> : null}

        <div className="actions">
          {step === 'review' ? (
            current.status === 'submitted' ? null : (
              <button type="submit" className="button primary" disabled={submit.isPending}>
                {submit.isPending ? t('form.working') : t('intake.submit')}
              </button>
            )
          ) : (
            <>
              <button type="submit" className="button primary" disabled={save.isPending}>
                {save.isPending ? t('form.working') : t('intake.saveContinue')}
              </button>
              <button
                type="button"
                className="button secondary"
                disabled={save.isPending}
                onClick={() => {
                  submit.reset();
                  save.mutate({ section: step, after: 'leave' });
                }}
              >
                {t('intake.saveLater')}
              </button>
            </>
          )}
        </div>
      </form>
    </section>
  );
}

function Review({ intake, onGoTo }: { intake: IntakeRead; onGoTo: (step: Step) => void }) {
  const { t, language } = useI18n();
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (intake.status === 'submitted') {
    return (
      <div>
        <p>
          {intake.submitted_at
            ? t('intake.submittedOn', {
                date: formatDateTimeIn(intake.submitted_at, zone, language),
              })
            : t('intake.submittedBody')}
        </p>
        <p>{t('intake.updateHint')}</p>
      </div>
    );
  }
  if (intake.missing.length === 0) return <p>{t('intake.readyToSubmit')}</p>;
  return (
    <div>
      <p>{t('intake.stillNeeded', { count: intake.missing.length })}</p>
      <ul>
        {intake.missing.map((path) => (
          <li key={path}>
            <button type="button" className="link-button" onClick={() => onGoTo(sectionOf(path))}>
              {questionLabel(path, t)}
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The part of the answers one section saves; emptied lists mean "none", which is an answer. */
function patchFor(
  section: SectionId,
  answers: IntakeAnswers,
  diagnosesText: string,
): IntakeAnswers {
  switch (section) {
    case 'reasons':
      return {
        reasons_for_care: answers.reasons_for_care?.length ? answers.reasons_for_care : null,
        reason_other: answers.reasons_for_care?.includes('other')
          ? answers.reason_other?.trim() || null
          : null,
      };
    case 'psychiatric': {
      const p = answers.psychiatric_history ?? {};
      return {
        psychiatric_history: {
          ...p,
          diagnoses: diagnosesText
            .split('\n')
            .map((d) => d.trim())
            .filter(Boolean),
          prior_treatments: p.prior_treatments ?? [],
          antidepressant_trials: (p.antidepressant_trials ?? []).filter((r) => r.medication.trim()),
        },
      };
    }
    case 'medical': {
      const v = answers.vitals ?? {};
      const anyVitals = Object.values(v).some((x) => x !== null && x !== undefined && x !== '');
      return { medical_history: answers.medical_history ?? {}, vitals: anyVitals ? v : null };
    }
    case 'medications': {
      const allergies = (answers.allergies ?? []).filter((r) => r.substance.trim());
      return {
        medications: (answers.medications ?? []).filter((r) => r.name.trim()),
        allergies: answers.no_known_allergies ? null : allergies.length ? allergies : null,
        no_known_allergies: answers.no_known_allergies ? true : null,
      };
    }
    case 'substances':
      return { substance_use: answers.substance_use ?? {} };
    case 'pregnancy':
      return { pregnancy: answers.pregnancy ?? null };
  }
}

function toNumber(value: string): number | null {
  if (value.trim() === '') return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

const REASONS = ['depression', 'anxiety', 'ptsd', 'ocd', 'chronic_pain', 'other'] as const;
const TREATMENTS = [
  'psychotherapy',
  'antidepressants',
  'augmentation',
  'lithium',
  'ect',
  'tms',
  'ketamine',
  'esketamine',
  'other',
] as const;
const MEDICAL = [
  'hypertension',
  'heart_disease',
  'aneurysm_or_vascular_disease',
  'arteriovenous_malformation',
  'brain_haemorrhage',
  'seizures',
  'severe_lung_disease',
  'severe_liver_disease',
] as const;
const CANNABIS = ['none', 'occasional', 'weekly', 'daily'] as const;
const PREGNANCY = [
  'not_pregnant',
  'pregnant',
  'breastfeeding',
  'planning_pregnancy',
  'not_applicable',
] as const;

export default IntakePage;
