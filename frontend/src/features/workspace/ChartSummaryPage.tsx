import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import type { FlagRead, ScaleTrend, TrendsRead } from '../../api/generated';
import { PageHeading } from '../../components/PageHeading';
import { Empty, ErrorState, Loading } from '../../components/States';
import { usePageTitle } from '../../components/usePageTitle';
import { type MessageKey, useI18n } from '../../i18n';
import { formatDate, formatDateTimeIn } from '../patient/format';
import { isScaleCode } from '../patient/queries';
import { TrendChart } from '../scores/TrendChart';
import {
  inboxOrder,
  lastNoteQuery,
  patientFlagsQuery,
  patientProfileQuery,
  patientSafetyQuery,
  patientTrendsQuery,
} from './queries';
import { SafetyTaskCard } from './SafetyInboxPage';

const MAX: Record<string, number> = { phq9: 27, gad7: 21, pcl5: 80, cadss6: 24, pain_nrs: 10 };
const SEVERITY: Record<FlagRead['severity'], number> = { urgent: 0, high: 1, moderate: 2 };
const SEVERITY_LABEL: Record<FlagRead['severity'], MessageKey> = {
  urgent: 'chart.severity.urgent',
  high: 'chart.severity.high',
  moderate: 'chart.severity.moderate',
};
const FLAG_STATUS: Record<FlagRead['status'], MessageKey> = {
  unreviewed: 'chart.flagStatus.unreviewed',
  cleared: 'chart.flagStatus.cleared',
  overridden: 'chart.flagStatus.overridden',
};

const browserZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

function scaleName(code: string, t: (key: MessageKey) => string): string {
  return isScaleCode(code) ? t(`scale.${code}`) : code;
}

/** A chart at a glance: open safety tasks, screening flags, latest scores and trend, last note. */
export function ChartSummaryPage() {
  const { patientId = '' } = useParams();
  const { t, language } = useI18n();
  const profile = useQuery(patientProfileQuery(patientId));
  const name = profile.data
    ? profile.data.preferred_name
      ? `${profile.data.legal_name} (${profile.data.preferred_name})`
      : profile.data.legal_name
    : t('chart.title');
  usePageTitle(name);
  return (
    <section>
      <p>
        <Link to="/my-patients">{t('chart.back')}</Link>
      </p>
      <PageHeading>{name}</PageHeading>
      {profile.isPending ? (
        <Loading />
      ) : profile.isError ? (
        <ErrorState error={profile.error} onRetry={() => void profile.refetch()} />
      ) : (
        <dl className="facts card">
          <dt>{t('patients.born')}</dt>
          <dd>{formatDate(profile.data.date_of_birth, language)}</dd>
          <dt>{t('chart.residence')}</dt>
          <dd>{profile.data.state}</dd>
          <dt>{t('chart.currentState')}</dt>
          <dd>{profile.data.current_state ?? t('chart.unknown')}</dd>
          <dt>{t('chart.phone')}</dt>
          <dd>
            {profile.data.phone ? (
              <a href={`tel:${profile.data.phone}`}>{profile.data.phone}</a>
            ) : (
              t('chart.unknown')
            )}
          </dd>
          <dt>{t('patients.language')}</dt>
          <dd>{t(`language.${profile.data.language}`)}</dd>
        </dl>
      )}
      <ChartSafety patientId={patientId} />
      <ChartFlags patientId={patientId} />
      <ChartScores patientId={patientId} />
      <LastNote patientId={patientId} />
    </section>
  );
}

