import { useQuery } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { Link } from 'react-router';
import { Empty, ErrorState, Loading } from '../../components/States';
import { type MessageKey, useI18n } from '../../i18n';
import { formatTimeIn, visitName } from '../patient/format';
import { StatusBadge } from '../patient/StatusBadge';
import { myPatientsQuery, type ScheduleStatus, scheduleQuery } from './queries';

const FILTERS: ReadonlyArray<readonly [ScheduleStatus, MessageKey]> = [
  ['all', 'schedule.filter.all'],
  ['confirmed', 'visitStatus.confirmed'],
  ['held', 'visitStatus.held'],
  ['cancelled', 'visitStatus.cancelled'],
  ['no_show', 'visitStatus.no_show'],
];

/** The day's visits from the bookings list, filtered by status. */
export function Schedule({ day }: { day: string }) {
  const { t, language } = useI18n();
  const [status, setStatus] = useState<ScheduleStatus>('all');
  const filterId = useId();
  const schedule = useQuery(scheduleQuery(day, status));
  // The bookings list carries patient ids only: names come from my care-team list.
  const patients = useQuery(myPatientsQuery(1, 100));
  const names = new Map(patients.data?.items.map((p) => [p.patient_id, p.name]) ?? []);
  const items = schedule.data
    ? [...schedule.data.items].sort((a, b) => Date.parse(a.starts_at) - Date.parse(b.starts_at))
    : [];

  return (
    <section className="card" aria-labelledby="schedule-title">
      <h2 id="schedule-title">{t('schedule.title')}</h2>
      <div className="field inline">
        <label htmlFor={filterId}>{t('schedule.filter')}</label>
        <select
          id={filterId}
          value={status}
          onChange={(e) => setStatus(e.target.value as ScheduleStatus)}
        >
          {FILTERS.map(([value, label]) => (
            <option key={value} value={value}>
              {t(label)}
            </option>
          ))}
        </select>
      </div>
      {schedule.isPending ? (
        <Loading />
      ) : schedule.isError ? (
        <ErrorState error={schedule.error} onRetry={() => void schedule.refetch()} />
      ) : items.length === 0 ? (
        <Empty>{status === 'all' ? t('schedule.empty') : t('schedule.emptyFiltered')}</Empty>
      ) : (
        <ol className="list schedule" aria-busy={schedule.isFetching}>
          {items.map((b) => (
            <li key={b.id}>
              <span className="schedule-time">
                {formatTimeIn(b.starts_at, b.time_zone, language)}–
                {formatTimeIn(b.ends_at, b.time_zone, language)}
              </span>{' '}
              <Link to={`/my-patients/${b.patient_id}`}>
                {names.get(b.patient_id) ?? t('schedule.patient')}
              </Link>{' '}
              · {visitName(b.visit_type, language)} <StatusBadge status={b.status} />
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
