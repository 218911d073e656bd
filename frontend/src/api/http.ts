import { authRefresh, meGetMe } from './generated';
import { client } from './generated/client.gen';
import { ApiError, toProblem } from './problem';
import { applyLoginResult, getSession, markSignedOut, setSessionUser } from './session';

// Calls that must not trigger a refresh-and-retry when they answer 401.
const NO_RETRY = ['/api/auth/refresh', '/api/auth/login', '/api/auth/logout'];

function withToken(request: Request, token: string | null): Request {
  const next = new Request(request);
  if (token) next.headers.set('Authorization', `Bearer ${token}`);
  return next;
}

/**
 * Adds the in-memory access token; on a 401 for a call that carried one, refreshes once
 * (the cookie does the work) and retries, so an expired 10-minute token goes unnoticed.
 */
async function authFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const request = new Request(input, init);
  const token = getSession().accessToken;
  const spare = token ? request.clone() : null;
  const response = await globalThis.fetch(withToken(request, token));
  const path = new URL(request.url).pathname;
  if (response.status !== 401 || !spare || NO_RETRY.some((p) => path.startsWith(p))) {
    return response;
  }
  const refreshed = await refreshSession();
  if (!refreshed) return response;
  return globalThis.fetch(withToken(spare, getSession().accessToken));
}

let configured = false;

/** Points the generated client at this origin, with cookies, our fetch and typed errors. */
export function configureApiClient(): void {
  if (configured) return;
  configured = true;
  client.setConfig({
    baseUrl: globalThis.location?.origin ?? '',
    credentials: 'include',
    fetch: authFetch,
  });
  client.interceptors.error.use((error, response) => {
    const status = response?.status ?? 0;
    return new ApiError(status, toProblem(status, error));
  });
}

let inflight: Promise<boolean> | null = null;

/** Asks for a new access token with the refresh cookie; concurrent callers share one call. */
export function refreshSession(): Promise<boolean> {
  inflight ??= (async () => {
    try {
      const { data } = await authRefresh();
      if (!applyLoginResult(data)) {
        markSignedOut();
        return false;
      }
      if (!data.user) {
        const me = await meGetMe();
        setSessionUser(me.data);
      }
      return true;
    } catch {
      markSignedOut();
      return false;
    } finally {
      inflight = null;
    }
  })();
  return inflight;
}

let boot: Promise<boolean> | null = null;

/** On app start: one refresh attempt decides whether we are signed in. */
export function bootstrapSession(): Promise<boolean> {
  boot ??= refreshSession();
  return boot;
}
