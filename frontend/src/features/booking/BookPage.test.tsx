import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Route, Routes } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Notice } from '../../components/Notice';
import { renderPage, stubFetch } from '../../test/render';
import { booking, PROBLEM, VISIT_TYPE } from '../patient/fixtures';
import { BookPage } from './BookPage';

afterEach(() => vi.unstubAllGlobals());

const FREE = {
  ...VISIT_TYPE,
  id: 'vt-free',
  code: 'consult',
  name: 'Free consult',
  price_cents: 0,
};
const PROFILE = { time_zone: 'America/Boise', language: 'en', state: 'ID' };
const SLOTS = {
  visit_type_id: FREE.id,
  time_zone: 'America/Boise',
  slots: [
    {
      psychiatrist_id: 'doc-1',
      psychiatrist_name: 'Dr. Lee',
      starts_at: '2031-03-04T09:00:00-07:00',
      ends_at: '2031-03-04T09:30:00-07:00',
    },
    {
      psychiatrist_id: 'doc-2',
      psychiatrist_name: 'Dr. Ruiz',
      starts_at: '2031-03-05T14:30:00-07:00',
      ends_at: '2031-03-05T15:00:00-07:00',
    },
  ],
};

function App() {
  return (
    <Routes>
      <Route path="/book" element={<BookPage />} />
      <Route
        path="/visits/:id"
        element={
          <>
            <h1>Visit page</h1>
            <Notice />
          </>
        }
      />
    </Routes>
  );
}

const COMMON = {
  'GET /api/visit-types': { status: 200, body: [FREE, VISIT_TYPE] },
  'GET /api/patients/me/profile': { status: 200, body: PROFILE },
  'GET /api/psychiatrists': { status: 200, body: [] },
  'GET /api/scheduling/slots': { status: 200, body: SLOTS },
};

describe('BookPage', () => {
  it('shows slots by day in the patient zone, and a free consult confirms at once', async () => {
    const { requests } = stubFetch({
      ...COMMON,
      'POST /api/bookings': {
        status: 201,
        body: booking({ status: 'confirmed', price_cents: 0, visit_type: FREE }),
      },
    });
    const user = userEvent.setup({ delay: null });
    renderPage(<App />, { path: '/book' });

    await user.click(await screen.findByLabelText(/Free consult/));
    expect(await screen.findByText(/Times are shown in America\/Boise/)).toBeInTheDocument();
    // The days with open times, the first one shown: its times and no other day's.
    const days = await screen.findByRole('group', { name: 'Choose a day' });
    expect(
      within(days).getByRole('radio', { name: /Tuesday, March 4\s*Open times: 1/ }),
    ).toBeChecked();
    expect(
      within(days).getByRole('radio', { name: /Wednesday, March 5\s*Open times: 1/ }),
    ).not.toBeChecked();
    const tuesday = await screen.findByRole('region', { name: 'Tuesday, March 4' });
    const slot = within(tuesday).getByRole('radio', { name: /9:00\s?AM Dr\. Lee/ });
    expect(screen.queryByRole('radio', { name: /2:30\s?PM Dr\. Ruiz/ })).not.toBeInTheDocument();
    await user.click(slot);

    expect(
      screen.getByText(/This visit is free: it is confirmed as soon as you book it/),
    ).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Book this time' }));

    expect(await screen.findByRole('heading', { name: 'Visit page' })).toBeInTheDocument();
    expect(screen.getByText('Your visit is booked and confirmed.')).toBeInTheDocument();
    const post = requests.find((r) => r.method === 'POST');
    expect(await post?.json()).toEqual({
      visit_type_id: FREE.id,
      psychiatrist_id: 'doc-1',
      starts_at: '2031-03-04T09:00:00-07:00',
    });
    const search = requests.find((r) => r.url.includes('/api/scheduling/slots'));
    expect(new URL(search?.url ?? '').searchParams.get('visit_type_id')).toBe(FREE.id);
  });

  it('says when the time was just taken and keeps the patient on the page', async () => {
    stubFetch({
      ...COMMON,
      'POST /api/bookings': {
        status: 409,
        contentType: PROBLEM,
        body: {
          type: 'https://halcyon.health/problems/slot-taken',
          title: 'This time was just taken',
          status: 409,
          detail: 'Someone booked this time a moment ago. Choose another.',
        },
      },
    });
    const user = userEvent.setup({ delay: null });
    renderPage(<App />, { path: '/book' });
    await user.click(await screen.findByLabelText(/Free consult/));
    await user.click(await screen.findByRole('radio', { name: /9:00\s?AM Dr\. Lee/ }));
    await user.click(screen.getByRole('button', { name: 'Book this time' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Someone booked this time a moment ago. Choose another.',
    );
    expect(screen.queryByRole('heading', { name: 'Visit page' })).not.toBeInTheDocument();
  });

  it('shows the price of a paid visit and that it is held until paid', async () => {
    stubFetch(COMMON);
    const user = userEvent.setup({ delay: null });
    renderPage(<App />, { path: '/book' });
    const paid = await screen.findByLabelText(/Follow-up visit/);
    expect(paid.closest('label')).toHaveTextContent('$150.00');
    await user.click(paid);
    // A time on another day: choose the day, then the time.
    await user.click(await screen.findByRole('radio', { name: /Wednesday, March 5/ }));
    await user.click(await screen.findByRole('radio', { name: /2:30\s?PM Dr\. Ruiz/ }));
    expect(screen.getByText(/This visit costs \$150\.00\. We hold the time/)).toBeInTheDocument();
  });
});
