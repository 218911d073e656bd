import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import {
  type PlanRead,
  type PlanStatusChange,
  type SessionPrefill,
  type SessionStart,
  treatmentChangeTreatmentPlanStatus,
  treatmentStartInfusionSession,
} from '../../api/generated';
import { ApiError } from '../../api/problem';
import { TextAreaField, TextField } from '../../components/Field';
import { FormAlert, SuccessAlert } from '../../components/FormAlert';
import { PageHeading } from '../../components/PageHeading';
import { Empty, ErrorState, Loading } from '../../components/States';
import { useFormErrors } from '../../components/useFormErrors';
import { usePageTitle } from '../../components/usePageTitle';
import { type MessageKey, useI18n } from '../../i18n';
import { problemSlug, useLocalizedError } from '../../i18n/problems';
import { indicationName } from '../../i18n/serverTexts';
import { Dialog } from '../admin/Dialog';
import { formatDateTimeIn } from '../patient/format';
import { parseNumber } from './NewPlanForm';
import { isHoldRequired, planQuery, planSessionsQuery, prefillQuery } from './queries';
import { Readiness } from './Readiness';
import { PLAN_STATUS } from './TreatmentPlans';
import './treatment.css';

const browserZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

export const SESSION_STATUS: Record<'in_progress' | 'held' | 'completed', MessageKey> = {
  in_progress: 'treatment.session.in_progress',
  held: 'treatment.session.held',
  completed: 'treatment.session.completed',
};

/** One treatment plan: its status and what may change it, its sessions, the next session's form. */
export function PlanPage() {
  const { patientId = '', planId = '' } = useParams();
  const { t, language } = useI18n();
  const plan = useQuery(planQuery(planId));
  const sessions = useQuery(planSessionsQuery(planId));
  const title = plan.data ? indicationName(plan.data.indication, t) : t('treatment.plan');
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
        <>
          <PlanFacts plan={plan.data} />
          <PlanStatusSection plan={plan.data} patientId={patientId} />
        </>
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
      {plan.data?.status === 'active' ? (
        <StartSession planId={planId} patientId={patientId} />
      ) : null}
    </section>
  );
}

function PlanFacts({ plan }: { plan: PlanRead }) {
  const { t } = useI18n();
  return (
    <dl className="facts card">
      <dt>{t('treatment.planStatus')}</dt>
      <dd>{t(PLAN_STATUS[plan.status])}</dd>
      {plan.indication_detail ? (
        <>
          <dt>{t('treatment.indicationLabel')}</dt>
          <dd className="prewrap">{plan.indication_detail}</dd>
        </>
      ) : null}
      <dt>{t('treatment.dose')}</dt>
      <dd>
        {t('treatment.dosePerKg', { dose: plan.dose_mg_per_kg, minutes: plan.infusion_minutes })}
      </dd>
      <dt>{t('treatment.induction')}</dt>
      <dd>
        {t('treatment.inductionDone', {
          done: plan.induction_done,
          total: plan.induction_infusions,
        })}
      </dd>
      <dt>{t('treatment.schedule')}</dt>
      <dd>
        {t('treatment.perWeek', { count: plan.infusions_per_week })}
        {plan.schedule_notes ? ` · ${plan.schedule_notes}` : ''}
      </dd>
      <dt>{t('treatment.maintenance')}</dt>
      <dd>
        {plan.maintenance_interval_weeks
          ? t('treatment.maintenanceEvery', { weeks: plan.maintenance_interval_weeks })
          : t('treatment.maintenanceNotSet')}
        {plan.maintenance_notes ? ` · ${plan.maintenance_notes}` : ''}
      </dd>
    </dl>
  );
}

type Target = PlanStatusChange['status'];

function actionLabel(plan: PlanRead, target: Target): MessageKey {
  if (target === 'active') {
    return plan.status === 'paused' ? 'treatment.action.resume' : 'treatment.action.activate';
  }
  return target === 'paused' ? 'treatment.action.pause' : 'treatment.action.complete';
}

const STATUS_FIELDS = ['status', 'reason'] as const;

/**
 * The plan's status, the changes the API allows from it (completing asks first), the history,
 * and, while the plan is not active, what stands between it and activation.
 */
