import { queryOptions } from '@tanstack/react-query';
import {
  bookingsGetBooking,
  notesGetNote,
  notesListNoteTemplates,
  notesListPatientNotes,
  patientsGetPatientProfile,
} from '../../api/generated';

/** The note editor's server state (its own chunk: only psychiatrists load it). */

export function noteQuery(noteId: string) {
  return queryOptions({
    queryKey: ['note', noteId],
    queryFn: async ({ signal }) => (await notesGetNote({ path: { note_id: noteId }, signal })).data,
    // The editor holds the text; a background refetch must not fight the autosave.
    staleTime: Number.POSITIVE_INFINITY,
    refetchOnWindowFocus: false,
  });
}

export const templatesQuery = queryOptions({
  queryKey: ['note-templates'],
  queryFn: async ({ signal }) => (await notesListNoteTemplates({ signal })).data,
  staleTime: 60 * 60_000,
});

export function visitBookingQuery(bookingId: string) {
  return queryOptions({
    queryKey: ['booking', bookingId],
    queryFn: async ({ signal }) =>
      (await bookingsGetBooking({ path: { booking_id: bookingId }, signal })).data,
  });
}

/** The patient's notes, to find the one documenting a visit (at most 100 notes looked at). */
export function patientNotesQuery(patientId: string) {
  return queryOptions({
    queryKey: ['patient-notes', patientId],
    queryFn: async ({ signal }) =>
      (
        await notesListPatientNotes({
          path: { patient_id: patientId },
          query: { page: 1, limit: 100 },
          signal,
        })
      ).data,
    staleTime: 0,
  });
}

export function patientProfileQuery(patientId: string) {
  return queryOptions({
    queryKey: ['chart', patientId, 'profile'],
    queryFn: async ({ signal }) =>
      (await patientsGetPatientProfile({ path: { patient_id: patientId }, signal })).data,
  });
}
