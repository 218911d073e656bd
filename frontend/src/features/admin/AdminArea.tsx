import { Link } from 'react-router';
import { type AreaLink, RoleArea } from '../../components/RoleArea';
import { useI18n } from '../../i18n';
import './admin.css';

const LINKS: ReadonlyArray<AreaLink> = [
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
    <RoleArea
      forRole="admin"
      className="admin"
      nav="admin.nav"
      links={LINKS}
      elsewhere={NotAdmin}
    />
  );
}

function NotAdmin() {
  const { t } = useI18n();
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

export default AdminArea;
