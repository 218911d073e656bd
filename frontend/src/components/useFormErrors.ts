import { useMemo } from 'react';
import { ApiError, type MappedErrors, mapFieldErrors } from '../api/problem';
import { useI18n } from '../i18n';
import { localizeProblem } from '../i18n/problems';

export interface FormErrors<F extends string> extends MappedErrors<F> {
  /** The failed call, if the last submit failed. */
  apiError: ApiError | null;
}

/**
 * A mutation's error, split into per-field messages and form-level ones, in the reader's
 * language where the problem type or the field error's code is known.
 */
export function useFormErrors<F extends string>(
  failed: unknown,
  fields: readonly F[],
): FormErrors<F> {
  const { language, t } = useI18n();
  return useMemo(() => {
    const error = localizeProblem(failed, language, t);
    const apiError =
      error instanceof ApiError ? error : error ? new ApiError(-1, toUnknown(error)) : null;
    return { apiError, ...mapFieldErrors(apiError?.problem, fields) };
  }, [failed, fields, language, t]);
}

/** Not an API answer (a bug in this app): status -1 tells the views to say so plainly. */
function toUnknown(error: unknown) {
  return {
    type: 'about:blank',
    title: error instanceof Error ? error.message : String(error),
    status: -1,
    detail: null,
    errors: [],
    retry_after: null,
  };
}
