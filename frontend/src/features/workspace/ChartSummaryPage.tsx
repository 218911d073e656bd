import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import type {
  FlagRead,
  InfusionMarker,
  ScaleTrend,
  TrendsRead,
  VitalsRead,
} from '../../api/generated';
import { PageHeading } from '../../components/PageHeading';
import { Empty, ErrorState, Loading } from '../../components/States';
import { usePageTitle } from '../../components/usePageTitle';
import { type MessageKey, useI18n } from '../../i18n';
import { bandLabel, flagText, templateTitle } from '../../i18n/serverTexts';
import { dayIn, formatDate, formatDateTimeIn } from '../patient/format';
import { isScaleCode } from '../patient/queries';
import { TrendChart } from '../scores/TrendChart';
import { TreatmentPlans } from '../treatment/TreatmentPlans';
import {
  inboxOrder,
  infusionSessionQuery,
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

/** One part of the chart; `level` 3 when it sits under another heading (the call's side panel). */
export interface ChartPartProps {
  patientId: string;
  level?: 2 | 3;
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
      <p>
        <Link to={`/my-patients/${patientId}/timeline`} className="button secondary">
          {t('timeline.link')}
        </Link>
      </p>
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
      <ChartVitals patientId={patientId} />
      <TreatmentPlans patientId={patientId} />
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

export function ChartFlags({ patientId, level = 2 }: ChartPartProps) {
  const H = level === 3 ? 'h3' : 'h2';
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
      <H id="chart-flags-title">{t('chart.flags')}</H>
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
              {flagText(f, t)} <span className="muted">({t(FLAG_STATUS[f.status])})</span>
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

export function ChartScores({ patientId, level = 2 }: ChartPartProps) {
  const H = level === 3 ? 'h3' : 'h2';
  const { t } = useI18n();
  const trends = useQuery(patientTrendsQuery(patientId));
  const withPoints = trends.data?.scales.filter((s) => s.points.length > 0) ?? [];
  return (
    <section className="card" aria-labelledby="chart-scores-title">
      <H id="chart-scores-title">{t('chart.scores')}</H>
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
                  {last.band ? ` · ${bandLabel(last, language)}` : ''}
                </td>
                <td>{change(trend, t) ?? t('chart.oneScore')}</td>
                <td>
                  {/* The day is enough beside the score (the panel beside a call is narrow). */}
                  <time dateTime={last.at} title={formatDateTimeIn(last.at, zone, language)}>
                    {formatDate(dayIn(last.at, zone), language)}
                  </time>
                </td>
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

export const TIMEPOINT: Record<VitalsRead['timepoint'], MessageKey> = {
  pre: 'chart.timepoint.pre',
  min_15: 'chart.timepoint.min_15',
  min_30: 'chart.timepoint.min_30',
  min_45: 'chart.timepoint.min_45',
  end: 'chart.timepoint.end',
  discharge: 'chart.timepoint.discharge',
};
const TIMEPOINT_ORDER = Object.keys(TIMEPOINT);

/** The vitals of the latest infusion session, at each timepoint recorded. */
export function ChartVitals({ patientId, level = 2 }: ChartPartProps) {
  const H = level === 3 ? 'h3' : 'h2';
  const { t, language } = useI18n();
  const trends = useQuery(patientTrendsQuery(patientId));
  const last = trends.data?.infusions.reduce<InfusionMarker | null>(
    (latest, i) => (!latest || Date.parse(i.at) > Date.parse(latest.at) ? i : latest),
    null,
  );
  const session = useQuery({
    ...infusionSessionQuery(last?.session_id ?? ''),
    enabled: Boolean(last),
  });
  const vitals = [...(session.data?.vitals ?? [])].sort(
    (a, b) => TIMEPOINT_ORDER.indexOf(a.timepoint) - TIMEPOINT_ORDER.indexOf(b.timepoint),
  );
  const pending = trends.isPending || (Boolean(last) && session.isPending);
  const failed = trends.isError ? trends : session.isError ? session : null;
  return (
    <section className="card" aria-labelledby="chart-vitals-title">
      <H id="chart-vitals-title">{t('chart.vitals')}</H>
      {pending ? (
        <Loading />
      ) : failed ? (
        <ErrorState error={failed.error} onRetry={() => void failed.refetch()} />
      ) : !last || vitals.length === 0 ? (
        <Empty>{t('chart.noVitals')}</Empty>
      ) : (
        <>
          <p>
            {t('chart.vitalsSession', {
              sequence: last.sequence,
              time: formatDateTimeIn(last.at, browserZone(), language),
            })}
          </p>
          <table className="table">
            <caption className="visually-hidden">{t('chart.vitals')}</caption>
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
        </>
      )}
    </section>
  );
}

export function LastNote({ patientId, level = 2 }: ChartPartProps) {
  const H = level === 3 ? 'h3' : 'h2';
  const { t, language } = useI18n();
  const notes = useQuery(lastNoteQuery(patientId));
  const note = notes.data?.items[0];
  return (
    <section className="card" aria-labelledby="chart-note-title">
      <H id="chart-note-title">{t('chart.lastNote')}</H>
      {notes.isPending ? (
        <Loading />
      ) : notes.isError ? (
        <ErrorState error={notes.error} onRetry={() => void notes.refetch()} />
      ) : !note ? (
        <Empty>{t('chart.noNotes')}</Empty>
      ) : (
        <>
          <p>
            <strong>{templateTitle(note.template, note.title, t)}</strong> ·{' '}
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
