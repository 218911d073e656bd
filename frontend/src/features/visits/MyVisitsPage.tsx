import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { PageHeading } from '../../components/PageHeading';
import { Empty, ErrorState, Loading } from '../../components/States';
import { usePageTitle } from '../../components/usePageTitle';
import { useI18n } from '../../i18n';
import { formatDateTimeIn, visitName } from '../patient/format';
import { Pagination } from '../patient/Pagination';
import { bookingsQuery, type VisitsWhen } from '../patient/queries';
import { StatusBadge } from '../patient/StatusBadge';

/** Upcoming and past visits, a page at a time. */
export function MyVisitsPage() {
  const { t, language } = useI18n();
  usePageTitle(t('visits.title'));
  const [params, setParams] = useSearchParams();
  const when: VisitsWhen = params.get('when') === 'past' ? 'past' : 'upcoming';
  const page = Math.max(1, Number(params.get('page')) || 1);
  const [now] = useState(() => new Date().toISOString());
  const visits = useQuery(bookingsQuery(when, page, now));

  return (
    <section>
      <div className="page-head">
        <PageHeading>{t('visits.title')}</PageHeading>
        <Link to="/book" className="button primary">
          {t('portal.nav.book')}
        </Link>
      </div>
      <nav className="segmented" aria-label={t('visits.which')}>
        {(['upcoming', 'past'] as const).map((w) => (
          <Link
            key={w}
            to={w === 'past' ? '?when=past' : '?'}
            aria-current={w === when ? 'page' : undefined}
            className={w === when ? 'current' : undefined}
          >
            {t(w === 'past' ? 'visits.past' : 'visits.upcoming')}
          </Link>
        ))}
      </nav>
      <h2 className="visually-hidden">{t(when === 'past' ? 'visits.past' : 'visits.upcoming')}</h2>
      {visits.isPending ? (
        <Loading />
      ) : visits.isError ? (
        <ErrorState error={visits.error} onRetry={() => void visits.refetch()} />
      ) : visits.data.items.length === 0 ? (
        <Empty>
          {when === 'past' ? t('visits.emptyPast') : t('visits.emptyUpcoming')}{' '}
          {when === 'upcoming' ? <Link to="/book">{t('portal.nav.book')}</Link> : null}
        </Empty>
      ) : (
        <>
          <ul className="list" aria-busy={visits.isPlaceholderData}>
            {visits.data.items.map((b) => (
              <li key={b.id} className="list-item">
                <div>
                  <p>
                    <Link to={`/visits/${b.id}`}>
                      {formatDateTimeIn(b.starts_at, b.time_zone, language)}
                    </Link>
                    <StatusBadge status={b.status} />
                  </p>
                  <p className="muted">
                    {t('visits.with', {
                      visit: visitName(b.visit_type, language),
                      name: b.psychiatrist_name,
                    })}
                  </p>
                </div>
              </li>
            ))}
          </ul>
          <Pagination
            page={visits.data.page}
            limit={visits.data.limit}
            total={visits.data.total}
            label={t('visits.pages')}
            onPage={(next) => {
              const nextParams = new URLSearchParams(params);
              nextParams.set('page', String(next));
              setParams(nextParams);
            }}
          />
        </>
      )}
    </section>
  );
}

export default MyVisitsPage;
