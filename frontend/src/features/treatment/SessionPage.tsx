import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Link, useParams } from 'react-router';
import {
  type InfusionSessionRead,
  treatmentDischargeInfusionSession,
  treatmentRecordInfusionVitals,
  treatmentUpdateInfusionSession,
  type VitalsRead,
} from '../../api/generated';
import { SelectField, TextField } from '../../components/Field';
import { FormAlert, SuccessAlert } from '../../components/FormAlert';
import { PageHeading } from '../../components/PageHeading';
import { ErrorState, Loading } from '../../components/States';
import { useFormErrors } from '../../components/useFormErrors';
import { usePageTitle } from '../../components/usePageTitle';
import { type MessageKey, useI18n } from '../../i18n';
import { type FieldText, useLocalizedError } from '../../i18n/problems';
import { formatDateTimeIn } from '../patient/format';
import { TIMEPOINT } from '../workspace/ChartSummaryPage';
import { infusionSessionQuery } from '../workspace/queries';
import { SESSION_STATUS } from './PlanPage';

const browserZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

type Timepoint = VitalsRead['timepoint'];
const ORDER = Object.keys(TIMEPOINT) as Timepoint[];
/** CADSS-6 answers are items 1, 2, 6, 7, 15 and 22 of the CADSS. */
const CADSS_ITEMS = [1, 2, 6, 7, 15, 22] as const;

type Cadss6 = [number, number, number, number, number, number];

function cadssAnswers(items: readonly string[]): Cadss6 {
  const n = (i: number) => Number(items[i] ?? Number.NaN);
  return [n(0), n(1), n(2), n(3), n(4), n(5)];
}

/** An infusion session: vitals at each timepoint and the CADSS-6. */
export function SessionPage() {
  const { sessionId = '' } = useParams();
  const { t } = useI18n();
  const session = useQuery(infusionSessionQuery(sessionId));
  const title = session.data
    ? t('treatment.sessionTitle', { sequence: session.data.sequence })
    : t('treatment.sessions');
  usePageTitle(title);
  if (session.isPending) return <Loading />;
  if (session.isError) {
    return (
      <section>
        <PageHeading>{title}</PageHeading>
        <ErrorState error={session.error} onRetry={() => void session.refetch()} />
      </section>
    );
  }
  const s = session.data;
  const open = s.status === 'in_progress';
  return (
    <section>
      <p>
        <Link to={`/my-patients/${s.patient_id}/plans/${s.plan_id}`}>
          {t('treatment.backToPlan')}
        </Link>
      </p>
      <PageHeading>{title}</PageHeading>
      <p>
        {t(SESSION_STATUS[s.status])} ·{' '}
        {t('treatment.doseGiven', { dose: s.dose_mg, weight: s.weight_kg })}
      </p>
      {s.hold_reason ? <p className="call-warning">{s.hold_reason}</p> : null}
      {s.bp_override_reason ? (
        <p className="call-warning">
          {t('treatment.overrideGiven', { reason: s.bp_override_reason })}
        </p>
      ) : null}
      <VitalsSection session={s} open={open} />
      <Cadss6Section session={s} open={open} />
      <DischargeSection session={s} open={open} />
    </section>
  );
}

function VitalsSection({ session, open }: { session: InfusionSessionRead; open: boolean }) {
  const { t } = useI18n();
  const vitals = [...session.vitals].sort(
    (a, b) => ORDER.indexOf(a.timepoint) - ORDER.indexOf(b.timepoint),
  );
  const missing = session.missing_timepoints.filter((tp) => tp !== 'pre');
  return (
    <section className="card" aria-labelledby="session-vitals-title">
      <h2 id="session-vitals-title">{t('treatment.vitals')}</h2>
      <table className="table">
        <caption className="visually-hidden">{t('treatment.vitals')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('chart.timepoint')}</th>
            <th scope="col">{t('chart.bp')}</th>
            <th scope="col">{t('chart.heartRate')}</th>
            <th scope="col">{t('chart.spo2')}</th>
          </tr>
        </thead>
        <tbody>
          {vitals.map((v) => (
            <tr key={v.timepoint}>
              <th scope="row">{t(TIMEPOINT[v.timepoint])}</th>
              <td>
                {v.systolic}/{v.diastolic}
              </td>
              <td>{v.heart_rate}</td>
              <td>{v.spo2}%</td>
            </tr>
          ))}
        </tbody>
      </table>
      {open && missing.length > 0 ? <VitalsForm sessionId={session.id} missing={missing} /> : null}
    </section>
  );
}

