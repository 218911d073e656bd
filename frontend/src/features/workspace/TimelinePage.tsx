import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { type ReactNode, useId, useMemo, useState } from 'react';
import { Link, useParams } from 'react-router';
import type { TimelinePage as TimelineData } from '../../api/generated';
import { PageHeading } from '../../components/PageHeading';
import { Empty, ErrorState, Loading } from '../../components/States';
import { usePageTitle } from '../../components/usePageTitle';
import { type Language, type MessageKey, type Translate, useI18n } from '../../i18n';
import { flagText } from '../../i18n/serverTexts';
import { dayIn, formatDateTimeIn, formatTimeIn, visitName, zoneLabel } from '../patient/format';
import { isScaleCode } from '../patient/queries';
import {
  patientProfileQuery,
  patientTimelineQuery,
  TIMELINE_GROUPS,
  type TimelineGroup,
  timelineKinds,
} from './queries';
import './timeline.css';

export type TimelineEvent = TimelineData['items'][number];

const GROUP_LABEL: Record<TimelineGroup, MessageKey> = {
  visits: 'timeline.group.visits',
  notes: 'timeline.group.notes',
  scales: 'timeline.group.scales',
  screening: 'timeline.group.screening',
  consents: 'timeline.group.consents',
  treatment: 'timeline.group.treatment',
  safety: 'timeline.group.safety',
};

// A symbol per group, drawn from fonts every system has; the words beside it say the same.
const GROUP_ICON: Record<TimelineGroup, string> = {
  visits: '◷',
  notes: '✎',
  scales: '▤',
  screening: '⚑',
  consents: '✍',
  treatment: '✚',
  safety: '⚠',
};

const KIND_LABEL: Record<TimelineEvent['kind'], MessageKey> = {
  visit_booked: 'timeline.kind.visit_booked',
  visit_rescheduled: 'timeline.kind.visit_rescheduled',
  visit_cancelled: 'timeline.kind.visit_cancelled',
  visit_no_show: 'timeline.kind.visit_no_show',
  visit_completed: 'timeline.kind.visit_completed',
  note_signed: 'timeline.kind.note_signed',
  note_addendum: 'timeline.kind.note_addendum',
  scale_submitted: 'timeline.kind.scale_submitted',
  intake_submitted: 'timeline.kind.intake_submitted',
  flag_raised: 'timeline.kind.flag_raised',
  flag_reviewed: 'timeline.kind.flag_reviewed',
  consent_signed: 'timeline.kind.consent_signed',
  plan_created: 'timeline.kind.plan_created',
  plan_status_changed: 'timeline.kind.plan_status_changed',
  infusion_session: 'timeline.kind.infusion_session',
  safety_task_opened: 'timeline.kind.safety_task_opened',
  safety_task_acknowledged: 'timeline.kind.safety_task_acknowledged',
};

function groupOf(kind: TimelineEvent['kind']): TimelineGroup {
  return (
    (Object.keys(TIMELINE_GROUPS) as TimelineGroup[]).find((g) =>
      (TIMELINE_GROUPS[g] as readonly string[]).includes(kind),
    ) ?? 'visits'
  );
}

/** A key in the dictionary, else the raw code (a value newer than this page). */
function label(t: Translate, key: string, fallback: string): string {
  const text = t(key as MessageKey) as string | undefined;
  return typeof text === 'string' ? text : fallback;
}

/** "Tuesday, March 3, 2026": a day heading, in the psychiatrist's zone. */
function formatDayHeading(iso: string, zone: string, language: Language): string {
  try {
    return new Intl.DateTimeFormat(language, {
      weekday: 'long',
      year: 'numeric',
      month: 'long',
      day: 'numeric',
      timeZone: zone,
    }).format(new Date(iso));
  } catch {
    return dayIn(iso, zone);
  }
}

