import { useMemo } from 'react';
import { ApiError, type FieldError } from '../api/problem';
import { en } from './en';
import { type Language, type MessageKey, type Translate, useI18n } from './index';

/**
 * The API writes its problem details in English and names each problem with a stable type
 * (`…/problems/plan-blocked`) and each field error with a code (`missing`, `dose_out_of_range`).
 * For a reader of another language, this swaps the English for the dictionaries' words where
 * the type or code is known; what is not known stays as the server wrote it. English readers
 * keep the server's own sentences, which say more (the numbers, the ids).
 */

/** A field error in the reader's words, or undefined to fall back to the generic ones. */
export type FieldText = (error: FieldError, t: Translate) => string | undefined;

// Pydantic's error types, as the API passes them on in `code`.
const GENERIC: Record<string, MessageKey> = {
  missing: 'fieldError.missing',
  greater_than: 'fieldError.range',
  greater_than_equal: 'fieldError.range',
  less_than: 'fieldError.range',
  less_than_equal: 'fieldError.range',
  int_parsing: 'fieldError.number',
  int_type: 'fieldError.number',
  int_from_float: 'fieldError.number',
  float_parsing: 'fieldError.number',
  float_type: 'fieldError.number',
  finite_number: 'fieldError.number',
  string_too_long: 'fieldError.tooLong',
  too_long: 'fieldError.tooLong',
  string_too_short: 'fieldError.tooShort',
  too_short: 'fieldError.tooShort',
  literal_error: 'fieldError.choice',
  enum: 'fieldError.choice',
  extra_forbidden: 'fieldError.notAllowed',
};

function isKey(key: string): key is MessageKey {
  return Object.hasOwn(en, key);
}

/** `https://halcyon.health/problems/plan-blocked` → `plan-blocked`. */
export function problemSlug(error: unknown): string | null {
  if (!(error instanceof ApiError)) return null;
  return error.problem.type.split('/').pop() ?? null;
}

// Errors already put in the reader's words: the shared components localize every error they
// show, and a page that localized first (with words for its own field codes) keeps those.
const localized = new WeakSet<ApiError>();

export function localizeProblem(
  error: unknown,
  language: Language,
  t: Translate,
  fieldText?: FieldText,
): unknown {
  if (language === 'en' || !(error instanceof ApiError) || error.status <= 0) return error;
  if (localized.has(error)) return error;
  const { problem } = error;
  const key = `problem.${problemSlug(error)}`;
  const known = isKey(key) ? t(key) : null;
  const result = new ApiError(error.status, {
    ...problem,
    title: known ?? problem.title,
    detail: known ?? problem.detail,
    errors: problem.errors.map((e) => {
      const generic = GENERIC[e.code];
      return {
        ...e,
        message: fieldText?.(e, t) ?? (generic ? t(generic) : e.message),
      };
    }),
  });
  localized.add(result);
  return result;
}

/** `error` (a failed call) in the reader's language, stable while the error and language are. */
export function useLocalizedError(error: unknown, fieldText?: FieldText): unknown {
  const { language, t } = useI18n();
  return useMemo(
    () => localizeProblem(error, language, t, fieldText),
    [error, language, t, fieldText],
  );
}
