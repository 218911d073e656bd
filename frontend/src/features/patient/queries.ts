import { keepPreviousData, queryOptions } from '@tanstack/react-query';
import {
  bookingsGetBooking,
  bookingsListBookings,
  consentsGetConsentDocument,
  consentsGetMyConsents,
  consultsGetConsult,
  intakeGetMyIntake,
  patientsGetMyProfile,
  psychiatristsListPsychiatrists,
  scalesGetScale,
  scalesListMyDueScales,
  scalesListMyScaleResults,
  scalesListScales,
  schedulingSearchSlots,
  treatmentGetMyTrends,
  visitSummariesGetMyVisitSummary,
  visitSummariesListMyVisitSummaries,
  visitTypesListVisitTypes,
} from '../../api/generated';
import type { Language } from '../../i18n';

/**
 * The patient portal's server state. Kept out of `api/queries.ts` so the home page's first
 * bundle does not carry the portal's calls.
 */
export const myProfileQuery = queryOptions({
  queryKey: ['profile', 'me'],
  queryFn: async ({ signal }) => (await patientsGetMyProfile({ signal })).data,
});

export const myIntakeQuery = queryOptions({
  queryKey: ['intake', 'me'],
  queryFn: async ({ signal }) => (await intakeGetMyIntake({ signal })).data,
});

export const myConsentsQuery = queryOptions({
  queryKey: ['consents', 'me'],
  queryFn: async ({ signal }) => (await consentsGetMyConsents({ signal })).data,
});

export type ConsentKind = 'telehealth' | 'ketamine_treatment';

export function consentDocumentQuery(kind: ConsentKind, language: Language) {
  return queryOptions({
    queryKey: ['consent-document', kind, language],
    queryFn: async ({ signal }) =>
      (await consentsGetConsentDocument({ path: { kind }, query: { language }, signal })).data,
    staleTime: 10 * 60_000,
  });
}

export const dueScalesQuery = queryOptions({
  queryKey: ['scales', 'due'],
  queryFn: async ({ signal }) => (await scalesListMyDueScales({ signal })).data,
});

export function scalesQuery(language: Language) {
  return queryOptions({
    queryKey: ['scales', 'definitions', language],
    queryFn: async ({ signal }) => (await scalesListScales({ query: { language }, signal })).data,
    staleTime: 10 * 60_000,
  });
}

export type ScaleCode = 'phq9' | 'gad7' | 'pcl5' | 'cadss6' | 'pain_nrs';
export const SCALE_CODES: readonly ScaleCode[] = ['phq9', 'gad7', 'pcl5', 'cadss6', 'pain_nrs'];

export function isScaleCode(value: unknown): value is ScaleCode {
  return typeof value === 'string' && (SCALE_CODES as readonly string[]).includes(value);
}

export function scaleQuery(code: ScaleCode, language: Language) {
  return queryOptions({
    queryKey: ['scales', 'definition', code, language],
    queryFn: async ({ signal }) =>
      (await scalesGetScale({ path: { code }, query: { language }, signal })).data,
    staleTime: 10 * 60_000,
  });
}

export function scaleResultsQuery(page: number) {
  return queryOptions({
    queryKey: ['scales', 'results', page],
    queryFn: async ({ signal }) =>
      (await scalesListMyScaleResults({ query: { page, limit: 20 }, signal })).data,
    placeholderData: keepPreviousData,
  });
}

export const trendsQuery = queryOptions({
  queryKey: ['trends', 'me'],
  queryFn: async ({ signal }) => (await treatmentGetMyTrends({ signal })).data,
});

export const visitTypesQuery = queryOptions({
  queryKey: ['visit-types'],
  queryFn: async ({ signal }) => (await visitTypesListVisitTypes({ signal })).data,
  staleTime: 5 * 60_000,
});

export const psychiatristsQuery = queryOptions({
  queryKey: ['psychiatrists'],
  queryFn: async ({ signal }) => (await psychiatristsListPsychiatrists({ signal })).data,
  staleTime: 5 * 60_000,
});

export interface SlotSearch {
  visitTypeId: string;
  from: string;
  to: string;
  psychiatristId?: string | undefined;
  language?: string | undefined;
}

export function slotsQuery(search: SlotSearch) {
  return queryOptions({
    queryKey: ['slots', search],
    queryFn: async ({ signal }) =>
      (
        await schedulingSearchSlots({
          query: {
            visit_type_id: search.visitTypeId,
            from: search.from,
            to: search.to,
            psychiatrist_id: search.psychiatristId || null,
            language: search.language || null,
          },
          signal,
        })
      ).data,
    // Open times change as others book: never show a stale list for long.
    staleTime: 15_000,
  });
}

export type VisitsWhen = 'upcoming' | 'past';

export function bookingsQuery(when: VisitsWhen, page: number, now: string) {
  return queryOptions({
    queryKey: ['bookings', when, page, now],
    queryFn: async ({ signal }) =>
      (
        await bookingsListBookings({
          query:
            when === 'upcoming' ? { since: now, page, limit: 10 } : { until: now, page, limit: 10 },
          signal,
        })
      ).data,
    placeholderData: keepPreviousData,
  });
}

export function bookingQuery(bookingId: string) {
  return queryOptions({
    queryKey: ['booking', bookingId],
    queryFn: async ({ signal }) =>
      (await bookingsGetBooking({ path: { booking_id: bookingId }, signal })).data,
  });
}

export function consultQuery(bookingId: string) {
  return queryOptions({
    queryKey: ['consult', bookingId],
    queryFn: async ({ signal }) =>
      (await consultsGetConsult({ path: { booking_id: bookingId }, signal })).data,
  });
}

export function summariesQuery(page: number) {
  return queryOptions({
    queryKey: ['summaries', page],
    queryFn: async ({ signal }) =>
      (await visitSummariesListMyVisitSummaries({ query: { page, limit: 10 }, signal })).data,
    placeholderData: keepPreviousData,
  });
}

export function summaryQuery(noteId: string) {
  return queryOptions({
    queryKey: ['summary', noteId],
    queryFn: async ({ signal }) =>
      (await visitSummariesGetMyVisitSummary({ path: { note_id: noteId }, signal })).data,
  });
}