/** The events of each day, newest day first, in the order the API gave them. */
export function groupByDay(
  events: readonly TimelineEvent[],
  zone: string,
): { day: string; events: TimelineEvent[] }[] {
  const days: { day: string; events: TimelineEvent[] }[] = [];
  for (const event of events) {
    const day = dayIn(event.at, zone);
    const last = days[days.length - 1];
    if (last && last.day === day) last.events.push(event);
    else days.push({ day, events: [event] });
  }
  return days;
}

/** A care-team patient's history, newest first, grouped by day, with filters by kind. */
export function TimelinePage() {
  const { patientId = '' } = useParams();
  const { t } = useI18n();
  const profile = useQuery(patientProfileQuery(patientId));
  const name = profile.data
    ? (profile.data.preferred_name ?? profile.data.legal_name)
    : t('timeline.patient');
  usePageTitle(t('timeline.title', { name }));
  return (
    <section className="timeline-page">
      <p>
        <Link to={`/my-patients/${patientId}`}>{t('timeline.back')}</Link>
      </p>
      <PageHeading>{t('timeline.title', { name })}</PageHeading>
      <Timeline patientId={patientId} />
    </section>
  );
}

export function Timeline({ patientId }: { patientId: string }) {
  const { t, language } = useI18n();
  const [groups, setGroups] = useState<TimelineGroup[]>([]);
  const events = useInfiniteQuery(patientTimelineQuery(patientId, timelineKinds(groups)));
  const zone = events.data?.pages[0]?.time_zone ?? 'UTC';
  const items = useMemo(() => {
    // Page by page, a newer event can push one already shown onto the next page: show it once.
    const seen = new Set<string>();
    return (events.data?.pages ?? [])
      .flatMap((p) => p.items)
      .filter((e) => !seen.has(e.id) && Boolean(seen.add(e.id)));
  }, [events.data]);
  const total = events.data?.pages[0]?.total ?? 0;

  const toggle = (group: TimelineGroup) =>
    setGroups((current) =>
      current.includes(group) ? current.filter((g) => g !== group) : [...current, group],
    );

  return (
    <>
      <fieldset className="chips">
        <legend className="chips-label">{t('timeline.filter')}</legend>
        <button
          type="button"
          className="chip"
          aria-pressed={groups.length === 0}
          onClick={() => setGroups([])}
        >
          {t('timeline.filter.all')}
        </button>
        {(Object.keys(TIMELINE_GROUPS) as TimelineGroup[]).map((group) => (
          <button
            key={group}
            type="button"
            className="chip"
            aria-pressed={groups.includes(group)}
            onClick={() => toggle(group)}
          >
            <span aria-hidden="true">{GROUP_ICON[group]} </span>
            {t(GROUP_LABEL[group])}
          </button>
        ))}
      </fieldset>
      {events.isPending ? (
        <Loading />
      ) : events.isError && items.length === 0 ? (
        <ErrorState error={events.error} onRetry={() => void events.refetch()} />
      ) : items.length === 0 ? (
        <Empty>{groups.length === 0 ? t('timeline.empty') : t('timeline.emptyFiltered')}</Empty>
      ) : (
        <>
          <p className="muted">
            {t('timeline.zone', { zone: zoneLabel(zone, language) })} ·{' '}
            {t('timeline.count', { shown: items.length, total })}
          </p>
          {groupByDay(items, zone).map(({ day, events: dayEvents }) => (
            <DayGroup key={day} day={day} events={dayEvents} zone={zone} patientId={patientId} />
          ))}
          {events.isFetchNextPageError ? (
            <ErrorState error={events.error} onRetry={() => void events.fetchNextPage()} />
          ) : events.hasNextPage ? (
            <p>
              <button
                type="button"
                className="button secondary"
                disabled={events.isFetchingNextPage}
                onClick={() => void events.fetchNextPage()}
              >
                {events.isFetchingNextPage ? t('state.loading') : t('timeline.more')}
              </button>
            </p>
          ) : null}
        </>
      )}
    </>
  );
}

