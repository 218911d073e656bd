import { Link } from 'react-router';
import type { Role } from '../../api/generated';
import { type AreaLink, RoleArea } from '../../components/RoleArea';
import { useI18n } from '../../i18n';

const LINKS: ReadonlyArray<AreaLink> = [
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
  return <RoleArea forRole="patient" nav="portal.nav" links={LINKS} elsewhere={NotPatient} />;
}

function NotPatient({ role }: { role: Role }) {
  const { t } = useI18n();
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

export default PatientArea;
