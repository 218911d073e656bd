import { describe, expect, it } from 'vitest';
import { ApiError, fieldName, mapFieldErrors, type Problem, toProblem } from './problem';

const problem = (errors: Problem['errors'], extra: Partial<Problem> = {}): Problem => ({
  type: 'https://halcyon.health/problems/validation',
  title: 'Invalid input',
  status: 422,
  detail: null,
  errors,
  retry_after: null,
  ...extra,
});

describe('fieldName', () => {
  it('drops the request location', () => {
    expect(fieldName('body.email')).toBe('email');
    expect(fieldName('query.page')).toBe('page');
    expect(fieldName('path.session_id')).toBe('session_id');
  });

  it('keeps nested paths and plain names', () => {
    expect(fieldName('body.address.zip')).toBe('address.zip');
    expect(fieldName('email')).toBe('email');
  });

  it('maps the whole body to the form', () => {
    expect(fieldName('body')).toBe('');
  });
});

describe('mapFieldErrors', () => {
  const FIELDS = ['email', 'password', 'date_of_birth'] as const;

  it('puts each error on its form field', () => {
    const mapped = mapFieldErrors(
      problem([
        { field: 'body.email', message: 'Not a valid e-mail address.', code: 'value_error' },
        { field: 'body.date_of_birth', message: 'Use YYYY-MM-DD.', code: 'date_from_datetime' },
      ]),
      FIELDS,
    );
    expect(mapped.fields).toEqual({
      email: 'Not a valid e-mail address.',
      date_of_birth: 'Use YYYY-MM-DD.',
    });
    expect(mapped.form).toEqual([]);
  });

  it('keeps the first message when a field has several', () => {
    const mapped = mapFieldErrors(
      problem([
        { field: 'body.password', message: 'Too short.', code: 'too_short' },
        { field: 'body.password', message: 'Too common.', code: 'weak' },
      ]),
      FIELDS,
    );
    expect(mapped.fields.password).toBe('Too short.');
  });

  it('shows errors for fields the form lacks at form level, never dropping them', () => {
    const mapped = mapFieldErrors(
      problem([
        { field: 'body.token', message: 'This link has expired.', code: 'expired' },
        { field: 'body', message: 'Field required', code: 'missing' },
      ]),
      FIELDS,
    );
    expect(mapped.fields).toEqual({});
    expect(mapped.form).toEqual(['token: This link has expired.', 'Field required']);
  });

  it('is empty without a problem', () => {
    expect(mapFieldErrors(undefined, FIELDS)).toEqual({ fields: {}, form: [] });
  });

  it("puts an error about one value of a list on the list's field", () => {
    const mapped = mapFieldErrors(
      problem([
        { field: 'body.offsets.1', message: 'At least 5.', code: 'greater_than_equal' },
        { field: 'body.other.0', message: 'Unknown.', code: 'value_error' },
      ]),
      ['offsets'] as const,
    );
    expect(mapped.fields).toEqual({ offsets: 'At least 5.' });
    expect(mapped.form).toEqual(['other.0: Unknown.']);
  });
});

describe('toProblem', () => {
  it('reads a problem+json body', () => {
    const body = {
      type: 'https://halcyon.health/problems/too-many-requests',
      title: 'Too many attempts',
      status: 429,
      detail: 'Try again in 15 minutes.',
      errors: [],
      retry_after: 900,
    };
    expect(toProblem(429, body)).toEqual({ ...body });
  });

  it("reads FastAPI's own validation body", () => {
    const body = {
      detail: [{ loc: ['body', 'email'], msg: 'value is not a valid email address', type: 'x' }],
    };
    const p = toProblem(422, body);
    expect(p.status).toBe(422);
    expect(p.detail).toBeNull();
    expect(p.errors).toEqual([
      { field: 'body.email', message: 'value is not a valid email address', code: 'x' },
    ]);
  });

  it('survives a body that is not JSON', () => {
    const p = toProblem(502, '<html>Bad gateway</html>');
    expect(p).toMatchObject({ status: 502, title: 'Server error', errors: [] });
  });

  it('ignores malformed field errors', () => {
    const p = toProblem(422, { title: 'Invalid', status: 422, errors: [{ nope: 1 }, 'x'] });
    expect(p.errors).toEqual([]);
  });
});

describe('ApiError', () => {
  it('carries the status and uses the detail as its message', () => {
    const error = new ApiError(409, problem([], { status: 409, detail: 'Already enrolled.' }));
    expect(error.status).toBe(409);
    expect(error.message).toBe('Already enrolled.');
  });
});
