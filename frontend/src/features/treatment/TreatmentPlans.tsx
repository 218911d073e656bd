import { useQuery } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState } from 'react';
import { Link } from 'react-router';
import type { PlanRead } from '../../api/generated';
import { Empty, ErrorState, Loading } from '../../components/States';
import { type MessageKey, useI18n } from '../../i18n';
import { indicationName } from '../../i18n/serverTexts';
import { NewPlanForm } from './NewPlanForm';
import { plansQuery } from './queries';
import './treatment.css';

export const PLAN_STATUS: Record<PlanRead['status'], MessageKey> = {
  proposed: 'treatment.status.proposed',
  active: 'treatment.status.active',
  paused: 'treatment.status.paused',
  completed: 'treatment.status.completed',
};

/** The patient's treatment plans on the chart, each opening its infusion sessions; a new one. */
export function TreatmentPlans({ patientId }: { patientId: string }) {
  const { t } = useI18n();
  const formId = useId();
  const plans = useQuery(plansQuery(patientId));
  const [creating, setCreating] = useState(false);
  const opener = useRef<HTMLButtonElement>(null);
  const wasCreating = useRef(false);
  useEffect(() => {
    // Closing the form puts focus back on the button that opened it.
    if (!creating && wasCreating.current) opener.current?.focus();
    wasCreating.current = creating;
  }, [creating]);
  return (
    <section className="card" aria-labelledby="chart-plans-title">
      <div className="section-head">
        <h2 id="chart-plans-title">{t('treatment.plans')}</h2>
        {creating ? null : (
          <button
            type="button"
            className="button secondary"
            ref={opener}
            onClick={() => setCreating(true)}
          >
            {t('treatment.newPlan')}
          </button>
        )}
      </div>
      {plans.isPending ? (
        <Loading />
      ) : plans.isError ? (
        <ErrorState error={plans.error} onRetry={() => void plans.refetch()} />
      ) : plans.data.length === 0 ? (
        <Empty>{t('treatment.noPlans')}</Empty>
      ) : (
        <ul className="list">
          {plans.data.map((plan) => (
            <li key={plan.id}>
              <Link to={`/my-patients/${patientId}/plans/${plan.id}`}>
                {indicationName(plan.indication, t)}
              </Link>{' '}
              <span className="badge">{t(PLAN_STATUS[plan.status])}</span>{' '}
              {t('treatment.progress', {
                done: plan.induction_done,
                total: plan.induction_infusions,
                maintenance: plan.maintenance_done,
              })}
            </li>
          ))}
        </ul>
      )}
      {creating ? (
        <section id={formId} aria-labelledby={`${formId}-title`} className="new-plan-panel">
          <h3 id={`${formId}-title`}>{t('treatment.newPlan')}</h3>
          <NewPlanForm patientId={patientId} onCancel={() => setCreating(false)} />
        </section>
      ) : null}
    </section>
  );
}