const VITAL_FIELDS = ['systolic', 'diastolic', 'heart_rate', 'spo2'] as const;
type VitalField = (typeof VITAL_FIELDS)[number];

function VitalsForm({ sessionId, missing }: { sessionId: string; missing: Timepoint[] }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const [timepoint, setTimepoint] = useState<Timepoint>(missing[0] ?? 'min_15');
  const empty = { systolic: '', diastolic: '', heart_rate: '', spo2: '' };
  const [values, setValues] = useState<Record<VitalField, string>>(empty);
  const record = useMutation({
    mutationFn: async () =>
      (
        await treatmentRecordInfusionVitals({
          path: { session_id: sessionId, timepoint },
          body: {
            systolic: Number(values.systolic),
            diastolic: Number(values.diastolic),
            heart_rate: Number(values.heart_rate),
            spo2: Number(values.spo2),
          },
        })
      ).data,
    onSuccess: (saved) => {
      queryClient.setQueryData(infusionSessionQuery(sessionId).queryKey, saved);
      const next = saved.missing_timepoints.find((tp) => tp !== 'pre');
      if (next) setTimepoint(next);
      setValues(empty);
    },
  });
  const errors = useFormErrors(useLocalizedError(record.error), VITAL_FIELDS);
  const labels: Record<VitalField, string> = {
    systolic: t('treatment.systolic'),
    diastolic: t('treatment.diastolic'),
    heart_rate: t('chart.heartRate'),
    spo2: t('treatment.spo2'),
  };
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    record.mutate();
  };
  return (
    <form className="form inline-form" onSubmit={submit} noValidate>
      <FormAlert error={errors.apiError} messages={errors.form} />
      <SelectField
        label={t('chart.timepoint')}
        value={timepoint}
        onChange={(e) => setTimepoint(e.target.value as Timepoint)}
      >
        {missing.map((tp) => (
          <option key={tp} value={tp}>
            {t(TIMEPOINT[tp])}
          </option>
        ))}
      </SelectField>
      {VITAL_FIELDS.map((key) => (
        <TextField
          key={key}
          label={labels[key]}
          inputMode="numeric"
          required
          value={values[key]}
          error={errors.fields[key]}
          onChange={(e) => {
            const value = e.target.value;
            setValues((v) => ({ ...v, [key]: value }));
          }}
        />
      ))}
      <button type="submit" className="button primary" disabled={record.isPending}>
        {record.isPending ? t('form.working') : t('treatment.recordVitals')}
      </button>
    </form>
  );
}

function Cadss6Section({ session, open }: { session: InfusionSessionRead; open: boolean }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const [items, setItems] = useState<string[]>(
    () => session.cadss6_items?.map(String) ?? CADSS_ITEMS.map(() => ''),
  );
  const save = useMutation({
    mutationFn: async () =>
      (
        await treatmentUpdateInfusionSession({
          path: { session_id: session.id },
          body: { cadss6_items: cadssAnswers(items) },
        })
      ).data,
    onSuccess: (saved) => {
      queryClient.setQueryData(infusionSessionQuery(session.id).queryKey, saved);
    },
  });
  const errors = useFormErrors(useLocalizedError(save.error), CADSS_FIELDS);
  const complete = items.every((v) => v !== '');
  return (
    <section className="card" aria-labelledby="session-cadss-title">
      <h2 id="session-cadss-title">{t('scale.cadss6')}</h2>
      {session.cadss6_score !== null ? (
        <p>{t('treatment.cadssScore', { score: session.cadss6_score })}</p>
      ) : null}
      {open ? (
        <form
          className="form"
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            save.mutate();
          }}
        >
          <FormAlert error={errors.apiError} messages={errors.form} />
          {save.isSuccess ? <SuccessAlert>{t('treatment.cadssSaved')}</SuccessAlert> : null}
          {CADSS_ITEMS.map((item, index) => (
            <SelectField
              key={item}
              label={t('treatment.cadssItem', { item })}
              value={items[index]}
              error={index === 0 ? errors.fields.cadss6_items : undefined}
              onChange={(e) => {
                const value = e.target.value;
                setItems((all) => all.map((v, i) => (i === index ? value : v)));
              }}
            >
              <option value="">{t('treatment.cadssChoose')}</option>
              {[0, 1, 2, 3, 4].map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </SelectField>
          ))}
          <button type="submit" className="button primary" disabled={save.isPending || !complete}>
            {save.isPending ? t('form.working') : t('treatment.cadssSave')}
          </button>
        </form>
      ) : null}
    </section>
  );
}

