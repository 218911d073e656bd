import type { ReactNode } from 'react';
import type { ApiError } from '../api/problem';
import { useI18n } from '../i18n';
import { errorMessage } from './States';

/**
 * What went wrong with a submitted form, above its fields: the problem's detail (a 429 says
 * when to retry) and any field errors the form has no field for.
 */
export function FormAlert({
  error,
  messages = [],
}: {
  error: ApiError | null;
  messages?: string[];
}) {
  const { t } = useI18n();
  if (!error && messages.length === 0) return null;
  const hasFieldErrors = (error?.problem.errors.length ?? 0) > 0;
  return (
    <div className="alert alert-error" role="alert">
      <p className="alert-title">
        {error && !hasFieldErrors ? errorMessage(error, t) : t('errors.formTitle')}
      </p>
      {messages.length > 0 ? (
        <ul>
          {messages.map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

export function SuccessAlert({ children }: { children: ReactNode }) {
  return (
    <div className="alert alert-success" role="status">
      {children}
    </div>
  );
}
