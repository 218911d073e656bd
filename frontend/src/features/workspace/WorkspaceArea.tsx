import { Suspense } from 'react';
import { Link, NavLink, Outlet } from 'react-router';
import { useSession } from '../../api/session';
import { RequireAuth } from '../../components/RequireAuth';
import { Loading } from '../../components/States';
import { type MessageKey, useI18n } from '../../i18n';

const LINKS: ReadonlyArray<readonly [to: string, label: MessageKey, end?: boolean]> = [
  ['/today', 'workspace.nav.today', true],
  ['/my-patients', 'workspace.nav.patients'],
  ['/safety', 'workspace.nav.safety'],
  ['/availability', 'myAvailability.nav'],
];

/** The psychiatrist's pages: signed in as a psychiatrist, with the workspace's navigation. */
export function WorkspaceArea() {
  return (
    <RequireAuth>
      <PsychiatristOnly />
    </RequireAuth>
  );
}

function PsychiatristOnly() {
  const { t } = useI18n();
  const session = useSession();
  const role = session.user?.role;
  if (role && role !== 'psychiatrist') {
    return (
      <section className="narrow">
        <h1>{t('workspace.onlyTitle')}</h1>
        <p>{t('workspace.onlyBody')}</p>
        <p>
          <Link to={role === 'patient' ? '/portal' : '/account'}>
            {role === 'patient' ? t('app.nav.portal') : t('app.nav.account')}
          </Link>
        </p>
      </section>
    );
  }
  return (
    <div className="portal workspace">
      <nav aria-label={t('workspace.nav')} className="portal-nav">
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

export default WorkspaceArea;
