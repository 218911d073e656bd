import { useSyncExternalStore } from 'react';
import type { LoginResult, Me } from './generated';

/**
 * Who is signed in. The access token lives only here, in memory: a reload loses it and the
 * app asks for a new one with the httpOnly refresh cookie (see `bootstrapSession`).
 */
export interface SessionState {
  status: 'unknown' | 'signed-in' | 'signed-out';
  accessToken: string | null;
  user: Me | null;
  /** Signed in, but staff must enrol an authenticator app before going further. */
  mfaEnrollmentRequired: boolean;
}

const SIGNED_OUT: SessionState = {
  status: 'signed-out',
  accessToken: null,
  user: null,
  mfaEnrollmentRequired: false,
};

let state: SessionState = { ...SIGNED_OUT, status: 'unknown' };
const listeners = new Set<() => void>();
const signOutHooks = new Set<() => void>();

function publish(next: SessionState): void {
  state = next;
  for (const listener of listeners) listener();
}

export function getSession(): SessionState {
  return state;
}

export function subscribeSession(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useSession(): SessionState {
  return useSyncExternalStore(subscribeSession, getSession, getSession);
}

/** Stores what a login, MFA step or refresh returned; false when it carried no token. */
export function applyLoginResult(result: LoginResult): boolean {
  if (!result.access_token) return false;
  publish({
    status: 'signed-in',
    accessToken: result.access_token,
    user: result.user ?? state.user,
    mfaEnrollmentRequired: result.status === 'mfa_enrollment_required',
  });
  return true;
}

export function setSessionUser(user: Me): void {
  if (state.status !== 'signed-in') return;
  publish({
    ...state,
    user,
    mfaEnrollmentRequired: state.mfaEnrollmentRequired && !user.mfa_enabled,
  });
}

export function markSignedOut(): void {
  const wasSignedIn = state.status === 'signed-in';
  publish(SIGNED_OUT);
  if (wasSignedIn) for (const hook of signOutHooks) hook();
}

/** Runs when a signed-in session ends (sign-out, or a refresh the server refused). */
export function onSignOut(hook: () => void): () => void {
  signOutHooks.add(hook);
  return () => signOutHooks.delete(hook);
}

/** Tests only: forget everything. */
export function resetSessionForTests(): void {
  state = { ...SIGNED_OUT, status: 'unknown' };
  signOutHooks.clear();
}
