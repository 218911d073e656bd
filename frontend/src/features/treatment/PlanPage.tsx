import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import {
  type SessionPrefill,
  type SessionStart,
  treatmentStartInfusionSession,
} from '../../api/generated';
import { TextField } from '../../components/Field';
import { FormAlert } from '../../components/FormAlert';
import { PageHeading } from '../../components/PageHeading';
import { Empty, ErrorState, Loading } from '../../components/States';
import { useFormErrors } from '../../components/useFormErrors';
import { usePageTitle } from '../../components/usePageTitle';
import { type MessageKey, useI18n } from '../../i18n';
import { formatDateTimeIn } from '../patient/format';
import { isHoldRequired, planQuery, planSessionsQuery, prefillQuery } from './queries';
import { PLAN_STATUS } from './TreatmentPlans';

const browserZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

export const SESSION_STATUS: Record<'in_progress' | 'held' | 'completed', MessageKey> = {
  in_progress: 'treatment.session.in_progress',
  held: 'treatment.session.held',
  completed: 'treatment.session.completed',
};

/** One treatment plan: its sessions so far, and the form that starts (or holds) the next one. */
export function PlanPage() {
  const { patientId = '', planId = '' } = useParams();
  const { t, language } = useI18n();
  const plan = useQuery(planQuery(planId));
  const sessions = useQuery(planSessionsQuery(planId));
  const title = plan.data?.indication ?? t('treatment.plan');
  usePageTitle(title);
  return (
    <section>
      <p>
        <Link to={`/my-patients/${patientId}`}>{t('treatment.backToChart')}</Link>
      </p>
      <PageHeading>{title}</PageHeading>
      {plan.isPending ? (
        <Loading />
      ) : plan.isError ? (
        <ErrorState error={plan.error} onRetry={() => void plan.refetch()} />
      ) : (
        <dl className="facts card">
          <dt>{t('treatment.planStatus')}</dt>
          <dd>{t(PLAN_STATUS[plan.data.status])}</dd>
          <dt>{t('treatment.dose')}</dt>
          <dd>
            {t('treatment.dosePerKg', {
              dose: plan.data.dose_mg_per_kg,
              minutes: plan.data.infusion_minutes,
            })}
          </dd>
          <dt>{t('treatment.induction')}</dt>
          <dd>
            {t('treatment.inductionDone', {
              done: plan.data.induction_done,
              total: plan.data.induction_infusions,
            })}
          </dd>
        </dl>
      )}
      <section className="card" aria-labelledby="plan-sessions-title">
        <h2 id="plan-sessions-title">{t('treatment.sessions')}</h2>
        {sessions.isPending ? (
          <Loading />
        ) : sessions.isError ? (
          <ErrorState error={sessions.error} onRetry={() => void sessions.refetch()} />
        ) : sessions.data.length === 0 ? (
          <Empty>{t('treatment.noSessions')}</Empty>
        ) : (
          <ol className="list">
            {sessions.data.map((s) => (
              <li key={s.id}>
                <Link to={`/infusion-sessions/${s.id}`}>
                  {t('treatment.sessionTitle', { sequence: s.sequence })}
                </Link>{' '}
                · {formatDateTimeIn(s.started_at, browserZone(), language)} ·{' '}
                {t(SESSION_STATUS[s.status])}
                {s.cadss6_score !== null ? ` · CADSS-6 ${s.cadss6_score}` : ''}
              </li>
            ))}
          </ol>
        )}
      </section>
      {plan.data?.status === 'active' ? <StartSession planId={planId} /> : null}
    </section>
  );
}

const FIELDS = [
  'weight_kg',
  'lot_number',
  'pre_vitals.systolic',
  'pre_vitals.diastolic',
  'pre_vitals.heart_rate',
  'pre_vitals.spo2',
  'hold_reason',
  'bp_override_reason',
] as const;

type Choice = 'hold' | 'override';

function StartSession({ planId }: { planId: string }) {
  const { t } = useI18n();
  const prefill = useQuery(prefillQuery(planId));
  return (
    <section className="card" aria-labelledby="start-session-title">
      <h2 id="start-session-title">{t('treatment.start')}</h2>
      {prefill.isPending ? (
        <Loading />
      ) : prefill.isError ? (
        <ErrorState error={prefill.error} onRetry={() => void prefill.refetch()} />
      ) : (
        <StartForm planId={planId} prefill={prefill.data} />
      )}
    </section>
  );
}

