import { useMemo } from 'react';
import { ApiError, type MappedErrors, mapFieldErrors } from '../api/problem';

export interface FormErrors<F extends string> extends MappedErrors<F> {
  /** The failed call, if the last submit failed. */
  apiError: ApiError | null;
}

/** A mutation's error, split into per-field messages and form-level ones. */
export function useFormErrors<F extends string>(
  error: unknown,
  fields: readonly F[],
): FormErrors<F> {
  return useMemo(() => {
    const apiError =
      error instanceof ApiError ? error : error ? new ApiError(-1, toUnknown(error)) : null;
    return { apiError, ...mapFieldErrors(apiError?.problem, fields) };
  }, [error, fields]);
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
