import { Suspense } from 'react';
import { Link, NavLink, Outlet } from 'react-router';
import { useSession } from '../../api/session';
import { RequireAuth } from '../../components/RequireAuth';
import { Loading } from '../../components/States';
import { type MessageKey, useI18n } from '../../i18n';

const LINKS: ReadonlyArray<readonly [to: string, label: MessageKey, end?: boolean]> = [
  ['/portal', 'portal.nav.home', true],
  ['/visits', 'portal.nav.visits'],
  ['/book', 'portal.nav.book'],
  ['/intake', 'portal.nav.intake'],
  ['/questionnaires', 'portal.nav.questionnaires'],
  ['/consents', 'portal.nav.consents'],
  ['/scores', 'portal.nav.scores'],
  ['/summaries', 'portal.nav.summaries'],
  ['/profile', 'profile.nav'],
];

/** The patient's pages: signed in as a patient, with the portal's own navigation on top. */
export function PatientArea() {
  return (
    <RequireAuth>
      <PatientOnly />
    </RequireAuth>
  );
}

function PatientOnly() {
  const { t } = useI18n();
  const session = useSession();
  const role = session.user?.role;
  if (role && role !== 'patient') {
    return (
      <section className="narrow">
        <h1>{t('portal.staffTitle')}</h1>
        <p>{role === 'psychiatrist' ? t('portal.psychiatristBody') : t('portal.staffBody')}</p>
        <p>
          {role === 'psychiatrist' ? (
            <Link to="/today">{t('app.nav.today')}</Link>
          ) : (
            <Link to="/account">{t('app.nav.account')}</Link>
          )}
        </p>
      </section>
    );
  }
  return (
    <div className="portal">
      <nav aria-label={t('portal.nav')} className="portal-nav">
        <ul>
          {LINKS.map(([to, label, end]) => (
            <li key={to}>
              <NavLink to={to} end={end ?? false}>
                {t(label)}
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <Suspense fallback={<Loading label={t('app.loadingPage')} />}>
        <Outlet />
      </Suspense>
    </div>
  );
}

export default PatientArea;
