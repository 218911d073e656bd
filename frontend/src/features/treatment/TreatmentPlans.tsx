import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import type { PlanRead } from '../../api/generated';
import { Empty, ErrorState, Loading } from '../../components/States';
import { type MessageKey, useI18n } from '../../i18n';
import { plansQuery } from './queries';

export const PLAN_STATUS: Record<PlanRead['status'], MessageKey> = {
  proposed: 'treatment.status.proposed',
  active: 'treatment.status.active',
  paused: 'treatment.status.paused',
  completed: 'treatment.status.completed',
};

/** The patient's treatment plans on the chart, each opening its infusion sessions. */
export function TreatmentPlans({ patientId }: { patientId: string }) {
  const { t } = useI18n();
  const plans = useQuery(plansQuery(patientId));
  return (
    <section className="card" aria-labelledby="chart-plans-title">
      <h2 id="chart-plans-title">{t('treatment.plans')}</h2>
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
              <Link to={`/my-patients/${patientId}/plans/${plan.id}`}>{plan.indication}</Link>{' '}
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
    </section>
  );
}