function DayGroup({
  day,
  events,
  zone,
  patientId,
}: {
  day: string;
  events: TimelineEvent[];
  zone: string;
  patientId: string;
}) {
  const { language } = useI18n();
  const headingId = useId();
  const first = events[0];
  return (
    <section className="timeline-day" aria-labelledby={headingId}>
      <h2 id={headingId}>
        <time dateTime={day}>{first ? formatDayHeading(first.at, zone, language) : day}</time>
      </h2>
      <ol className="timeline">
        {events.map((event) => (
          <li key={event.id} className={`timeline-event group-${groupOf(event.kind)}`}>
            <EventEntry event={event} zone={zone} patientId={patientId} />
          </li>
        ))}
      </ol>
    </section>
  );
}

function EventEntry({
  event,
  zone,
  patientId,
}: {
  event: TimelineEvent;
  zone: string;
  patientId: string;
}) {
  const { t, language } = useI18n();
  const group = groupOf(event.kind);
  const { title, detail, badges, link } = describe(event, t, language, zone, patientId);
  return (
    <article className="timeline-entry" data-kind={event.kind}>
      <span className="timeline-icon" aria-hidden="true">
        {GROUP_ICON[group]}
      </span>
      <div className="timeline-body">
        <p className="timeline-head">
          <time dateTime={event.at}>{formatTimeIn(event.at, zone, language)}</time>{' '}
          <strong>{title}</strong>
          {badges}
        </p>
        {detail.length > 0 ? <p className="timeline-detail">{detail.join(' · ')}</p> : null}
        {link}
      </div>
    </article>
  );
}

interface Described {
  title: string;
  detail: string[];
  badges: ReactNode;
  link: ReactNode;
}

