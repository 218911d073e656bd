import { QueryClient, queryOptions } from '@tanstack/react-query';
import { authListSessions, authOidcInfo, meGetMe, practiceGetPractice } from './generated';
import { ApiError } from './problem';
import { onSignOut } from './session';

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        refetchOnWindowFocus: false,
        // A 4xx will not change by asking again; a dropped connection or a 5xx might.
        retry: (failures, error) =>
          failures < 2 && !(error instanceof ApiError && error.status >= 400 && error.status < 500),
      },
      mutations: { retry: false },
    },
  });
}

export const queryClient = createQueryClient();

// Anonymous data survives a sign-out; everything else belonged to the user who left.
const PUBLIC_KEYS = new Set(['practice', 'oidc']);
onSignOut(() => {
  queryClient.removeQueries({ predicate: (q) => !PUBLIC_KEYS.has(String(q.queryKey[0])) });
});

export const practiceQuery = queryOptions({
  queryKey: ['practice'],
  queryFn: async ({ signal }) => (await practiceGetPractice({ signal })).data,
  staleTime: 10 * 60_000,
});

export const oidcQuery = queryOptions({
  queryKey: ['oidc'],
  queryFn: async ({ signal }) => (await authOidcInfo({ signal })).data,
  staleTime: 10 * 60_000,
});

export const meQuery = queryOptions({
  queryKey: ['me'],
  queryFn: async ({ signal }) => (await meGetMe({ signal })).data,
});

export const sessionsQuery = queryOptions({
  queryKey: ['sessions'],
  queryFn: async ({ signal }) => (await authListSessions({ signal })).data,
});
