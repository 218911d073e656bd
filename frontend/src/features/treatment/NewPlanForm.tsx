import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useId, useMemo, useState } from 'react';
import { useNavigate } from 'react-router';
import {
  type PlanCreate,
  type TreatmentReadiness,
  treatmentCreateTreatmentPlan,
} from '../../api/generated';
import { type FieldError, fieldName } from '../../api/problem';
import { SelectField, TextAreaField, TextField } from '../../components/Field';
import { FormAlert } from '../../components/FormAlert';
import { useFormErrors } from '../../components/useFormErrors';
import { type Language, type Translate, useI18n } from '../../i18n';
import { type FieldText, useLocalizedError } from '../../i18n/problems';
import { indicationName } from '../../i18n/serverTexts';
import { readinessQuery } from './queries';
import { Readiness } from './Readiness';

export const INDICATIONS: readonly PlanCreate['indication'][] = [
  'treatment_resistant_depression',
  'depression',
  'ptsd',
  'ocd',
  'anxiety',
  'chronic_pain',
  'other',
];

const FIELDS = [
  'indication',
  'indication_detail',
  'induction_infusions',
  'infusions_per_week',
  'dose_mg_per_kg',
  'infusion_minutes',
  'schedule_notes',
  'maintenance_interval_weeks',
  'maintenance_notes',
] as const;
type PlanField = (typeof FIELDS)[number];

/** The whole-number fields and the range the API accepts for each (PlanCreate). */
const RANGES: Partial<Record<PlanField, readonly [number, number]>> = {
  induction_infusions: [1, 12],
  infusions_per_week: [1, 7],
  infusion_minutes: [10, 240],
  maintenance_interval_weeks: [1, 52],
};

const RANGE_CODES = new Set(['greater_than', 'greater_than_equal', 'less_than', 'less_than_equal']);
const NUMBER_CODES = new Set([
  'int_parsing',
  'int_type',
  'int_from_float',
  'float_parsing',
  'float_type',
]);

/** "0,5" (a Spanish keyboard) and "0.5" are the same dose; an empty box is no number at all. */
export function parseNumber(text: string): number {
  const clean = text.trim().replace(',', '.');
  return clean === '' ? Number.NaN : Number(clean);
}

function formatNumber(value: number, language: Language): string {
  return new Intl.NumberFormat(language, { maximumFractionDigits: 3 }).format(value);
}

/** This form's field errors in the reader's words, with the limits that apply. */
function planFieldText(limits: TreatmentReadiness | undefined, language: Language): FieldText {
  return (error: FieldError, t: Translate) => {
    const field = fieldName(error.field) as PlanField;
    if (error.code === 'dose_out_of_range' && limits) {
      return t('treatment.form.doseRange', {
        min: formatNumber(limits.dose_min_mg_per_kg, language),
        max: formatNumber(limits.dose_max_mg_per_kg, language),
      });
    }
    const range = RANGES[field];
    if (range && RANGE_CODES.has(error.code)) {
      return t('treatment.form.range', { min: range[0], max: range[1] });
    }
    if (NUMBER_CODES.has(error.code)) {
      return field === 'dose_mg_per_kg'
        ? t('treatment.form.number')
        : t('treatment.form.wholeNumber');
    }
    if (error.code === 'string_too_long') return t('treatment.form.tooLong');
    return undefined;
  };
}

/**
 * Propose a treatment plan: indication, induction series, target dose, schedule, maintenance.
 * Above the form, what would keep the plan from becoming active, with what to do about it.
 */
