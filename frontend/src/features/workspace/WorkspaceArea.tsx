import { Link } from 'react-router';
import type { Role } from '../../api/generated';
import { type AreaLink, RoleArea } from '../../components/RoleArea';
import { useI18n } from '../../i18n';

const LINKS: ReadonlyArray<AreaLink> = [
  ['/today', 'workspace.nav.today', true],
  ['/my-patients', 'workspace.nav.patients'],
  ['/safety', 'workspace.nav.safety'],
  ['/availability', 'myAvailability.nav'],
];

/** The psychiatrist's pages: signed in as a psychiatrist, with the workspace's navigation. */
export function WorkspaceArea() {
  return (
    <RoleArea
      forRole="psychiatrist"
      className="workspace"
      nav="workspace.nav"
      links={LINKS}
      elsewhere={NotPsychiatrist}
    />
  );
}

function NotPsychiatrist({ role }: { role: Role }) {
  const { t } = useI18n();
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

export default WorkspaceArea;
