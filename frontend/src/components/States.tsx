import type { ReactNode } from 'react';
import { ApiError } from '../api/problem';
import { type Language, type Translate, useI18n } from '../i18n';
import { localizeProblem } from '../i18n/problems';

/**
 * The message to show for a failed call, in the reader's language where we can: with
 * `language`, a known problem type is said in the dictionaries' words instead of the API's
 * English.
 */
export function errorMessage(failed: unknown, t: Translate, language?: Language): string {
  const error = language ? localizeProblem(failed, language, t) : failed;
  if (!(error instanceof ApiError)) return t('state.error');
  const { status, problem } = error;
  if (status < 0) return t('state.error');
  if (status === 0) return t('errors.network');
  // 429's detail says when to try again; fall back to retry_after if it is missing.
  if (status === 429 && !problem.detail && problem.retry_after !== null) {
    return t('errors.retryAfter', { seconds: problem.retry_after });
  }
  if (problem.detail) return problem.detail;
  if (status >= 500) return t('errors.server');
  return problem.title;
}

export function Loading({ label }: { label?: string }) {
  const { t } = useI18n();
  return (
    <p className="state state-loading" role="status">
      <span className="spinner" aria-hidden="true" />
      {label ?? t('state.loading')}
    </p>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="state state-empty">{children}</p>;
}

export function ErrorState({
  error,
  title,
  onRetry,
}: {
  error: unknown;
  title?: string;
  onRetry?: () => void;
}) {
  const { t, language } = useI18n();
  return (
    <div className="state state-error" role="alert">
      {title ? <p className="state-title">{title}</p> : null}
      <p>{errorMessage(error, t, language)}</p>
      {onRetry ? (
        <button type="button" className="button secondary" onClick={onRetry}>
          {t('state.retry')}
        </button>
      ) : null}
    </div>
  );
}
