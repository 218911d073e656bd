import { useQuery } from '@tanstack/react-query';
import { Suspense, useEffect, useRef } from 'react';
import { Link, NavLink, Outlet, useLocation } from 'react-router';
import { practiceQuery } from '../api/queries';
import { useSession } from '../api/session';
import { isLanguage, LANGUAGES, useI18n } from '../i18n';
import { Loading } from './States';

export function Layout() {
  const { t, language, setLanguage } = useI18n();
  const session = useSession();
  const practice = useQuery(practiceQuery);
  const location = useLocation();
  const main = useRef<HTMLElement>(null);
  const firstRender = useRef(true);

  // After navigating, move focus to the new page so keyboard and screen-reader users start
  // at its top instead of on a link that is gone.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on each new location
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    main.current?.focus();
  }, [location.pathname]);

  return (
    <div className="app">
      <a className="skip-link" href="#main">
        {t('app.skipToContent')}
      </a>
      <header className="site-header">
        <div className="container header-row">
          <Link to="/" className="brand">
            {practice.data?.name ?? t('app.name')}
          </Link>
          <nav aria-label={t('app.nav')} className="site-nav">
            {session.status === 'signed-in' && session.user?.role === 'patient' ? (
              <NavLink to="/portal">{t('app.nav.portal')}</NavLink>
            ) : null}
            {session.status === 'signed-in' && session.user?.role === 'psychiatrist' ? (
              <NavLink to="/today">{t('app.nav.today')}</NavLink>
            ) : null}
            {session.status === 'signed-in' && session.user?.role === 'admin' ? (
              <NavLink to="/admin">{t('admin.nav')}</NavLink>
            ) : null}
            {session.status === 'signed-in' ? (
              <NavLink to="/account">{t('app.nav.account')}</NavLink>
            ) : session.status === 'signed-out' ? (
              <NavLink to="/sign-in">{t('app.nav.signIn')}</NavLink>
            ) : null}
            <label className="language-picker">
              <span className="visually-hidden">{t('app.language')}</span>
              <select
                value={language}
                onChange={(e) => {
                  if (isLanguage(e.target.value)) setLanguage(e.target.value);
                }}
              >
                {LANGUAGES.map((lang) => (
                  <option key={lang} value={lang} lang={lang}>
                    {t(`language.${lang}`)}
                  </option>
                ))}
              </select>
            </label>
          </nav>
        </div>
      </header>
      <main id="main" ref={main} tabIndex={-1} className="container site-main">
        <Suspense fallback={<Loading label={t('app.loadingPage')} />}>
          <Outlet />
        </Suspense>
      </main>
      <footer className="site-footer">
        <div className="container">
          {/* The home page shows the crisis line prominently already. */}
          {location.pathname !== '/' ? (
            <p>
              {(language === 'es'
                ? practice.data?.crisis_line_text_es
                : practice.data?.crisis_line_text) || t('app.footer.emergency')}
            </p>
          ) : null}
          {import.meta.env.DEV ? <Link to="/dev/mailbox">{t('app.footer.mailbox')}</Link> : null}
        </div>
      </footer>
    </div>
  );
}
