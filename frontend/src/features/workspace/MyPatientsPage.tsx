import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { PageHeading } from '../../components/PageHeading';
import { Empty, ErrorState, Loading } from '../../components/States';
import { usePageTitle } from '../../components/usePageTitle';
import { useI18n } from '../../i18n';
import { formatDate } from '../patient/format';
import { Pagination } from '../patient/Pagination';
import { myPatientsQuery } from './queries';

/** Patients on my care team, each linking to a chart summary. */
export function MyPatientsPage() {
  const { t, language } = useI18n();
  usePageTitle(t('patients.title'));
  const [page, setPage] = useState(1);
  const patients = useQuery(myPatientsQuery(page));
  return (
    <section>
      <PageHeading>{t('patients.title')}</PageHeading>
      {patients.isPending ? (
        <Loading />
      ) : patients.isError ? (
        <ErrorState error={patients.error} onRetry={() => void patients.refetch()} />
      ) : patients.data.items.length === 0 ? (
        <Empty>{t('patients.empty')}</Empty>
      ) : (
        <>
          <table className="table">
            <caption className="visually-hidden">{t('patients.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('patients.name')}</th>
                <th scope="col">{t('patients.born')}</th>
                <th scope="col">{t('patients.state')}</th>
                <th scope="col">{t('patients.language')}</th>
                <th scope="col">{t('patients.since')}</th>
              </tr>
            </thead>
            <tbody>
              {patients.data.items.map((p) => (
                <tr key={p.patient_id}>
                  <th scope="row">
                    <Link to={`/my-patients/${p.patient_id}`}>{p.name}</Link>
                    <br />
                    <Link
                      to={`/my-patients/${p.patient_id}/timeline`}
                      aria-label={t('timeline.linkFor', { name: p.name })}
                      className="muted"
                    >
                      {t('timeline.link')}
                    </Link>
                  </th>
                  <td>{formatDate(p.date_of_birth, language)}</td>
                  <td>{p.state}</td>
                  <td>{t(`language.${p.language}`)}</td>
                  <td>{formatDate(p.on_care_team_since, language)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pagination
            page={page}
            limit={patients.data.limit}
            total={patients.data.total}
            onPage={setPage}
            label={t('patients.pages')}
          />
        </>
      )}
    </section>
  );
}

export default MyPatientsPage;
