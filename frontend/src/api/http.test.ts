import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { stubFetch } from '../test/render';
import { meGetMe } from './generated';
import { bootstrapSession, refreshSession } from './http';
import { ApiError } from './problem';
import { applyLoginResult, getSession, resetSessionForTests } from './session';

const ME = {
  id: '5f0c1a8e-0000-4000-8000-000000000001',
  email: 'ana@example.org',
  role: 'patient',
  full_name: 'Ana Rivera',
  email_verified: true,
  mfa_enabled: false,
  mfa_required: false,
} as const;

const ok = (token: string) => ({
  status: 200,
  body: { status: 'ok', access_token: token, expires_in: 600, user: ME },
});

beforeEach(() => resetSessionForTests());
afterEach(() => vi.unstubAllGlobals());

describe('access token handling', () => {
  it('sends the in-memory token as a bearer token', async () => {
    const { requests } = stubFetch({ 'GET /api/me': { status: 200, body: ME } });
    applyLoginResult({ status: 'ok', access_token: 'token-1', user: ME });

    const { data } = await meGetMe();

    expect(data.email).toBe('ana@example.org');
    expect(requests[0]?.headers.get('Authorization')).toBe('Bearer token-1');
  });

  it('refreshes once on a 401 and retries with the new token', async () => {
    const { requests } = stubFetch({
      'GET /api/me': [
        { status: 401, body: { title: 'Sign-in required', status: 401 } },
        {
          status: 200,
          body: ME,
        },
      ],
      'POST /api/auth/refresh': ok('token-2'),
    });
    applyLoginResult({ status: 'ok', access_token: 'expired', user: ME });

    const { data } = await meGetMe();

    expect(data.full_name).toBe('Ana Rivera');
    expect(requests.map((r) => `${r.method} ${new URL(r.url).pathname}`)).toEqual([
      'GET /api/me',
      'POST /api/auth/refresh',
      'GET /api/me',
    ]);
    expect(requests[2]?.headers.get('Authorization')).toBe('Bearer token-2');
    expect(getSession().accessToken).toBe('token-2');
  });

  it('signs out when the refresh is refused, and the call fails with its 401', async () => {
    stubFetch({
      'GET /api/me': { status: 401, body: { title: 'Sign-in required', status: 401 } },
      'POST /api/auth/refresh': { status: 401, body: { title: 'Sign-in required', status: 401 } },
    });
    applyLoginResult({ status: 'ok', access_token: 'expired', user: ME });

    const failure = await meGetMe().catch((e: unknown) => e);

    expect(failure).toBeInstanceOf(ApiError);
    expect((failure as ApiError).status).toBe(401);
    expect(getSession()).toMatchObject({ status: 'signed-out', accessToken: null });
  });

  it('concurrent refreshes share one call', async () => {
    const { requests } = stubFetch({ 'POST /api/auth/refresh': ok('token-3') });
    const results = await Promise.all([refreshSession(), refreshSession(), refreshSession()]);
    expect(results).toEqual([true, true, true]);
    expect(requests).toHaveLength(1);
    expect(requests[0]?.credentials).toBe('include');
  });

  it('a network failure becomes an ApiError with status 0', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => {
        throw new TypeError('Failed to fetch');
      }),
    );
    const failure = await meGetMe().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ApiError);
    expect((failure as ApiError).status).toBe(0);
  });
});

describe('bootstrapSession', () => {
  it('tries the refresh cookie once on start', async () => {
    const { requests } = stubFetch({ 'POST /api/auth/refresh': ok('token-4') });
    await Promise.all([bootstrapSession(), bootstrapSession()]);
    await bootstrapSession();
    expect(requests).toHaveLength(1);
    expect(getSession()).toMatchObject({ status: 'signed-in', user: ME });
  });
});
