import { queryOptions } from '@tanstack/react-query';
import {
  consultsListConsultMessages,
  consultsPatientJoinToken,
  consultsPsychiatristJoinToken,
  consultsWaitingRoom,
} from '../../api/generated';
import { ApiError } from '../../api/problem';
import type { JoinInfo } from '../../signaling/client';
import type { Role } from './controller';

/** A fresh join token for the booking's call (asked again before every reconnect). */
export async function fetchJoin(
  bookingId: string,
  role: Role,
  locationState: string | null,
): Promise<JoinInfo> {
  const path = { booking_id: bookingId };
  const { data } =
    role === 'patient'
      ? await consultsPatientJoinToken({ path, body: { location_state: locationState ?? '' } })
      : await consultsPsychiatristJoinToken({ path });
  return { token: data.token, signalingUrl: data.signaling_url };
}

/** A 4xx from the API (window closed, not your visit…) will not change by asking again. */
export function isPermanentApiError(error: unknown): boolean {
  return error instanceof ApiError && error.status >= 400 && error.status < 500;
}

export function consultMessagesQuery(bookingId: string) {
  return queryOptions({
    queryKey: ['consult-messages', bookingId],
    queryFn: async ({ signal }) =>
      (await consultsListConsultMessages({ path: { booking_id: bookingId }, signal })).data,
  });
}

/** The psychiatrist's waiting room: the patient's name and confirmed location. */
export const waitingRoomQuery = queryOptions({
  queryKey: ['waiting-room'],
  queryFn: async ({ signal }) => (await consultsWaitingRoom({ signal })).data,
  refetchInterval: 15_000,
});
