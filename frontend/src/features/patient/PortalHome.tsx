import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { useSession } from '../../api/session';
import { Notice } from '../../components/Notice';
import { PageHeading } from '../../components/PageHeading';
import { ErrorState, Loading } from '../../components/States';
import { usePageTitle } from '../../components/usePageTitle';
import { useI18n } from '../../i18n';
import { formatDateTimeIn } from './format';
import { bookingsQuery, dueScalesQuery, myConsentsQuery, myIntakeQuery } from './queries';
import { StatusBadge } from './StatusBadge';

/** The patient's landing page after sign-in: what is next and what still needs doing. */
export function PortalHome() {
  const { t } = useI18n();
  const session = useSession();
  usePageTitle(t('portal.title'));
  const name = session.user?.full_name;
  return (
    <section>
      <PageHeading>{name ? t('portal.greeting', { name }) : t('portal.title')}</PageHeading>
      <Notice />
      <div className="dashboard">
        <NextVisitCard />
        <IntakeCard />
        <QuestionnairesCard />
        <ConsentsCard />
        <section className="card" aria-labelledby="more-title">
          <h2 id="more-title">{t('portal.more')}</h2>
          <ul className="link-list">
            <li>
              <Link to="/visits">{t('portal.nav.visits')}</Link>
            </li>
            <li>
              <Link to="/scores">{t('portal.nav.scores')}</Link>
            </li>
            <li>
              <Link to="/summaries">{t('portal.nav.summaries')}</Link>
            </li>
          </ul>
        </section>
      </div>
    </section>
  );
}

function NextVisitCard() {
  const { t, language } = useI18n();
  // One "now" per visit to the page: the query key must not change every render.
  const [now] = useState(() => new Date().toISOString());
  const visits = useQuery(bookingsQuery('upcoming', 1, now));
  const next = visits.data?.items.find((b) => b.status === 'confirmed' || b.status === 'held');
  return (
    <section className="card" aria-labelledby="next-visit-title">
      <h2 id="next-visit-title">{t('portal.nextVisit')}</h2>
      {visits.isPending ? (
        <Loading />
      ) : visits.isError ? (
        <ErrorState error={visits.error} onRetry={() => void visits.refetch()} />
      ) : next ? (
        <>
          <p>
            <Link to={`/visits/${next.id}`}>
              {formatDateTimeIn(next.starts_at, next.time_zone, language)}
            </Link>
            <StatusBadge status={next.status} />
          </p>
          <p className="muted">
            {t('visits.with', {
              visit:
                language === 'es' && next.visit_type.name_es
                  ? next.visit_type.name_es
                  : next.visit_type.name,
              name: next.psychiatrist_name,
            })}
          </p>
        </>
      ) : (
        <p>{t('portal.noVisits')}</p>
      )}
      <p>
        <Link to="/book" className="button primary">
          {t('portal.nav.book')}
        </Link>
      </p>
    </section>
  );
}

function IntakeCard() {
  const { t } = useI18n();
  const intake = useQuery(myIntakeQuery);
  return (
    <section className="card" aria-labelledby="intake-card-title">
      <h2 id="intake-card-title">{t('portal.nav.intake')}</h2>
      {intake.isPending ? (
        <Loading />
      ) : intake.isError ? (
        <ErrorState error={intake.error} onRetry={() => void intake.refetch()} />
      ) : intake.data.status === 'submitted' ? (
        <p>
          {t('portal.intakeSubmitted')} <Link to="/intake">{t('portal.intakeReview')}</Link>
        </p>
      ) : (
        <>
          <p>
            {intake.data.status === 'draft'
              ? t('portal.intakeDraft', { count: intake.data.missing.length })
              : t('portal.intakeNotStarted')}
          </p>
          <p>
            <Link to="/intake" className="button secondary">
              {intake.data.status === 'draft' ? t('portal.intakeResume') : t('portal.intakeStart')}
            </Link>
          </p>
        </>
      )}
    </section>
  );
}

function QuestionnairesCard() {
  const { t } = useI18n();
  const due = useQuery(dueScalesQuery);
  const open = due.data?.filter((a) => a.status !== 'completed') ?? [];
  return (
    <section className="card" aria-labelledby="due-card-title">
      <h2 id="due-card-title">{t('portal.nav.questionnaires')}</h2>
      {due.isPending ? (
        <Loading />
      ) : due.isError ? (
        <ErrorState error={due.error} onRetry={() => void due.refetch()} />
      ) : (
        <p>
          {open.length > 0
            ? t('portal.questionnairesDue', { count: open.length })
            : t('portal.questionnairesNone')}{' '}
          <Link to="/questionnaires">{t('portal.open')}</Link>
        </p>
      )}
    </section>
  );
}

function ConsentsCard() {
  const { t } = useI18n();
  const consents = useQuery(myConsentsQuery);
  const needed = consents.data?.status.filter((c) => c.needs_signature) ?? [];
  return (
    <section className="card" aria-labelledby="consents-card-title">
      <h2 id="consents-card-title">{t('portal.nav.consents')}</h2>
      {consents.isPending ? (
        <Loading />
      ) : consents.isError ? (
        <ErrorState error={consents.error} onRetry={() => void consents.refetch()} />
      ) : (
        <p>
          {needed.length > 0
            ? t('portal.consentsNeeded', { count: needed.length })
            : t('portal.consentsDone')}{' '}
          <Link to="/consents">{t('portal.open')}</Link>
        </p>
      )}
    </section>
  );
}

export default PortalHome;
