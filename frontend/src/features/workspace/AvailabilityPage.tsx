import { useSession } from '../../api/session';
import { PageHeading } from '../../components/PageHeading';
import { Loading } from '../../components/States';
import { usePageTitle } from '../../components/usePageTitle';
import { useI18n } from '../../i18n';
import { Availability } from '../admin/PsychiatristPage';

/** The signed-in psychiatrist's own weekly hours and time off (the admin console's editor). */
export function AvailabilityPage() {
  const { t } = useI18n();
  const session = useSession();
  usePageTitle(t('myAvailability.title'));
  // A psychiatrist's id is their user id: the API lets them edit their own schedule.
  const id = session.user?.id;
  return (
    <section>
      <PageHeading>{t('myAvailability.title')}</PageHeading>
      <p>{t('myAvailability.intro')}</p>
      {id ? <Availability psychiatristId={id} /> : <Loading />}
    </section>
  );
}

export default AvailabilityPage;
