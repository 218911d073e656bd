/**
 * An RFC 9457 problem body as the API sends it (`application/problem+json`), normalised:
 * every field present, so views need no optional chaining.
 */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string | null;
  errors: FieldError[];
  /** Seconds to wait before trying again (429). */
  retry_after: number | null;
}

export interface FieldError {
  /** Dotted path of the offending input, e.g. `body.email`. */
  field: string;
  message: string;
  code: string;
}

/** A failed API call: the HTTP status (0 when the network failed) and its problem body. */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;

  constructor(status: number, problem: Problem) {
    super(problem.detail ?? problem.title);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asFieldErrors(value: unknown): FieldError[] {
  if (!Array.isArray(value)) return [];
  const out: FieldError[] = [];
  for (const item of value) {
    if (isRecord(item) && typeof item.field === 'string' && typeof item.message === 'string') {
      out.push({
        field: item.field,
        message: item.message,
        code: typeof item.code === 'string' ? item.code : 'invalid',
      });
    }
  }
  return out;
}

/**
 * FastAPI's own 422 body (`{detail: [{loc, msg, type}]}`), in case a route's validation error
 * reaches us without passing through the API's problem handler.
 */
function fromValidationDetail(detail: unknown): FieldError[] {
  if (!Array.isArray(detail)) return [];
  const out: FieldError[] = [];
  for (const item of detail) {
    if (isRecord(item) && Array.isArray(item.loc) && typeof item.msg === 'string') {
      out.push({
        field: item.loc.map(String).join('.'),
        message: item.msg,
        code: typeof item.type === 'string' ? item.type : 'invalid',
      });
    }
  }
  return out;
}

/** Turns whatever an error response carried into a problem body we can show. */
export function toProblem(status: number, body: unknown): Problem {
  if (isRecord(body)) {
    const legacy = fromValidationDetail(body.detail);
    const retryAfter = body.retry_after;
    return {
      type: typeof body.type === 'string' ? body.type : 'about:blank',
      title: typeof body.title === 'string' ? body.title : defaultTitle(status),
      status: typeof body.status === 'number' ? body.status : status,
      detail: typeof body.detail === 'string' ? body.detail : null,
      errors: legacy.length > 0 ? legacy : asFieldErrors(body.errors),
      retry_after: typeof retryAfter === 'number' ? retryAfter : null,
    };
  }
  return {
    type: 'about:blank',
    title: defaultTitle(status),
    status,
    detail: null,
    errors: [],
    retry_after: null,
  };
}

function defaultTitle(status: number): string {
  if (status === 0) return 'Network error';
  if (status >= 500) return 'Server error';
  return 'Request failed';
}

/** Wraps anything thrown by a call into an ApiError. */
export function asApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  return new ApiError(0, toProblem(0, undefined));
}

/** Where problem `field` paths come from: `body.email` names the request body's `email`. */
const LOCATIONS = new Set(['body', 'query', 'path', 'header', 'cookie']);

/** `body.email` → `email`; `body.address.zip` → `address.zip`; `body` → '' (the whole form). */
export function fieldName(path: string): string {
  const parts = path.split('.').filter((p) => p.length > 0);
  if (parts.length > 0 && LOCATIONS.has(parts[0] ?? '')) parts.shift();
  return parts.join('.');
}

export interface MappedErrors<F extends string> {
  /** First message for each form field that has one. */
  fields: Partial<Record<F, string>>;
  /** Messages that belong to no field on this form: shown above the form. */
  form: string[];
}

/** The form field an error is about: a list's own field for one of its values (`offsets.1`). */
function formField(name: string, known: ReadonlySet<string>): string | null {
  let candidate = name;
  while (!known.has(candidate)) {
    const item = /^(.+)\.\d+$/.exec(candidate);
    if (!item?.[1]) return null;
    candidate = item[1];
  }
  return candidate;
}

/**
 * Maps a problem's field errors onto a form's fields (an error about one value of a list goes
 * to the list's field). Errors for fields the form does not show are kept as form-level
 * messages, so nothing the server said is lost.
 */
export function mapFieldErrors<F extends string>(
  problem: Problem | undefined,
  formFields: readonly F[],
): MappedErrors<F> {
  const result: MappedErrors<F> = { fields: {}, form: [] };
  if (!problem) return result;
  const known = new Set<string>(formFields);
  for (const error of problem.errors) {
    const name = fieldName(error.field);
    const found = formField(name, known);
    if (found !== null) {
      const field = found as F;
      if (result.fields[field] === undefined) result.fields[field] = error.message;
    } else {
      result.form.push(name ? `${name}: ${error.message}` : error.message);
    }
  }
  return result;
}