export function NewPlanForm({ patientId, onCancel }: { patientId: string; onCancel: () => void }) {
  const { t, language } = useI18n();
  const id = useId();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const readiness = useQuery(readinessQuery(patientId));
  const limits = readiness.data;
  const [values, setValues] = useState<Record<PlanField, string>>({
    indication: '',
    indication_detail: '',
    induction_infusions: '6',
    infusions_per_week: '2',
    dose_mg_per_kg: formatNumber(0.5, language),
    infusion_minutes: '40',
    schedule_notes: '',
    maintenance_interval_weeks: '',
    maintenance_notes: '',
  });
  // Opened with a button: the first field takes the focus, so typing can start at once.
  useEffect(() => document.getElementById(`${id}-indication`)?.focus(), [id]);
  const set = (field: PlanField) => (value: string) => setValues((v) => ({ ...v, [field]: value }));

  const create = useMutation({
    mutationFn: async (body: PlanCreate) =>
      (await treatmentCreateTreatmentPlan({ path: { patient_id: patientId }, body })).data,
    onSuccess: async (plan) => {
      await queryClient.invalidateQueries({ queryKey: ['chart', patientId, 'plans'] });
      navigate(`/my-patients/${patientId}/plans/${plan.id}`);
    },
  });
  const fieldText = useMemo(() => planFieldText(limits, language), [limits, language]);
  const errors = useFormErrors(useLocalizedError(create.error, fieldText), FIELDS);
  const f = errors.fields;

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const whole = (field: PlanField) => parseNumber(values[field]);
    const maintenance = values.maintenance_interval_weeks.trim();
    create.mutate({
      indication: values.indication as PlanCreate['indication'],
      indication_detail: values.indication_detail,
      induction_infusions: whole('induction_infusions'),
      infusions_per_week: whole('infusions_per_week'),
      dose_mg_per_kg: parseNumber(values.dose_mg_per_kg),
      infusion_minutes: whole('infusion_minutes'),
      schedule_notes: values.schedule_notes,
      maintenance_interval_weeks: maintenance === '' ? null : whole('maintenance_interval_weeks'),
      maintenance_notes: values.maintenance_notes,
    });
  };

  const textarea = (field: PlanField, label: string, hint?: string) => (
    <TextAreaField
      id={`${id}-${field}`}
      label={label}
      hint={hint}
      rows={2}
      value={values[field]}
      error={f[field]}
      onChange={(e) => set(field)(e.target.value)}
    />
  );

  const number = (field: PlanField, label: string, hint: string, decimal = false) => (
    <TextField
      label={label}
      hint={hint}
      inputMode={decimal ? 'decimal' : 'numeric'}
      autoComplete="off"
      required={field !== 'maintenance_interval_weeks'}
      value={values[field]}
      error={f[field]}
      onChange={(e) => set(field)(e.target.value)}
    />
  );

  return (
    <div className="new-plan">
      <p className="muted">{t('treatment.newPlanIntro')}</p>
      <Readiness patientId={patientId} level={3} />
      <form className="form" onSubmit={submit} noValidate aria-label={t('treatment.newPlan')}>
        <FormAlert error={errors.apiError} messages={errors.form} />
        <SelectField
          id={`${id}-indication`}
          label={t('treatment.form.indication')}
          required
          value={values.indication}
          error={f.indication}
          onChange={(e) => set('indication')(e.target.value)}
        >
          <option value="">{t('treatment.form.indicationChoose')}</option>
          {INDICATIONS.map((code) => (
            <option key={code} value={code}>
              {indicationName(code, t)}
            </option>
          ))}
        </SelectField>
        {textarea(
          'indication_detail',
          t('treatment.form.indicationDetail'),
          t('treatment.form.indicationDetailHint'),
        )}
        <div className="plan-numbers">
          {number(
            'induction_infusions',
            t('treatment.form.induction'),
            t('treatment.form.inductionHint'),
          )}
          {number(
            'infusions_per_week',
            t('treatment.form.perWeek'),
            t('treatment.form.perWeekHint'),
          )}
          {number(
            'dose_mg_per_kg',
            t('treatment.form.dose'),
            limits
              ? t('treatment.form.doseHint', {
                  min: formatNumber(limits.dose_min_mg_per_kg, language),
                  max: formatNumber(limits.dose_max_mg_per_kg, language),
                  maxMg: formatNumber(limits.dose_max_mg, language),
                })
              : t('treatment.form.doseHintPlain'),
            true,
          )}
          {number('infusion_minutes', t('treatment.form.minutes'), t('treatment.form.minutesHint'))}
        </div>
        {textarea('schedule_notes', t('treatment.form.schedule'), t('treatment.form.scheduleHint'))}
        <fieldset>
          <legend>{t('treatment.form.maintenance')}</legend>
          {number(
            'maintenance_interval_weeks',
            t('treatment.form.maintenanceInterval'),
            t('treatment.form.maintenanceHint'),
          )}
          {textarea('maintenance_notes', t('treatment.form.maintenanceNotes'))}
        </fieldset>
        <div className="actions">
          <button type="submit" className="button primary" disabled={create.isPending}>
            {create.isPending ? t('form.working') : t('treatment.form.submit')}
          </button>
          <button type="button" className="button secondary" onClick={onCancel}>
            {t('treatment.form.cancel')}
          </button>
        </div>
      </form>
    </div>
  );
}
