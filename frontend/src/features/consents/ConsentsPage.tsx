import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { Notice } from '../../components/Notice';
import { PageHeading } from '../../components/PageHeading';
import { Empty, ErrorState, Loading } from '../../components/States';
import { usePageTitle } from '../../components/usePageTitle';
import { useI18n } from '../../i18n';
import { formatDateTimeIn } from '../patient/format';
import { myConsentsQuery } from '../patient/queries';

/** The consents a patient signs before visits, with what is signed and what needs signing. */
export function ConsentsPage() {
  const { t, language } = useI18n();
  usePageTitle(t('consents.title'));
  const consents = useQuery(myConsentsQuery);
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return (
    <section>
      <PageHeading>{t('consents.title')}</PageHeading>
      <Notice />
      <p>{t('consents.intro')}</p>
      {consents.isPending ? (
        <Loading />
      ) : consents.isError ? (
        <ErrorState error={consents.error} onRetry={() => void consents.refetch()} />
      ) : consents.data.status.length === 0 ? (
        <Empty>{t('consents.none')}</Empty>
      ) : (
        <ul className="list">
          {consents.data.status.map((c) => (
            <li key={c.kind} className="list-item">
              <div>
                <p>
                  <Link to={`/consents/${c.kind}`}>{c.title}</Link>
                  {c.needs_signature ? (
                    <span className="badge warn">{t('consents.needsSignature')}</span>
                  ) : c.signed_current ? (
                    <span className="badge ok">{t('consents.signed')}</span>
                  ) : null}
                </p>
                {c.last_signed_at ? (
                  <p className="muted">
                    {t('consents.lastSigned', {
                      date: formatDateTimeIn(c.last_signed_at, zone, language),
                      version: c.last_signed_version ?? '',
                    })}
                  </p>
                ) : null}
              </div>
              <Link to={`/consents/${c.kind}`} className="button secondary small">
                {c.needs_signature ? t('consents.readAndSign') : t('consents.read')}
              </Link>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export default ConsentsPage;