function ChartSafety({ patientId }: { patientId: string }) {
  const { t } = useI18n();
  const tasks = useQuery(patientSafetyQuery(patientId));
  const open = tasks.data ? inboxOrder(tasks.data.filter((task) => task.status === 'open')) : [];
  return (
    <section className="card" aria-labelledby="chart-safety-title">
      <h2 id="chart-safety-title">{t('chart.safety')}</h2>
      {tasks.isPending ? (
        <Loading />
      ) : tasks.isError ? (
        <ErrorState error={tasks.error} onRetry={() => void tasks.refetch()} />
      ) : open.length === 0 ? (
        <Empty>{t('chart.noSafety')}</Empty>
      ) : (
        <ol className="list">
          {open.map((task) => (
            <li key={task.id}>
              <SafetyTaskCard task={task} level={3} />
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function ChartFlags({ patientId }: { patientId: string }) {
  const { t } = useI18n();
  const flags = useQuery(patientFlagsQuery(patientId));
  const current = flags.data
    ? flags.data
        .filter((f) => f.current)
        .sort(
          (a, b) =>
            Number(a.status !== 'unreviewed') - Number(b.status !== 'unreviewed') ||
            SEVERITY[a.severity] - SEVERITY[b.severity],
        )
    : [];
  return (
    <section className="card" aria-labelledby="chart-flags-title">
      <h2 id="chart-flags-title">{t('chart.flags')}</h2>
      {flags.isPending ? (
        <Loading />
      ) : flags.isError ? (
        <ErrorState error={flags.error} onRetry={() => void flags.refetch()} />
      ) : current.length === 0 ? (
        <Empty>{t('chart.noFlags')}</Empty>
      ) : (
        <ul className="list">
          {current.map((f) => (
            <li key={f.id}>
              <span className={f.severity === 'moderate' ? 'badge warn' : 'badge danger'}>
                {t(SEVERITY_LABEL[f.severity])}
              </span>{' '}
              {f.message} <span className="muted">({t(FLAG_STATUS[f.status])})</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** "down 4 from 16" against the score before; null with one score only. */
function change(trend: ScaleTrend, t: (key: MessageKey, p?: Record<string, number>) => string) {
  const last = trend.points[trend.points.length - 1];
  const before = trend.points[trend.points.length - 2];
  if (!last || !before) return null;
  const delta = last.score - before.score;
  if (delta === 0) return t('chart.same', { previous: before.score });
  return delta < 0
    ? t('chart.down', { delta: -delta, previous: before.score })
    : t('chart.up', { delta, previous: before.score });
}

function ChartScores({ patientId }: { patientId: string }) {
  const { t } = useI18n();
  const trends = useQuery(patientTrendsQuery(patientId));
  const withPoints = trends.data?.scales.filter((s) => s.points.length > 0) ?? [];
  return (
    <section className="card" aria-labelledby="chart-scores-title">
      <h2 id="chart-scores-title">{t('chart.scores')}</h2>
      {trends.isPending ? (
        <Loading />
      ) : trends.isError ? (
        <ErrorState error={trends.error} onRetry={() => void trends.refetch()} />
      ) : withPoints.length === 0 ? (
        <Empty>{t('chart.noScores')}</Empty>
      ) : (
        <ScoresTable trends={trends.data} withPoints={withPoints} />
      )}
    </section>
  );
}

function ScoresTable({ trends, withPoints }: { trends: TrendsRead; withPoints: ScaleTrend[] }) {
  const { t, language } = useI18n();
  const zone = browserZone();
  const phq9 = withPoints.find((s) => s.scale === 'phq9');
  const outcome = trends.phq9;
  return (
    <>
      <table className="table">
        <caption className="visually-hidden">{t('chart.scores')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('chart.scale')}</th>
            <th scope="col">{t('chart.latest')}</th>
            <th scope="col">{t('chart.trend')}</th>
            <th scope="col">{t('chart.when')}</th>
          </tr>
        </thead>
        <tbody>
          {withPoints.map((trend) => {
            const last = trend.points[trend.points.length - 1];
            if (!last) return null;
            return (
              <tr key={trend.scale}>
                <th scope="row">{scaleName(trend.scale, t)}</th>
                <td>
                  {t('chart.score', { score: last.score, max: MAX[trend.scale] ?? '?' })}
                  {last.band ? ` · ${last.band}` : ''}
                </td>
                <td>{change(trend, t) ?? t('chart.oneScore')}</td>
                <td>{formatDateTimeIn(last.at, zone, language)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {outcome.latest_score !== null && outcome.baseline_score !== null ? (
        <p>
          {t('chart.phq9Outcome', {
            baseline: outcome.baseline_score,
            latest: outcome.latest_score,
          })}
          {outcome.remission
            ? ` ${t('chart.remission')}`
            : outcome.response
              ? ` ${t('chart.response')}`
              : ''}
        </p>
      ) : null}
      {phq9 && phq9.points.length > 1 ? (
        <TrendChart
          title={t('scores.chartTitle', { name: scaleName('phq9', t) })}
          points={phq9.points}
          max={27}
          markers={trends.infusions.map((i) => i.at)}
          threshold={{
            value: outcome.remission_below,
            label: t('scores.remissionLine', { score: outcome.remission_below }),
          }}
        />
      ) : null}
    </>
  );
}

function LastNote({ patientId }: { patientId: string }) {
  const { t, language } = useI18n();
  const notes = useQuery(lastNoteQuery(patientId));
  const note = notes.data?.items[0];
  return (
    <section className="card" aria-labelledby="chart-note-title">
      <h2 id="chart-note-title">{t('chart.lastNote')}</h2>
      {notes.isPending ? (
        <Loading />
      ) : notes.isError ? (
        <ErrorState error={notes.error} onRetry={() => void notes.refetch()} />
      ) : !note ? (
        <Empty>{t('chart.noNotes')}</Empty>
      ) : (
        <>
          <p>
            <strong>{note.title}</strong> ·{' '}
            {formatDateTimeIn(note.visit_at, browserZone(), language)}
          </p>
          <p>
            {note.status === 'signed'
              ? t('chart.noteSigned', {
                  name: note.signer_name ?? '',
                  time: note.signed_at
                    ? formatDateTimeIn(note.signed_at, browserZone(), language)
                    : '',
                })
              : t('chart.noteDraft')}
            {note.addenda > 0 ? ` · ${t('chart.addenda', { count: note.addenda })}` : ''}
          </p>
          {notes.data.total > 1 ? (
            <p className="muted">{t('chart.moreNotes', { count: notes.data.total - 1 })}</p>
          ) : null}
        </>
      )}
    </section>
  );
}

export default ChartSummaryPage;
