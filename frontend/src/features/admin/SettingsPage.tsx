import { useQuery } from '@tanstack/react-query';
import { practiceQuery } from '../../api/queries';
import { PageHeading } from '../../components/PageHeading';
import { ErrorState, Loading } from '../../components/States';
import { usePageTitle } from '../../components/usePageTitle';
import { useI18n } from '../../i18n';

/**
 * Practice settings, read-only: the API has no endpoint to change them; they are environment
 * variables of the API service (see README), so this page says what is set and where.
 */
export function SettingsPage() {
  const { t } = useI18n();
  usePageTitle(t('admin.settings.title'));
  const practice = useQuery(practiceQuery);
  return (
    <section>
      <div className="page-head">
        <PageHeading>{t('admin.settings.title')}</PageHeading>
      </div>
      {practice.isPending ? (
        <Loading />
      ) : practice.isError ? (
        <ErrorState error={practice.error} onRetry={() => void practice.refetch()} />
      ) : (
        <section className="card" aria-labelledby="practice-heading">
          <h2 id="practice-heading">{t('admin.settings.practice')}</h2>
          <dl className="facts">
            <dt>{t('admin.settings.name')}</dt>
            <dd>{practice.data.name}</dd>
            <dt>{t('admin.settings.environment')}</dt>
            <dd>{practice.data.environment}</dd>
            <dt>{t('admin.settings.crisisEn')}</dt>
            <dd lang="en">{practice.data.crisis_line_text || '—'}</dd>
            <dt>{t('admin.settings.crisisEs')}</dt>
            <dd lang="es">{practice.data.crisis_line_text_es || '—'}</dd>
          </dl>
        </section>
      )}
      <section className="card" aria-labelledby="where-heading">
        <h2 id="where-heading">{t('admin.settings.whereTitle')}</h2>
        <p>{t('admin.settings.where')}</p>
        <ul>
          <li>{t('admin.settings.thresholds')}</li>
          <li>{t('admin.settings.cancellation')}</li>
          <li>{t('admin.settings.crisis')}</li>
        </ul>
      </section>
    </section>
  );
}

export default SettingsPage;