const CADSS_FIELDS = ['cadss6_items'] as const;
const CHECKS = ['alert', 'vitals_near_baseline', 'escort_present'] as const;
type Check = (typeof CHECKS)[number];
const CHECK_LABEL = {
  alert: 'treatment.discharge.alert',
  vitals_near_baseline: 'treatment.discharge.vitals',
  escort_present: 'treatment.discharge.escort',
} as const;

// What the API says keeps a patient from discharge, by field, in the reader's words.
const DISCHARGE_TEXT: Record<string, MessageKey> = {
  'body.alert': 'treatment.discharge.alertNeeded',
  'body.vitals_near_baseline': 'treatment.discharge.vitalsNeeded',
  'body.escort_present': 'treatment.discharge.escortNeeded',
  cadss6_items: 'treatment.discharge.cadssMissing',
  'vitals.discharge': 'treatment.discharge.vitalsMissing',
};
const MISSING_FIELDS = ['cadss6_items', 'vitals.discharge'] as const;
const DISCHARGE_FIELDS = [...CHECKS, ...MISSING_FIELDS] as const;
const dischargeText: FieldText = (error, t) => {
  const key = DISCHARGE_TEXT[error.field];
  return key ? t(key) : undefined;
};

/** The discharge checklist; the API says what is still missing (CADSS-6, discharge vitals). */
function DischargeSection({ session, open }: { session: InfusionSessionRead; open: boolean }) {
  const { t, language } = useI18n();
  const queryClient = useQueryClient();
  const [checks, setChecks] = useState<Record<Check, boolean>>({
    alert: false,
    vitals_near_baseline: false,
    escort_present: false,
  });
  const discharge = useMutation({
    mutationFn: async () =>
      (await treatmentDischargeInfusionSession({ path: { session_id: session.id }, body: checks }))
        .data,
    onSuccess: (saved) => {
      queryClient.setQueryData(infusionSessionQuery(session.id).queryKey, saved);
      void queryClient.invalidateQueries({ queryKey: ['chart', saved.patient_id] });
    },
  });
  const errors = useFormErrors(useLocalizedError(discharge.error, dischargeText), DISCHARGE_FIELDS);
  // What is missing besides the checkboxes (CADSS-6, discharge vitals), above the form.
  const missing = [
    ...MISSING_FIELDS.flatMap((field) => errors.fields[field] ?? []),
    ...errors.form,
  ];
  if (!open && !session.discharged_at) return null;
  return (
    <section className="card" aria-labelledby="session-discharge-title">
      <h2 id="session-discharge-title">{t('treatment.discharge')}</h2>
      {session.discharged_at ? (
        <p>
          {t('treatment.discharged', {
            time: formatDateTimeIn(session.discharged_at, browserZone(), language),
          })}
        </p>
      ) : (
        <form
          className="form"
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            discharge.mutate();
          }}
        >
          <FormAlert error={errors.apiError} messages={missing} />
          {CHECKS.map((check) => (
            <div key={check} className={errors.fields[check] ? 'field field-invalid' : 'field'}>
              <label>
                <input
                  type="checkbox"
                  checked={checks[check]}
                  aria-invalid={errors.fields[check] ? true : undefined}
                  aria-describedby={errors.fields[check] ? `discharge-${check}-error` : undefined}
                  onChange={(e) => {
                    const value = e.target.checked;
                    setChecks((c) => ({ ...c, [check]: value }));
                  }}
                />{' '}
                {t(CHECK_LABEL[check])}
              </label>
              {errors.fields[check] ? (
                <p className="field-error" id={`discharge-${check}-error`}>
                  {errors.fields[check]}
                </p>
              ) : null}
            </div>
          ))}
          <button type="submit" className="button primary" disabled={discharge.isPending}>
            {discharge.isPending ? t('form.working') : t('treatment.dischargeSubmit')}
          </button>
        </form>
      )}
    </section>
  );
}

export default SessionPage;
