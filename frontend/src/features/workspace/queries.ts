import { infiniteQueryOptions, keepPreviousData, queryOptions } from '@tanstack/react-query';
import {
  type BookingRead,
  bookingsListBookings,
  consultsWaitingRoom,
  notesListPatientNotes,
  patientsGetPatientProfile,
  patientsListMyPatients,
  type SafetyTaskRead,
  safetyListPatientSafetyTasks,
  safetyListSafetyTasks,
  screeningListScreeningFlags,
  type TimelineGetPatientTimelineData,
  timelineGetPatientTimeline,
  treatmentGetInfusionSession,
  treatmentGetPatientTrends,
} from '../../api/generated';

/** The psychiatrist's workspace: its server state, apart from the patient portal's. */

export type ScheduleStatus = BookingRead['status'] | 'all';

/** Local midnight of a YYYY-MM-DD day, and of the next day, as instants. */
export function dayBounds(day: string): { since: string; until: string } {
  const start = new Date(`${day}T00:00:00`);
  const end = new Date(start);
  end.setDate(end.getDate() + 1);
  return { since: start.toISOString(), until: end.toISOString() };
}

/** Today in the browser's zone, as YYYY-MM-DD. */
export function localToday(now: Date = new Date()): string {
  const y = now.getFullYear();
  const m = String(now.getMonth() + 1).padStart(2, '0');
  const d = String(now.getDate()).padStart(2, '0');
  return `${y}-${m}-${d}`;
}

export function scheduleQuery(day: string, status: ScheduleStatus) {
  const { since, until } = dayBounds(day);
  return queryOptions({
    queryKey: ['schedule', day, status],
    queryFn: async ({ signal }) =>
      (
        await bookingsListBookings({
          query: { since, until, status: status === 'all' ? null : status, limit: 100 },
          signal,
        })
      ).data,
    placeholderData: keepPreviousData,
  });
}

export function waitingRoomQuery(day: string) {
  return queryOptions({
    queryKey: ['waiting-room', day],
    queryFn: async ({ signal }) => (await consultsWaitingRoom({ query: { day }, signal })).data,
    // Patients arrive by themselves: keep the room fresh while it is on screen.
    refetchInterval: 10_000,
    staleTime: 5_000,
  });
}

export function myPatientsQuery(page: number, limit = 20) {
  return queryOptions({
    queryKey: ['my-patients', page, limit],
    queryFn: async ({ signal }) =>
      (await patientsListMyPatients({ query: { page, limit }, signal })).data,
    placeholderData: keepPreviousData,
  });
}

export type SafetyFilter = 'open' | 'acknowledged' | 'all';

export function safetyTasksQuery(status: SafetyFilter, page: number) {
  return queryOptions({
    queryKey: ['safety-tasks', status, page],
    queryFn: async ({ signal }) =>
      (await safetyListSafetyTasks({ query: { status, page, limit: 20 }, signal })).data,
    placeholderData: keepPreviousData,
    refetchInterval: 30_000,
  });
}

// Item-9 answers (thoughts of self-harm) first, whatever order a page arrives in; then the
// API's priority, open before acknowledged, overdue first, oldest first.
const KIND_RANK: Record<string, number> = { phq9_item9: 0, intake_suicidal_ideation: 1 };

export function inboxOrder(tasks: readonly SafetyTaskRead[]): SafetyTaskRead[] {
  const rank = (t: SafetyTaskRead) => KIND_RANK[t.kind] ?? 2;
  return [...tasks].sort(
    (a, b) =>
      Number(a.status !== 'open') - Number(b.status !== 'open') ||
      rank(a) - rank(b) ||
      a.priority - b.priority ||
      Number(b.overdue) - Number(a.overdue) ||
      Date.parse(a.created_at) - Date.parse(b.created_at),
  );
}

export function patientProfileQuery(patientId: string) {
  return queryOptions({
    queryKey: ['chart', patientId, 'profile'],
    queryFn: async ({ signal }) =>
      (await patientsGetPatientProfile({ path: { patient_id: patientId }, signal })).data,
  });
}

export function patientFlagsQuery(patientId: string) {
  return queryOptions({
    queryKey: ['chart', patientId, 'flags'],
    queryFn: async ({ signal }) =>
      (await screeningListScreeningFlags({ path: { patient_id: patientId }, signal })).data,
  });
}

export function patientSafetyQuery(patientId: string) {
  return queryOptions({
    queryKey: ['chart', patientId, 'safety'],
    queryFn: async ({ signal }) =>
      (await safetyListPatientSafetyTasks({ path: { patient_id: patientId }, signal })).data,
  });
}

export function patientTrendsQuery(patientId: string) {
  return queryOptions({
    queryKey: ['chart', patientId, 'trends'],
    queryFn: async ({ signal }) =>
      (await treatmentGetPatientTrends({ path: { patient_id: patientId }, signal })).data,
  });
}

export function lastNoteQuery(patientId: string) {
  return queryOptions({
    queryKey: ['chart', patientId, 'last-note'],
    queryFn: async ({ signal }) =>
      (
        await notesListPatientNotes({
          path: { patient_id: patientId },
          query: { page: 1, limit: 1 },
          signal,
        })
      ).data,
  });
}

export function infusionSessionQuery(sessionId: string) {
  return queryOptions({
    queryKey: ['infusion-session', sessionId],
    queryFn: async ({ signal }) =>
      (await treatmentGetInfusionSession({ path: { session_id: sessionId }, signal })).data,
  });
}

export type TimelineKind = NonNullable<
  NonNullable<TimelineGetPatientTimelineData['query']>['kind']
>[number];

/** The timeline's filter chips, each a group of the API's event kinds. */
export const TIMELINE_GROUPS = {
  visits: [
    'visit_booked',
    'visit_rescheduled',
    'visit_cancelled',
    'visit_no_show',
    'visit_completed',
  ],
  notes: ['note_signed', 'note_addendum'],
  scales: ['scale_submitted'],
  screening: ['intake_submitted', 'flag_raised', 'flag_reviewed'],
  consents: ['consent_signed'],
  treatment: ['plan_created', 'plan_status_changed', 'infusion_session'],
  safety: ['safety_task_opened', 'safety_task_acknowledged'],
} as const satisfies Record<string, readonly TimelineKind[]>;

export type TimelineGroup = keyof typeof TIMELINE_GROUPS;

/** The kinds the chosen chips stand for, in a stable order (none chosen: every kind). */
export function timelineKinds(groups: readonly TimelineGroup[]): TimelineKind[] {
  return (Object.keys(TIMELINE_GROUPS) as TimelineGroup[])
    .filter((g) => groups.includes(g))
    .flatMap((g) => [...TIMELINE_GROUPS[g]]);
}

/** A patient's history, newest first, a page at a time ("load more" asks for the next). */
export function patientTimelineQuery(
  patientId: string,
  kinds: readonly TimelineKind[],
  limit = 25,
) {
  return infiniteQueryOptions({
    queryKey: ['chart', patientId, 'timeline', kinds, limit],
    queryFn: async ({ pageParam, signal }) =>
      (
        await timelineGetPatientTimeline({
          path: { patient_id: patientId },
          query: { page: pageParam, limit, kind: kinds.length > 0 ? [...kinds] : undefined },
          signal,
        })
      ).data,
    initialPageParam: 1,
    getNextPageParam: (last) => (last.page * last.limit < last.total ? last.page + 1 : undefined),
  });
}
