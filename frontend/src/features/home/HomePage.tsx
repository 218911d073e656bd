import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { practiceQuery } from '../../api/queries';
import { useSession } from '../../api/session';
import { ErrorState, Loading } from '../../components/States';
import { usePageTitle } from '../../components/usePageTitle';
import { useI18n } from '../../i18n';

export function HomePage() {
  const { t, language } = useI18n();
  const practice = useQuery(practiceQuery);
  const session = useSession();
  usePageTitle(practice.data?.name ?? t('home.title'));

  return (
    <section className="hero">
      {practice.isPending ? (
        <Loading />
      ) : practice.isError ? (
        <>
          <h1>{t('app.name')}</h1>
          <ErrorState
            error={practice.error}
            title={t('home.practiceError')}
            onRetry={() => void practice.refetch()}
          />
        </>
      ) : (
        <h1>{practice.data.name}</h1>
      )}
      <p className="lead">{t('home.lead')}</p>
      <div className="cta">
        {session.status === 'signed-in' && session.user?.role === 'patient' ? (
          <Link to="/portal" className="button primary large">
            {t('home.toPortal')}
          </Link>
        ) : (
          <>
            <Link to="/sign-up" className="button primary large">
              {t('home.cta')}
            </Link>
            <p className="muted">{t('home.ctaHint')}</p>
          </>
        )}
      </div>
      {session.status !== 'signed-in' ? (
        <p>
          {t('home.haveAccount')} <Link to="/sign-in">{t('home.signIn')}</Link>
        </p>
      ) : null}
      {practice.data?.crisis_line_text ? (
        <aside className="crisis" aria-labelledby="crisis-title">
          <h2 id="crisis-title">{t('home.crisisTitle')}</h2>
          <p>
            {language === 'es' && practice.data.crisis_line_text_es
              ? practice.data.crisis_line_text_es
              : practice.data.crisis_line_text}
          </p>
        </aside>
      ) : null}
    </section>
  );
}
