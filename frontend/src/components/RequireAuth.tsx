import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { useSession } from '../api/session';
import { useI18n } from '../i18n';
import { Loading } from './States';

/** Shows its children to a signed-in user; sends anyone else to sign in and back. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const session = useSession();
  const location = useLocation();
  const { t } = useI18n();
  if (session.status === 'unknown') return <Loading label={t('state.loading')} />;
  if (session.status === 'signed-out') {
    const next = `${location.pathname}${location.search}`;
    return <Navigate to={`/sign-in?next=${encodeURIComponent(next)}`} replace />;
  }
  return <>{children}</>;
}

/** Only same-app paths: an open redirect to another site would help phishing. */
export function safeNext(next: string | null, fallback = '/account'): string {
  if (!next?.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) {
    return fallback;
  }
  return next;
}

/**
 * Where a user lands after signing in when no page asked for them: patients their portal,
 * psychiatrists their day.
 */
export function homePath(role: string | undefined): string {
  if (role === 'patient') return '/portal';
  if (role === 'psychiatrist') return '/today';
  if (role === 'admin') return '/admin';
  return '/account';
}
