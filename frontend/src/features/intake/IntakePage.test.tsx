import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderPage, stubFetch } from '../../test/render';
import { PRACTICE, PROBLEM } from '../patient/fixtures';
import { IntakePage } from './IntakePage';

afterEach(() => vi.unstubAllGlobals());

function intake(overrides: Record<string, unknown> = {}) {
  return {
    id: 'i-1',
    status: 'draft',
    form_version: '2026.11',
    answers: { reasons_for_care: ['depression'] },
    missing: ['psychiatric_history.diagnoses', 'pregnancy'],
    created_at: '2031-02-01T10:00:00Z',
    updated_at: '2031-02-01T10:05:00Z',
    submitted_at: null,
    ...overrides,
  };
}

describe('IntakePage', () => {
  it('resumes a draft at the first section with a missing answer', async () => {
    stubFetch({ 'GET /api/patients/me/intake': { status: 200, body: intake() } });
    renderPage(<IntakePage />, { path: '/intake', route: '/intake' });
    expect(
      await screen.findByRole('heading', { name: 'Mental health history' }),
    ).toBeInTheDocument();
    expect(screen.getByText(/^Saved /)).toBeInTheDocument();
  });

  it('saves a section and puts a 422 field error on the field it names', async () => {
    const { requests } = stubFetch({
      'GET /api/patients/me/intake': { status: 200, body: intake() },
      'PUT /api/patients/me/intake/draft': {
        status: 422,
        contentType: PROBLEM,
        body: {
          title: 'Invalid input',
          status: 422,
          detail:
            'body.psychiatric_history.hospitalisations: Input should be less than or equal to 100',
          errors: [
            {
              field: 'body.psychiatric_history.hospitalisations',
              message: 'Input should be less than or equal to 100',
              code: 'less_than_equal',
            },
          ],
        },
      },
    });
    const user = userEvent.setup({ delay: null });
    renderPage(<IntakePage />, { path: '/intake?step=psychiatric', route: '/intake' });

    const count = await screen.findByLabelText(
      'How many times have you been admitted to hospital for your mental health?',
    );
    await user.type(count, '101');
    await user.type(
      screen.getByLabelText('Mental health diagnoses you have been given'),
      'Major depressive disorder',
    );
    const psychosis = screen.getByRole('group', { name: /heard or seen things/ });
    await user.click(psychosis.querySelector('input[type="radio"]') as HTMLInputElement);
    await user.click(screen.getByRole('button', { name: 'Save and continue' }));

    expect(
      await screen.findByText('Input should be less than or equal to 100'),
    ).toBeInTheDocument();
    expect(count).toHaveAttribute('aria-invalid', 'true');
    expect(count).toHaveAccessibleDescription('Input should be less than or equal to 100');
    expect(count).toHaveFocus();
    expect(
      screen.getByLabelText('Mental health diagnoses you have been given'),
    ).not.toHaveAttribute('aria-invalid');

    const put = requests.find((r) => r.method === 'PUT');
    expect(await put?.json()).toEqual({
      psychiatric_history: {
        hospitalisations: 101,
        psychosis: true,
        diagnoses: ['Major depressive disorder'],
        prior_treatments: [],
        antidepressant_trials: [],
      },
    });
  });

  it('lists what is still needed in words, and shows crisis resources first after submitting', async () => {
    stubFetch({
      'GET /api/patients/me/intake': [
        { status: 200, body: intake({ missing: ['pregnancy'] }) },
        { status: 200, body: intake({ missing: [] }) },
      ],
      'GET /api/practice': { status: 200, body: PRACTICE },
      'POST /api/patients/me/intake/submit': {
        status: 200,
        body: {
          intake: intake({
            status: 'submitted',
            missing: [],
            submitted_at: '2031-02-02T10:00:00Z',
          }),
          crisis_resources: { language: 'en', phone: '988', text: 'Please call 988 now.' },
        },
      },
    });
    const user = userEvent.setup({ delay: null });
    renderPage(<IntakePage />, { path: '/intake?step=review', route: '/intake' });
    expect(await screen.findByText('Answers still needed: 1.')).toBeInTheDocument();
    expect(
      screen.getByRole('button', {
        name: 'Are you pregnant, breastfeeding or planning a pregnancy?',
      }),
    ).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Submit my intake' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Please call 988 now.');
    expect(alert).toHaveFocus();
    expect(
      screen.getByRole('heading', { name: 'Thank you, your intake is submitted' }),
    ).toBeInTheDocument();
  });
});
