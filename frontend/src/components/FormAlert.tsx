import { type ReactNode, useEffect, useRef } from 'react';
import type { ApiError } from '../api/problem';
import { useI18n } from '../i18n';
import { errorMessage } from './States';

/**
 * What went wrong with a submitted form, above its fields: the problem's detail (a 429 says
 * when to retry) and any field errors the form has no field for. When it appears, focus
 * moves to the first field marked invalid, or to this alert, so keyboard and screen-reader
 * users land on the problem instead of on the submit button.
 */
export function FormAlert({
  error,
  messages = [],
}: {
  error: ApiError | null;
  messages?: string[];
}) {
  const { t, language } = useI18n();
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!error) return;
    const form = box.current?.closest('form');
    const invalid = form?.querySelector<HTMLElement>('[aria-invalid="true"]');
    (invalid ?? box.current)?.focus();
  }, [error]);

  if (!error && messages.length === 0) return null;
  const hasFieldErrors = (error?.problem.errors.length ?? 0) > 0;
  return (
    <div className="alert alert-error" role="alert" tabIndex={-1} ref={box}>
      <p className="alert-title">
        {error && !hasFieldErrors ? errorMessage(error, t, language) : t('errors.formTitle')}
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
