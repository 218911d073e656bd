import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ApiError, toProblem } from '../api/problem';
import { I18nProvider, type Language } from '../i18n';
import { en } from '../i18n/en';
import { es } from '../i18n/es';
import { ErrorState } from './States';
import { useFormErrors } from './useFormErrors';

const forbidden = new ApiError(
  403,
  toProblem(403, {
    type: 'https://halcyon.health/problems/forbidden',
    title: 'Forbidden',
    status: 403,
    detail: 'Only the care team may read this chart.',
  }),
);

const missingReason = new ApiError(
  422,
  toProblem(422, {
    type: 'https://halcyon.health/problems/validation',
    title: 'Validation failed',
    status: 422,
    detail: 'One field needs changing.',
    errors: [{ field: 'body.reason', message: 'Field required', code: 'missing' }],
  }),
);

const FIELDS = ['reason'] as const;

function ReasonForm({ error }: { error: unknown }) {
  const errors = useFormErrors(error, FIELDS);
  return <p data-testid="reason-error">{errors.fields.reason}</p>;
}

function inLanguage(language: Language, ui: React.ReactElement) {
  return render(<I18nProvider initialLanguage={language}>{ui}</I18nProvider>);
}

describe('errors from the API in the reader language', () => {
  it('says a known problem in Spanish instead of the API English', () => {
    inLanguage('es', <ErrorState error={forbidden} />);
    expect(screen.getByRole('alert')).toHaveTextContent(es['problem.forbidden']);
    expect(screen.queryByText(/Only the care team/)).not.toBeInTheDocument();
  });

  it('keeps the API own sentence for English readers', () => {
    inLanguage('en', <ErrorState error={forbidden} />);
    expect(screen.getByRole('alert')).toHaveTextContent('Only the care team may read this chart.');
  });

  it('puts a field error in Spanish next to its field', () => {
    inLanguage('es', <ReasonForm error={missingReason} />);
    expect(screen.getByTestId('reason-error')).toHaveTextContent(es['fieldError.missing']);
  });

  it('leaves an English field error as the API wrote it', () => {
    inLanguage('en', <ReasonForm error={missingReason} />);
    expect(screen.getByTestId('reason-error')).toHaveTextContent('Field required');
    expect(en['fieldError.missing']).not.toBe('Field required');
  });
});
