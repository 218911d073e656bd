import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderPage, stubFetch } from '../../test/render';
import { PHQ9, PRACTICE, PROBLEM } from '../patient/fixtures';
import { ScaleFormPage } from './ScaleFormPage';

afterEach(() => vi.unstubAllGlobals());

async function answerAll(user: ReturnType<typeof userEvent.setup>, item9: string) {
  for (let n = 1; n <= 8; n++) {
    const group = screen.getByRole('group', { name: new RegExp(`^${n}\\. Question ${n}$`) });
    await user.click(within(group).getByLabelText('Not at all'));
  }
  const nine = screen.getByRole('group', { name: /Thoughts that you would be better off dead/ });
  await user.click(within(nine).getByLabelText(item9));
}

describe('ScaleFormPage (PHQ-9)', () => {
  it('shows crisis resources at once, first on the page, when item 9 is above 0', async () => {
    stubFetch({
      'GET /api/scales/phq9': { status: 200, body: PHQ9 },
      'GET /api/practice': { status: 200, body: PRACTICE },
    });
    const user = userEvent.setup({ delay: null });
    const { container } = renderPage(<ScaleFormPage />, {
      path: '/questionnaires/phq9',
      route: '/questionnaires/:code',
    });
    await screen.findByRole('heading', { name: 'PHQ-9', level: 1 });
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();

    const nine = screen.getByRole('group', { name: /Thoughts that you would be better off dead/ });
    await user.click(within(nine).getByLabelText('Several days'));

    // Before anything is sent: the alert is there, and it is the first thing on the page.
    const alert = screen.getByRole('alert');
    expect(alert).toHaveTextContent('help is available now');
    expect(within(alert).getByRole('link', { name: 'Call 988' })).toHaveAttribute(
      'href',
      'tel:988',
    );
    expect(await within(alert).findByText(PRACTICE.crisis_line_text)).toBeInTheDocument();
    const section = container.querySelector('section');
    expect(section?.firstElementChild).toBe(alert);

    // Back to 0: the answer no longer signals risk.
    await user.click(within(nine).getByLabelText('Not at all'));
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('after sending, the API crisis resources come before the score, with focus', async () => {
    const { requests } = stubFetch({
      'GET /api/scales/phq9': { status: 200, body: PHQ9 },
      'GET /api/practice': { status: 200, body: PRACTICE },
      'POST /api/patients/me/scales/results': {
        status: 201,
        body: {
          care_team_notified: true,
          crisis_resources: { language: 'en', phone: '988', text: 'Call 988 now (from the API).' },
          result: {
            id: 'r1',
            scale: 'phq9',
            total: 2,
            max_total: 27,
            band: 'minimal',
            band_label: 'Minimal',
            urgent: true,
            answers: {},
          },
        },
      },
    });
    const user = userEvent.setup({ delay: null });
    renderPage(<ScaleFormPage />, {
      path: '/questionnaires/phq9?assignment=a-1',
      route: '/questionnaires/:code',
    });
    await screen.findByRole('heading', { name: 'PHQ-9', level: 1 });
    await answerAll(user, 'More than half the days');
    await user.click(screen.getByRole('button', { name: 'Send my answers' }));

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Call 988 now (from the API).');
    expect(alert).toHaveFocus();
    const heading = screen.getByRole('heading', { level: 1 });
    // The alert precedes the heading in document order.
    expect(alert.compareDocumentPosition(heading) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(screen.getByText(/Your care team has been told/)).toBeInTheDocument();
    expect(screen.getByText(/Your score: 2 out of 27/)).toBeInTheDocument();

    const sent = requests.find((r) => r.method === 'POST');
    expect(await sent?.json()).toMatchObject({
      scale: 'phq9',
      assignment_id: 'a-1',
      answers: { '1': 0, '9': 2 },
    });
  });

  it('puts a 422 about one item on that item', async () => {
    stubFetch({
      'GET /api/scales/phq9': { status: 200, body: PHQ9 },
      'GET /api/practice': { status: 200, body: PRACTICE },
      'POST /api/patients/me/scales/results': {
        status: 422,
        contentType: PROBLEM,
        body: {
          title: 'Some answers need attention',
          status: 422,
          errors: [{ field: 'body.answers.3', message: 'Choose one answer.', code: 'invalid' }],
        },
      },
    });
    const user = userEvent.setup({ delay: null });
    renderPage(<ScaleFormPage />, { path: '/questionnaires/phq9', route: '/questionnaires/:code' });
    await screen.findByRole('heading', { name: 'PHQ-9', level: 1 });
    await answerAll(user, 'Not at all');
    await user.click(screen.getByRole('button', { name: 'Send my answers' }));

    const three = await screen.findByRole('group', { name: /^3\. Question 3$/ });
    expect(three).toHaveAccessibleDescription('Choose one answer.');
    expect(screen.getByRole('group', { name: /^2\. Question 2$/ })).not.toHaveAccessibleDescription(
      'Choose one answer.',
    );
  });
});