function StartForm({ planId, prefill }: { planId: string; prefill: SessionPrefill }) {
  const { t } = useI18n();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [weight, setWeight] = useState(prefill.weight_kg?.toString() ?? '');
  const [lot, setLot] = useState(prefill.lot_number ?? '');
  const [vitals, setVitals] = useState({ systolic: '', diastolic: '', heart_rate: '', spo2: '' });
  // Set once the API says the BP is above the hold threshold.
  const [prompt, setPrompt] = useState<string | null>(null);
  const [choice, setChoice] = useState<Choice>('hold');
  const [reason, setReason] = useState('');
  const start = useMutation({
    mutationFn: async (body: SessionStart) =>
      (await treatmentStartInfusionSession({ path: { plan_id: planId }, body })).data,
    onSuccess: async (session) => {
      await queryClient.invalidateQueries({ queryKey: ['plan', planId] });
      await queryClient.invalidateQueries({ queryKey: ['chart', session.patient_id] });
      navigate(`/infusion-sessions/${session.id}`);
    },
    onError: (error) => {
      if (isHoldRequired(error)) {
        setPrompt(error.problem.detail ?? error.problem.title);
      }
    },
  });
  const errors = useFormErrors(isHoldRequired(start.error) ? null : start.error, FIELDS);
  const f = errors.fields;
  const num = (v: string) => (v.trim() === '' ? Number.NaN : Number(v));
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    start.mutate({
      weight_kg: num(weight),
      lot_number: lot.trim() === '' ? null : lot.trim(),
      pre_vitals: {
        systolic: num(vitals.systolic),
        diastolic: num(vitals.diastolic),
        heart_rate: num(vitals.heart_rate),
        spo2: num(vitals.spo2),
      },
      hold: prompt !== null && choice === 'hold',
      hold_reason: prompt !== null && choice === 'hold' ? reason : '',
      bp_override_reason: prompt !== null && choice === 'override' ? reason : '',
    });
  };
  const vital = (key: keyof typeof vitals, label: MessageKey) => (
    <TextField
      label={t(label)}
      inputMode="numeric"
      required
      value={vitals[key]}
      error={f[`pre_vitals.${key}`]}
      onChange={(e) => {
        const value = e.target.value;
        setVitals((v) => ({ ...v, [key]: value }));
        setPrompt(null);
      }}
    />
  );
  return (
    <form className="form" onSubmit={submit} noValidate>
      <FormAlert error={errors.apiError} messages={errors.form} />
      <p className="muted">
        {t('treatment.holdThreshold', {
          systolic: prefill.hold_systolic_above,
          diastolic: prefill.hold_diastolic_above,
        })}
      </p>
      <TextField
        label={t('treatment.weight')}
        inputMode="decimal"
        required
        value={weight}
        error={f.weight_kg}
        onChange={(e) => setWeight(e.target.value)}
      />
      <TextField
        label={t('treatment.lot')}
        value={lot}
        error={f.lot_number}
        onChange={(e) => setLot(e.target.value)}
      />
      <fieldset>
        <legend>{t('treatment.preVitals')}</legend>
        {vital('systolic', 'treatment.systolic')}
        {vital('diastolic', 'treatment.diastolic')}
        {vital('heart_rate', 'chart.heartRate')}
        {vital('spo2', 'treatment.spo2')}
      </fieldset>
      {prompt !== null ? (
        <fieldset className="call-warning">
          <legend>{t('treatment.holdTitle')}</legend>
          <p role="alert">{prompt}</p>
          <label>
            <input
              type="radio"
              name="hold-choice"
              checked={choice === 'hold'}
              onChange={() => setChoice('hold')}
            />{' '}
            {t('treatment.holdChoice')}
          </label>
          <label>
            <input
              type="radio"
              name="hold-choice"
              checked={choice === 'override'}
              onChange={() => setChoice('override')}
            />{' '}
            {t('treatment.overrideChoice')}
          </label>
          <TextField
            label={choice === 'hold' ? t('treatment.holdReason') : t('treatment.overrideReason')}
            required={choice === 'override'}
            value={reason}
            error={choice === 'hold' ? f.hold_reason : f.bp_override_reason}
            onChange={(e) => setReason(e.target.value)}
          />
        </fieldset>
      ) : null}
      <button type="submit" className="button primary" disabled={start.isPending}>
        {start.isPending
          ? t('form.working')
          : prompt !== null && choice === 'hold'
            ? t('treatment.holdSubmit')
            : t('treatment.startSubmit')}
      </button>
    </form>
  );
}

export default PlanPage;
