import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import type { Phq9Outcome, ScaleTrend } from '../../api/generated';
import { PageHeading } from '../../components/PageHeading';
import { Empty, ErrorState, Loading } from '../../components/States';
import { usePageTitle } from '../../components/usePageTitle';
import { type MessageKey, useI18n } from '../../i18n';
import { formatDateTimeIn } from '../patient/format';
import { isScaleCode, trendsQuery } from '../patient/queries';
import { TrendChart } from './TrendChart';

const MAX: Record<string, number> = { phq9: 27, gad7: 21, pcl5: 80, cadss6: 24, pain_nrs: 10 };

function scaleLabel(code: string): MessageKey | null {
  return isScaleCode(code) ? `scale.${code}` : null;
}

/** My scores over time, one chart per questionnaire, with infusion dates marked. */
export function ScoresPage() {
  const { t } = useI18n();
  usePageTitle(t('scores.title'));
  const trends = useQuery(trendsQuery);
  const withPoints = trends.data?.scales.filter((s) => s.points.length > 0) ?? [];
  return (
    <section>
      <PageHeading>{t('scores.title')}</PageHeading>
      {trends.isPending ? (
        <Loading />
      ) : trends.isError ? (
        <ErrorState error={trends.error} onRetry={() => void trends.refetch()} />
      ) : withPoints.length === 0 ? (
        <Empty>
          {t('scores.empty')} <Link to="/questionnaires">{t('portal.nav.questionnaires')}</Link>
        </Empty>
      ) : (
        <>
          {trends.data.phq9.latest_score !== null ? (
            <Phq9Summary outcome={trends.data.phq9} />
          ) : null}
          {withPoints.map((trend) => (
            <ScaleCard
              key={trend.scale}
              trend={trend}
              infusions={trend.scale === 'phq9' ? trends.data.infusions.map((i) => i.at) : []}
              remissionBelow={trend.scale === 'phq9' ? trends.data.phq9.remission_below : undefined}
            />
          ))}
        </>
      )}
    </section>
  );
}

function Phq9Summary({ outcome }: { outcome: Phq9Outcome }) {
  const { t } = useI18n();
  return (
    <section className="card" aria-labelledby="phq9-outcome-title">
      <h2 id="phq9-outcome-title">{t('scores.phq9Progress')}</h2>
      <dl className="facts">
        {outcome.baseline_score !== null ? (
          <>
            <dt>{t('scores.baseline')}</dt>
            <dd>{outcome.baseline_score}</dd>
          </>
        ) : null}
        <dt>{t('scores.latest')}</dt>
        <dd>{outcome.latest_score}</dd>
        {outcome.change_percent !== null ? (
          <>
            <dt>{t('scores.change')}</dt>
            <dd>
              {outcome.change_percent >= 0
                ? t('scores.lower', { percent: Math.round(outcome.change_percent) })
                : t('scores.higher', { percent: Math.round(-outcome.change_percent) })}
            </dd>
          </>
        ) : null}
      </dl>
      {outcome.remission ? (
        <p>{t('scores.remission', { score: outcome.remission_below })}</p>
      ) : outcome.response ? (
        <p>{t('scores.response', { percent: outcome.response_drop_percent })}</p>
      ) : null}
    </section>
  );
}

function ScaleCard({
  trend,
  infusions,
  remissionBelow,
}: {
  trend: ScaleTrend;
  infusions: string[];
  remissionBelow?: number | undefined;
}) {
  const { t, language } = useI18n();
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const labelKey = scaleLabel(trend.scale);
  const name = labelKey ? t(labelKey) : trend.scale;
  const max = MAX[trend.scale] ?? Math.max(...trend.points.map((p) => p.score), 1);
  const headingId = `trend-${trend.scale}`;
  return (
    <section className="card" aria-labelledby={headingId}>
      <h2 id={headingId}>{name}</h2>
      <TrendChart
        title={t('scores.chartTitle', { name })}
        points={trend.points}
        max={max}
        markers={infusions}
        threshold={
          remissionBelow !== undefined
            ? { value: remissionBelow, label: t('scores.remissionLine', { score: remissionBelow }) }
            : undefined
        }
      />
      <details>
        <summary>{t('scores.showNumbers')}</summary>
        <table className="table">
          <caption className="visually-hidden">{t('scores.chartTitle', { name })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('scores.date')}</th>
              <th scope="col">{t('scores.score')}</th>
            </tr>
          </thead>
          <tbody>
            {trend.points.map((p) => (
              <tr key={p.at}>
                <td>{formatDateTimeIn(p.at, zone, language)}</td>
                <td>
                  {p.score}
                  {p.baseline ? ` (${t('scores.baseline').toLowerCase()})` : ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </section>
  );
}

export default ScoresPage;
