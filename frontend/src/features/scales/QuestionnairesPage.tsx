import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import type { AssignmentRead } from '../../api/generated';
import { Notice } from '../../components/Notice';
import { PageHeading } from '../../components/PageHeading';
import { Empty, ErrorState, Loading } from '../../components/States';
import { usePageTitle } from '../../components/usePageTitle';
import { useI18n } from '../../i18n';
import { formatDate } from '../patient/format';
import { dueScalesQuery, scalesQuery } from '../patient/queries';

// Filled in by the clinician during an infusion, not by the patient at home.
const CLINICIAN_ONLY = new Set(['cadss6']);

const TONE: Record<AssignmentRead['status'], string> = {
  due: 'warn',
  overdue: 'warn',
  completed: 'ok',
};

/** Questionnaires the psychiatrist asked for, and the ones a patient may fill in any time. */
export function QuestionnairesPage() {
  const { t, language } = useI18n();
  usePageTitle(t('scales.title'));
  const due = useQuery(dueScalesQuery);
  const scales = useQuery(scalesQuery(language));
  const open = due.data?.filter((a) => a.status !== 'completed') ?? [];

  return (
    <section>
      <PageHeading>{t('scales.title')}</PageHeading>
      <Notice />
      <section aria-labelledby="due-title">
        <h2 id="due-title">{t('scales.requested')}</h2>
        {due.isPending ? (
          <Loading />
        ) : due.isError ? (
          <ErrorState error={due.error} onRetry={() => void due.refetch()} />
        ) : open.length === 0 ? (
          <Empty>{t('scales.noneDue')}</Empty>
        ) : (
          <ul className="list">
            {open.map((a) => (
              <li key={a.id} className="list-item">
                <div>
                  <p>
                    <Link to={`/questionnaires/${a.scale}?assignment=${a.id}`}>{a.scale_name}</Link>
                    <span className={`badge ${TONE[a.status]}`}>
                      {t(`scales.status.${a.status}`)}
                    </span>
                  </p>
                  <p className="muted">
                    {t('scales.dueOn', { date: formatDate(a.due_on, language) })}
                    {a.note ? ` · ${a.note}` : ''}
                  </p>
                </div>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="all-scales-title">
        <h2 id="all-scales-title">{t('scales.available')}</h2>
        {scales.isPending ? (
          <Loading />
        ) : scales.isError ? (
          <ErrorState error={scales.error} onRetry={() => void scales.refetch()} />
        ) : (
          (() => {
            const list = scales.data.filter((s) => !CLINICIAN_ONLY.has(s.code));
            return list.length === 0 ? (
              <Empty>{t('scales.noneAvailable')}</Empty>
            ) : (
              <ul className="list">
                {list.map((s) => (
                  <li key={s.code} className="list-item">
                    <p>
                      <Link to={`/questionnaires/${s.code}`}>{s.name}</Link>{' '}
                      <span className="muted">{t('scales.items', { count: s.items.length })}</span>
                    </p>
                  </li>
                ))}
              </ul>
            );
          })()
        )}
      </section>
      <p>
        <Link to="/scores">{t('portal.nav.scores')}</Link>
      </p>
    </section>
  );
}

export default QuestionnairesPage;
