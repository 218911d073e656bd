import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderPage, stubFetch } from '../../test/render';
import { NOTE_ID, note, SUBJECTIVE } from './fixtures';
import { NotePage } from './NotePage';

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

const ID = NOTE_ID;

const SIGNED = note({
  status: 'signed',
  revision: 3,
  subjective: `${SUBJECTIVE} feeling better`,
  signed_at: '2031-03-04T22:00:00Z',
  signed_by: '5f0c1a8e-0000-4000-8000-000000000002',
  signer_name: 'Dr. Lee',
  content_hash: 'abc',
  integrity_ok: true,
});

function renderNote() {
  return renderPage(<NotePage />, { path: `/notes/${ID}`, route: '/notes/:noteId' });
}

function byMethod(requests: Request[], method: string) {
  return requests.filter((r) => r.method === method);
}

describe('the note editor', () => {
  it('autosaves once, a second after the last keystroke, and then says saved', async () => {
    const { requests } = stubFetch({
      [`GET /api/notes/${ID}`]: { status: 200, body: note() },
      [`PATCH /api/notes/${ID}`]: {
        status: 200,
        body: note({ revision: 2, subjective: `${SUBJECTIVE} sleeping better` }),
      },
    });
    renderNote();
    const subjective = await screen.findByRole('textbox', { name: 'Subjective' });
    // Only the clock the debounce uses: React's scheduler keeps its real setImmediate.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    fireEvent.change(subjective, { target: { value: `${SUBJECTIVE} sleeping` } });
    const status = screen.getByTestId('save-status');
    expect(status).toHaveTextContent('Unsaved changes…');
    // Still typing half a second later: the wait starts again.
    await act(() => vi.advanceTimersByTimeAsync(500));
    fireEvent.change(subjective, { target: { value: `${SUBJECTIVE} sleeping better` } });
    await act(() => vi.advanceTimersByTimeAsync(900));
    expect(byMethod(requests, 'PATCH')).toHaveLength(0);

    await act(() => vi.advanceTimersByTimeAsync(200));
    vi.useRealTimers();
    await waitFor(() => expect(status).toHaveTextContent(/All changes saved/));
    const patches = byMethod(requests, 'PATCH');
    expect(patches).toHaveLength(1);
    expect(await patches[0]?.json()).toEqual({
      subjective: `${SUBJECTIVE} sleeping better`,
      base_revision: 1,
    });
  });

  it('shows a failed save and sends it again on retry, with the new revision after', async () => {
    const { requests } = stubFetch({
      [`GET /api/notes/${ID}`]: { status: 200, body: note() },
      [`PATCH /api/notes/${ID}`]: [
        { status: 503, body: { title: 'Down', status: 503 } },
        { status: 200, body: note({ revision: 2, plan: 'Continue' }) },
      ],
    });
    const user = userEvent.setup({ delay: null });
    renderNote();
    await user.type(await screen.findByRole('textbox', { name: 'Plan' }), 'Continue');
    const status = screen.getByTestId('save-status');
    await waitFor(() => expect(status).toHaveTextContent('Not saved'), { timeout: 3000 });
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    await waitFor(() => expect(status).toHaveTextContent(/All changes saved/));
    const patches = byMethod(requests, 'PATCH');
    expect(patches).toHaveLength(2);
    expect(await patches[1]?.json()).toEqual({ plan: 'Continue', base_revision: 1 });
  });

  it('saves pending edits before signing, and a signed note is read-only with addenda', async () => {
    const { requests } = stubFetch({
      [`GET /api/notes/${ID}`]: { status: 200, body: note() },
      [`PATCH /api/notes/${ID}`]: {
        status: 200,
        body: note({ revision: 2, subjective: `${SUBJECTIVE} feeling better` }),
      },
      [`POST /api/notes/${ID}/sign`]: { status: 200, body: SIGNED },
    });
    const user = userEvent.setup({ delay: null });
    renderNote();
    await user.type(await screen.findByRole('textbox', { name: 'Subjective' }), ' feeling better');
    await user.click(screen.getByRole('button', { name: 'Sign the note…' }));
    const dialog = screen.getByRole('dialog', { name: 'Sign this note?' });
    expect(dialog).toHaveAccessibleDescription(/cannot be changed/);
    // Nothing is signed before confirming.
    expect(byMethod(requests, 'POST')).toHaveLength(0);
    await user.click(within(dialog).getByRole('button', { name: 'Sign now' }));

    expect(await screen.findByText(/Signed by Dr\. Lee/)).toBeInTheDocument();
    const order = requests.map((r) => `${r.method} ${new URL(r.url).pathname}`);
    expect(order.indexOf(`PATCH /api/notes/${ID}`)).toBeLessThan(
      order.indexOf(`POST /api/notes/${ID}/sign`),
    );
    expect(screen.queryByRole('textbox', { name: 'Subjective' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Sign the note…' })).not.toBeInTheDocument();
    expect(screen.getByText(`${SUBJECTIVE} feeling better`)).toBeInTheDocument();
    expect(screen.getByLabelText('New addendum')).toBeInTheDocument();
  });

  it('keeps a half-typed diagnosis out of the save until it is a code', async () => {
    const { requests } = stubFetch({
      [`GET /api/notes/${ID}`]: { status: 200, body: note() },
      [`PATCH /api/notes/${ID}`]: { status: 200, body: note({ revision: 2 }) },
    });
    const user = userEvent.setup({ delay: null });
    renderNote();
    await user.click(await screen.findByRole('button', { name: 'Add a diagnosis' }));
    await user.type(screen.getByLabelText('ICD-10 code 1'), 'f33');
    await user.type(screen.getByLabelText('ICD-10 code 1'), '2');
    await waitFor(() => expect(byMethod(requests, 'PATCH')).toHaveLength(1), { timeout: 3000 });
    expect(await byMethod(requests, 'PATCH')[0]?.json()).toEqual({
      diagnoses: [{ code: 'F33.2', description: null }],
      base_revision: 1,
    });
  });
});