function describe(
  event: TimelineEvent,
  t: Translate,
  language: Language,
  zone: string,
  patientId: string,
): Described {
  const by = event.actor_name ? [t('timeline.by', { name: event.actor_name })] : [];
  const title = t(KIND_LABEL[event.kind]);
  switch (event.kind) {
    case 'visit_booked':
    case 'visit_rescheduled':
    case 'visit_cancelled':
    case 'visit_no_show':
    case 'visit_completed': {
      const when = formatDateTimeIn(event.starts_at, zone, language);
      const what = t('timeline.visit', {
        type: visitName(event.visit_type, language),
        name: event.psychiatrist_name,
      });
      const detail = [what, t('timeline.visitAt', { when })];
      if (event.kind === 'visit_completed' && event.duration_seconds !== null) {
        detail.push(t('timeline.minutes', { minutes: Math.round(event.duration_seconds / 60) }));
      }
      if (event.kind === 'visit_cancelled') {
        if (event.cancelled_by_role) {
          detail.push(
            t('timeline.cancelledBy', {
              who: label(t, `timeline.role.${event.cancelled_by_role}`, event.cancelled_by_role),
            }),
          );
        }
        if (event.cancel_reason) detail.push(`“${event.cancel_reason}”`);
      }
      detail.push(...by);
      const open = event.status === 'confirmed' || event.status === 'held';
      const badges =
        event.kind !== 'visit_cancelled' && event.status === 'cancelled' ? (
          <span className="badge muted">{t('timeline.nowCancelled')}</span>
        ) : event.status === 'held' ? (
          <span className="badge warn">{t('timeline.awaitingPayment')}</span>
        ) : null;
      return {
        title,
        detail,
        badges,
        link:
          open || event.kind === 'visit_completed' ? (
            <EventLink to={`/visits/${event.booking_id}/note`}>
              {t('timeline.openVisitNote')}
            </EventLink>
          ) : null,
      };
    }
    case 'note_signed':
    case 'note_addendum':
      return {
        title,
        detail: [
          label(t, `notes.templateTitle.${event.template}`, event.template),
          t('timeline.visitAt', { when: formatDateTimeIn(event.visit_at, zone, language) }),
          ...by,
        ],
        badges: null,
        link: <EventLink to={`/notes/${event.note_id}`}>{t('timeline.openNote')}</EventLink>,
      };
    case 'scale_submitted': {
      const name = isScaleCode(event.scale) ? t(`scale.${event.scale}`) : event.scale;
      const band = event.band ? label(t, `timeline.band.${event.band}`, event.band) : null;
      return {
        title: `${title}: ${name}`,
        detail: [
          t('chart.score', { score: event.total, max: event.max_total }) +
            (band ? ` · ${band}` : ''),
          event.entered_by === 'clinician'
            ? t('timeline.enteredByClinician')
            : t('timeline.enteredByPatient'),
          ...by,
        ],
        badges: (
          <>
            {event.urgent ? <span className="badge danger">{t('timeline.item9')}</span> : null}
            {event.corrects_earlier ? (
              <span className="badge muted">{t('timeline.correction')}</span>
            ) : null}
            {event.superseded ? (
              <span className="badge muted">{t('timeline.superseded')}</span>
            ) : null}
          </>
        ),
        link: null,
      };
    }
    case 'intake_submitted':
      return {
        title,
        detail: [t('timeline.flagsRaised', { count: event.flags_raised })],
        badges: null,
        link: null,
      };
    case 'flag_raised':
    case 'flag_reviewed': {
      const severity = label(t, `chart.severity.${event.severity}`, event.severity);
      const reviewed =
        event.kind === 'flag_reviewed'
          ? [label(t, `chart.flagStatus.${event.status}`, event.status)]
          : [];
      return {
        title,
        detail: [
          flagText(event, t),
          ...reviewed,
          ...(event.review_reason ? [`“${event.review_reason}”`] : []),
          ...by,
        ],
        badges: (
          <span className={event.severity === 'moderate' ? 'badge warn' : 'badge danger'}>
            {severity}
          </span>
        ),
        link: null,
      };
    }
    case 'consent_signed':
      return {
        title,
        detail: [
          label(t, `treatment.consent.${event.consent_kind}`, event.consent_kind),
          t('timeline.version', { version: event.version }),
        ],
        badges: null,
        link: null,
      };
    case 'plan_created':
    case 'plan_status_changed': {
      const status = (s: string) => label(t, `treatment.status.${s}`, s);
      const detail = [label(t, `treatment.indication.${event.indication}`, event.indication)];
      if (event.kind === 'plan_created') {
        detail.push(t('timeline.infusions', { count: event.induction_infusions }));
      } else if (event.from_status && event.to_status) {
        detail.push(`${status(event.from_status)} → ${status(event.to_status)}`);
      }
      if (event.reason) detail.push(`“${event.reason}”`);
      detail.push(...by);
      return {
        title,
        detail,
        badges: null,
        link: (
          <EventLink to={`/my-patients/${patientId}/plans/${event.plan_id}`}>
            {t('timeline.openPlan')}
          </EventLink>
        ),
      };
    }
    case 'infusion_session':
      return {
        title: t('treatment.sessionTitle', { sequence: event.sequence }),
        detail: [
          event.phase === 'induction' ? t('treatment.induction') : t('treatment.maintenance'),
          label(t, `treatment.session.${event.status}`, event.status),
          t('timeline.dose', { dose: event.dose_mg }),
          ...(event.cadss6_score !== null
            ? [t('timeline.cadss6', { score: event.cadss6_score })]
            : []),
          ...by,
        ],
        badges: event.serious_event ? (
          <span className="badge danger">{t('timeline.seriousEvent')}</span>
        ) : null,
        link: (
          <EventLink to={`/infusion-sessions/${event.session_id}`}>
            {t('timeline.openSession')}
          </EventLink>
        ),
      };
    case 'safety_task_opened':
    case 'safety_task_acknowledged':
      return {
        title,
        detail: [label(t, `safety.kind.${event.task_kind}`, event.task_kind), ...by],
        badges:
          event.kind === 'safety_task_opened' && event.status === 'open' ? (
            <span className="badge danger">{t('timeline.stillOpen')}</span>
          ) : null,
        link:
          event.status === 'open' ? (
            <EventLink to="/safety">{t('timeline.openSafety')}</EventLink>
          ) : null,
      };
  }
}

function EventLink({ to, children }: { to: string; children: ReactNode }) {
  return (
    <p className="timeline-link">
      <Link to={to}>{children}</Link>
    </p>
  );
}

export default TimelinePage;