function PlanStatusSection({ plan, patientId }: { plan: PlanRead; patientId: string }) {
  const { t, language } = useI18n();
  const id = useId();
  const queryClient = useQueryClient();
  const [reason, setReason] = useState('');
  const [confirming, setConfirming] = useState(false);
  const change = useMutation({
    mutationFn: async (status: Target) =>
      (
        await treatmentChangeTreatmentPlanStatus({
          path: { plan_id: plan.id },
          body: { status, reason: reason.trim() },
        })
      ).data,
    onSuccess: (saved) => {
      setReason('');
      queryClient.setQueryData(planQuery(plan.id).queryKey, saved);
      void queryClient.invalidateQueries({ queryKey: ['chart', patientId] });
    },
    onError: (error) => {
      // A refusal may mean the page is behind (another tab changed the plan, a flag was raised):
      // fetch the plan's allowed changes and what blocks it again.
      if (error instanceof ApiError && error.status === 409) {
        void queryClient.invalidateQueries({ queryKey: planQuery(plan.id).queryKey, exact: true });
        void queryClient.invalidateQueries({
          queryKey: ['chart', patientId, 'treatment-readiness'],
        });
      }
    },
  });
  const slug = problemSlug(change.error);
  const blocked = slug === 'plan-blocked';
  const errors = useFormErrors(useLocalizedError(blocked ? null : change.error), STATUS_FIELDS);
  const submit = (target: Target) => {
    if (target === 'completed') setConfirming(true);
    else change.mutate(target);
  };
  const done = change.isSuccess && !change.isPending ? change.data : null;
  const zone = browserZone();
  return (
    <section className="card plan-status" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('treatment.changeStatus')}</h2>
      {done ? (
        <SuccessAlert>
          {t('treatment.statusChanged', { status: t(PLAN_STATUS[done.status]) })}
        </SuccessAlert>
      ) : null}
      {blocked ? (
        <div className="alert alert-error" role="alert">
          <p className="alert-title">{t('treatment.blockedTitle')}</p>
          <p>{t('problem.plan-blocked')}</p>
        </div>
      ) : null}
      {plan.allowed_transitions.length === 0 ? (
        <p>{t('treatment.noTransitions')}</p>
      ) : (
        <form
          className="form"
          noValidate
          onSubmit={(event: FormEvent<HTMLFormElement>) => event.preventDefault()}
        >
          <FormAlert error={errors.apiError} messages={errors.form} />
          <TextAreaField
            id={`${id}-reason`}
            label={t('treatment.statusReason')}
            rows={2}
            value={reason}
            error={errors.fields.reason}
            onChange={(e) => setReason(e.target.value)}
          />
          <div className="actions">
            {plan.allowed_transitions.map((target) => (
              <button
                key={target}
                type="button"
                className={target === 'active' ? 'button primary' : 'button secondary'}
                disabled={change.isPending}
                onClick={() => submit(target)}
              >
                {t(actionLabel(plan, target))}
              </button>
            ))}
          </div>
        </form>
      )}
      {plan.status === 'proposed' || plan.status === 'paused' || blocked ? (
        <Readiness patientId={patientId} planId={plan.id} level={3} />
      ) : null}
      <h3>{t('treatment.history')}</h3>
      {plan.history.length === 0 ? (
        <p className="muted">{t('treatment.noHistory')}</p>
      ) : (
        <ol className="plan-history">
          {plan.history.map((h) => (
            <li key={`${h.changed_at}-${h.to_status}`}>
              {t('treatment.historyItem', {
                from: t(PLAN_STATUS[h.from_status]),
                to: t(PLAN_STATUS[h.to_status]),
                time: formatDateTimeIn(h.changed_at, zone, language),
              })}
              {h.reason ? <span className="muted"> · {h.reason}</span> : null}
            </li>
          ))}
        </ol>
      )}
      {confirming ? (
        <Dialog
          title={t('treatment.completeTitle')}
          description={
            <p>
              {t('treatment.completeBody', {
                done: plan.induction_done,
                total: plan.induction_infusions,
              })}
            </p>
          }
          onClose={() => setConfirming(false)}
        >
          <div className="actions">
            <button
              type="button"
              className="button danger"
              onClick={() => {
                setConfirming(false);
                change.mutate('completed');
              }}
            >
              {t('treatment.completeConfirm')}
            </button>
            <button type="button" className="button secondary" onClick={() => setConfirming(false)}>
              {t('treatment.completeCancel')}
            </button>
          </div>
        </Dialog>
      ) : null}
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

function StartSession({ planId, patientId }: { planId: string; patientId: string }) {
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
        <StartForm planId={planId} patientId={patientId} prefill={prefill.data} />
      )}
    </section>
  );
}

/** The API's hold prompt: its English words, and the pressures to say it in other languages. */
interface HoldPrompt {
  server: string;
  systolic: number;
  diastolic: number;
}

function StartForm({
  planId,
  patientId,
  prefill,
}: {
  planId: string;
  patientId: string;
  prefill: SessionPrefill;
}) {
  const { t, language } = useI18n();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [weight, setWeight] = useState(prefill.weight_kg?.toString() ?? '');
  const [lot, setLot] = useState(prefill.lot_number ?? '');
  const [vitals, setVitals] = useState({ systolic: '', diastolic: '', heart_rate: '', spo2: '' });
  // Set once the API says the BP is above the hold threshold.
  const [prompt, setPrompt] = useState<HoldPrompt | null>(null);
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
    onError: (error, body) => {
      if (isHoldRequired(error)) {
        setPrompt({
          server: error.problem.detail ?? error.problem.title,
          systolic: body.pre_vitals.systolic,
          diastolic: body.pre_vitals.diastolic,
        });
      }
    },
  });
  const blocked = problemSlug(start.error) === 'plan-blocked';
  const errors = useFormErrors(
    useLocalizedError(isHoldRequired(start.error) || blocked ? null : start.error),
    FIELDS,
  );
  const f = errors.fields;
  const num = (v: string) => parseNumber(v);
  const promptText =
    prompt === null
      ? null
      : language === 'en'
        ? prompt.server
        : t('treatment.holdPrompt', {
            systolic: prompt.systolic,
            diastolic: prompt.diastolic,
            limitSystolic: prefill.hold_systolic_above,
            limitDiastolic: prefill.hold_diastolic_above,
          });
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
      {blocked ? (
        <div className="alert alert-error" role="alert">
          <p className="alert-title">{t('treatment.blockedTitle')}</p>
          <p>{t('problem.plan-blocked')}</p>
        </div>
      ) : null}
      {blocked ? <Readiness patientId={patientId} planId={planId} level={3} /> : null}
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
          <p role="alert">{promptText}</p>
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
