import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderPage, stubFetch } from '../../test/render';
import { booking } from '../patient/fixtures';
import { NOTE_ID, note } from './fixtures';
import { NoteForVisitPage } from './NoteForVisitPage';

afterEach(() => {
  vi.unstubAllGlobals();
});

const VISIT = booking();
const TEMPLATES = [
  {
    code: 'follow_up',
    title: 'Follow-up visit',
    description: 'Progress since the last visit or series.',
    prompts: {},
    suggested_codes: ['99214'],
  },
  {
    code: 'initial_evaluation',
    title: 'Initial psychiatric evaluation',
    description: 'Full diagnostic evaluation before a treatment series.',
    prompts: {},
    suggested_codes: ['90792'],
  },
];

function renderVisitNote() {
  return renderPage(<NoteForVisitPage />, {
    path: `/visits/${VISIT.id}/note`,
    route: '/visits/:bookingId/note',
  });
}

describe('the note for a visit', () => {
  it('starts a draft from the chosen template, linked to the visit', async () => {
    const { requests } = stubFetch({
      [`GET /api/bookings/${VISIT.id}`]: { status: 200, body: VISIT },
      [`GET /api/patients/${VISIT.patient_id}/notes`]: {
        status: 200,
        body: { items: [], total: 0, page: 1, limit: 100 },
      },
      [`GET /api/patients/${VISIT.patient_id}/profile`]: { status: 404, body: {} },
      'GET /api/notes/templates': { status: 200, body: TEMPLATES },
      [`POST /api/patients/${VISIT.patient_id}/notes`]: { status: 201, body: note() },
      [`GET /api/notes/${NOTE_ID}`]: { status: 200, body: note() },
    });
    const user = userEvent.setup({ delay: null });
    renderVisitNote();
    await user.click(await screen.findByRole('radio', { name: /Follow-up visit/ }));
    await user.click(screen.getByRole('button', { name: 'Start the draft' }));

    expect(await screen.findByRole('textbox', { name: 'Subjective' })).toBeInTheDocument();
    const post = requests.find((r) => r.method === 'POST');
    expect(await post?.json()).toMatchObject({
      template: 'follow_up',
      consult_id: VISIT.id,
      visit_at: VISIT.starts_at,
      modality: 'video',
    });
  });

  it("opens the visit's existing note instead of starting another", async () => {
    const { requests } = stubFetch({
      [`GET /api/bookings/${VISIT.id}`]: { status: 200, body: VISIT },
      [`GET /api/patients/${VISIT.patient_id}/notes`]: {
        status: 200,
        body: {
          items: [{ ...note(), consult_id: VISIT.id, addenda: 0 }],
          total: 1,
          page: 1,
          limit: 100,
        },
      },
      [`GET /api/patients/${VISIT.patient_id}/profile`]: { status: 404, body: {} },
      [`GET /api/notes/${NOTE_ID}`]: { status: 200, body: note() },
    });
    renderVisitNote();
    expect(await screen.findByRole('textbox', { name: 'Subjective' })).toBeInTheDocument();
    expect(requests.some((r) => r.method === 'POST')).toBe(false);
  });
});
