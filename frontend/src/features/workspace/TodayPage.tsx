import { useQuery } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { Link } from 'react-router';
import { useSession } from '../../api/session';
import { PageHeading } from '../../components/PageHeading';
import { usePageTitle } from '../../components/usePageTitle';
import { useI18n } from '../../i18n';
import { localToday, safetyTasksQuery } from './queries';
import { Schedule } from './Schedule';
import { WaitingRoom } from './WaitingRoom';

/** The psychiatrist's landing page: open safety tasks, the waiting room and the day's visits. */
export function TodayPage() {
  const { t } = useI18n();
  usePageTitle(t('today.title'));
  const session = useSession();
  const today = localToday();
  const [day, setDay] = useState(today);
  const dayId = useId();
  return (
    <section>
      <PageHeading>
        {session.user?.full_name
          ? t('today.greeting', { name: session.user.full_name })
          : t('today.title')}
      </PageHeading>
      <SafetyBanner />
      <div className="field inline">
        <label htmlFor={dayId}>{t('today.day')}</label>
        <input
          id={dayId}
          type="date"
          value={day}
          onChange={(e) => setDay(e.target.value || today)}
        />
        {day !== today ? (
          <button type="button" className="button secondary small" onClick={() => setDay(today)}>
            {t('today.backToToday')}
          </button>
        ) : null}
      </div>
      <WaitingRoom day={day} />
      <Schedule day={day} />
    </section>
  );
}

/** Open safety tasks, counted, with item-9 answers called out: the inbox is one click away. */
function SafetyBanner() {
  const { t } = useI18n();
  const tasks = useQuery(safetyTasksQuery('open', 1));
  if (!tasks.data || tasks.data.total === 0) return null;
  const item9 = tasks.data.items.filter((task) => task.kind === 'phq9_item9').length;
  return (
    <div className={item9 > 0 ? 'alert alert-error' : 'alert'} role="status">
      <p className="alert-title">{t('today.safetyOpen', { count: tasks.data.total })}</p>
      {item9 > 0 ? <p>{t('today.safetyItem9', { count: item9 })}</p> : null}
      <p>
        <Link to="/safety">{t('today.openInbox')}</Link>
      </p>
    </div>
  );
}

export default TodayPage;
