import { Suspense } from 'react';
import { Link, NavLink, Outlet } from 'react-router';
import { useSession } from '../../api/session';
import { RequireAuth } from '../../components/RequireAuth';
import { Loading } from '../../components/States';
import { type MessageKey, useI18n } from '../../i18n';
import './admin.css';

const LINKS: ReadonlyArray<readonly [to: string, label: MessageKey, end?: boolean]> = [
  ['/admin', 'admin.nav.billing', true],
  ['/admin/payments', 'admin.nav.payments'],
  ['/admin/refunds', 'admin.nav.refunds'],
  ['/admin/psychiatrists', 'admin.nav.psychiatrists'],
  ['/admin/visit-types', 'admin.nav.visitTypes'],
  ['/admin/audit', 'admin.nav.audit'],
  ['/admin/settings', 'admin.nav.settings'],
];

/** The admin console: signed in as an administrator, with the console's navigation. */
export function AdminArea() {
  return (
    <RequireAuth>
      <AdminOnly />
    </RequireAuth>
  );
}

function AdminOnly() {
  const { t } = useI18n();
  const session = useSession();
  const role = session.user?.role;
  if (role && role !== 'admin') {
    return (
      <section className="narrow">
        <h1>{t('admin.onlyTitle')}</h1>
        <p>{t('admin.onlyBody')}</p>
        <p>
          <Link to="/account">{t('app.nav.account')}</Link>
        </p>
      </section>
    );
  }
  return (
    <div className="portal admin">
      <nav aria-label={t('admin.nav')} className="portal-nav">
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

export default AdminArea;
