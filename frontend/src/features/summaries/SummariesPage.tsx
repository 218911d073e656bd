import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { PageHeading } from '../../components/PageHeading';
import { Empty, ErrorState, Loading } from '../../components/States';
import { usePageTitle } from '../../components/usePageTitle';
import { useI18n } from '../../i18n';
import { formatDateTimeIn } from '../patient/format';
import { Pagination } from '../patient/Pagination';
import { summariesQuery } from '../patient/queries';

/** After-visit summaries: what the psychiatrist chose to share after each visit. */
export function SummariesPage() {
  const { t, language } = useI18n();
  usePageTitle(t('summaries.title'));
  const [page, setPage] = useState(1);
  const summaries = useQuery(summariesQuery(page));
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return (
    <section>
      <PageHeading>{t('summaries.title')}</PageHeading>
      {summaries.isPending ? (
        <Loading />
      ) : summaries.isError ? (
        <ErrorState error={summaries.error} onRetry={() => void summaries.refetch()} />
      ) : summaries.data.items.length === 0 ? (
        <Empty>{t('summaries.empty')}</Empty>
      ) : (
        <>
          <ul className="list">
            {summaries.data.items.map((s) => (
              <li key={s.note_id} className="list-item">
                <div>
                  <p>
                    <Link to={`/summaries/${s.note_id}`}>{s.title}</Link>
                  </p>
                  <p className="muted">
                    {formatDateTimeIn(s.visit_at, zone, language)}
                    {s.psychiatrist ? ` · ${s.psychiatrist}` : ''}
                  </p>
                </div>
              </li>
            ))}
          </ul>
          <Pagination
            page={summaries.data.page}
            limit={summaries.data.limit}
            total={summaries.data.total}
            onPage={setPage}
            label={t('summaries.pages')}
          />
        </>
      )}
    </section>
  );
}

export default SummariesPage;
