import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { PageHeading } from '../../components/PageHeading';
import { ErrorState, Loading } from '../../components/States';
import { usePageTitle } from '../../components/usePageTitle';
import { useI18n } from '../../i18n';
import { formatDateTimeIn } from '../patient/format';
import { summaryQuery } from '../patient/queries';

/** One after-visit summary. */
export function SummaryPage() {
  const { noteId = '' } = useParams();
  const { t, language } = useI18n();
  const summary = useQuery(summaryQuery(noteId));
  usePageTitle(summary.data?.title ?? t('summaries.title'));
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return (
    <section>
      <p>
        <Link to="/summaries">{t('summaries.back')}</Link>
      </p>
      {summary.isPending ? (
        <Loading />
      ) : summary.isError ? (
        <>
          <PageHeading>{t('summaries.title')}</PageHeading>
          <ErrorState error={summary.error} onRetry={() => void summary.refetch()} />
        </>
      ) : (
        <article>
          <PageHeading>{summary.data.title}</PageHeading>
          <p className="muted">
            {formatDateTimeIn(summary.data.visit_at, zone, language)}
            {summary.data.psychiatrist ? ` · ${summary.data.psychiatrist}` : ''}
          </p>
          {summary.data.patient_instructions ? (
            <section className="card" aria-labelledby="instructions-title">
              <h2 id="instructions-title">{t('summaries.instructions')}</h2>
              <p className="prewrap">{summary.data.patient_instructions}</p>
            </section>
          ) : null}
          {summary.data.sections.map((s) => (
            <section key={s.section} className="card" aria-labelledby={`section-${s.section}`}>
              <h2 id={`section-${s.section}`}>{s.label}</h2>
              <p className="prewrap">{s.text}</p>
            </section>
          ))}
          {summary.data.diagnoses.length > 0 ? (
            <section className="card" aria-labelledby="diagnoses-title">
              <h2 id="diagnoses-title">{t('summaries.diagnoses')}</h2>
              <ul>
                {summary.data.diagnoses.map((d) => (
                  <li key={d.code}>
                    {d.description} ({d.code})
                  </li>
                ))}
              </ul>
            </section>
          ) : null}
          {summary.data.addenda.length > 0 ? (
            <section className="card" aria-labelledby="addenda-title">
              <h2 id="addenda-title">{t('summaries.addenda')}</h2>
              {summary.data.addenda.map((a) => (
                <div key={a.signed_at}>
                  <p className="muted">{formatDateTimeIn(a.signed_at, zone, language)}</p>
                  <p className="prewrap">{a.text}</p>
                </div>
              ))}
            </section>
          ) : null}
        </article>
      )}
    </section>
  );
}

export default SummaryPage;
