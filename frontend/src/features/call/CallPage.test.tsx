import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Me } from '../../api/generated';
import { applyLoginResult, resetSessionForTests } from '../../api/session';
import { FakeSocket, joinedMessage } from '../../signaling/testing';
import { renderPage, stubFetch } from '../../test/render';
import { booking, PRACTICE } from '../patient/fixtures';
import { CallPage } from './CallPage';
import { FakeMediaStream, FakePeerConnection, fakeCamera } from './testing';

const ID = booking().id;
const SIGNALING = `ws://127.0.0.1:8001/ws/consults/${ID}`;
const sockets: FakeSocket[] = [];

function signIn(role: Me['role'], fullName: string) {
  applyLoginResult({
    status: 'ok',
    access_token: 'access',
    user: {
      id: `${role}-1`,
      email: `${role}@example.org`,
      email_verified: true,
      full_name: fullName,
      mfa_enabled: role !== 'patient',
      mfa_required: role !== 'patient',
      role,
    },
  });
}

function lastSocket(): FakeSocket {
  const socket = sockets.at(-1);
  if (!socket) throw new Error('no socket');
  return socket;
}

beforeEach(() => {
  sockets.length = 0;
  FakePeerConnection.instances = [];
  vi.stubGlobal(
    'WebSocket',
    class extends FakeSocket {
      constructor(url: string) {
        super(url);
        sockets.push(this);
      }
    },
  );
  vi.stubGlobal('RTCPeerConnection', FakePeerConnection);
  vi.stubGlobal('MediaStream', FakeMediaStream);
  Object.defineProperty(navigator, 'mediaDevices', {
    configurable: true,
    value: {
      getUserMedia: vi.fn(async () => fakeCamera()),
      enumerateDevices: vi.fn(async () => []),
      addEventListener: vi.fn(),
      removeEventListener: vi.fn(),
    },
  });
  // jsdom has no media playback.
  vi.spyOn(HTMLMediaElement.prototype, 'play').mockResolvedValue(undefined);
});

afterEach(() => {
  vi.unstubAllGlobals();
  resetSessionForTests();
});

const token = (role: string) => ({
  status: 200,
  body: {
    consult_id: ID,
    role,
    token: 'header.payload.signature',
    not_before: '2031-03-04T14:15:00-07:00',
    expires_at: '2031-03-04T14:45:00-07:00',
    signaling_url: SIGNALING,
  },
});

describe('CallPage, patient', () => {
  it('keeps Join disabled until the profile has pre-selected the state', async () => {
    signIn('patient', 'Ana Patient');
    const { fetchMock } = stubFetch({
      [`GET /api/bookings/${ID}`]: { status: 200, body: booking() },
      'GET /api/patients/me/profile': { status: 200, body: { state: 'CO' } },
      'GET /api/practice': { status: 200, body: PRACTICE },
    });
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const answer = fetchMock.getMockImplementation();
    if (!answer) throw new Error('no fetch stub');
    fetchMock.mockImplementation(async (input, init) => {
      const url = input instanceof Request ? input.url : String(input);
      if (url.endsWith('/api/patients/me/profile')) await gate;
      return answer(input, init);
    });
    renderPage(<CallPage />, { path: `/visits/${ID}/call`, route: '/visits/:bookingId/call' });

    const join = await screen.findByRole('button', { name: 'Join the call' });
    expect(join).toBeDisabled();
    release();
    await waitFor(() => expect(join).toBeEnabled());
    expect(screen.getByLabelText('State you are in now')).toHaveValue('CO');
    expect(screen.queryByText('Choose the state you are in.')).not.toBeInTheDocument();
  });

  it('confirms the state, waits for the psychiatrist, then answers over TURN only', async () => {
    signIn('patient', 'Ana Patient');
    const { requests } = stubFetch({
      [`GET /api/bookings/${ID}`]: { status: 200, body: booking() },
      'GET /api/patients/me/profile': { status: 200, body: { state: 'CO' } },
      [`POST /api/consults/${ID}/patient-join-token`]: token('patient'),
      [`GET /api/consults/${ID}/messages`]: {
        status: 200,
        body: [
          {
            id: 'm-1',
            sender_role: 'psychiatrist',
            sender_id: 'psychiatrist-1',
            text: 'Welcome back',
            sent_at: '2031-03-04T14:29:00Z',
          },
        ],
      },
      'GET /api/practice': { status: 200, body: PRACTICE },
    });
    const user = userEvent.setup({ delay: null });
    renderPage(<CallPage />, {
      path: `/visits/${ID}/call?relay=1`,
      route: '/visits/:bookingId/call',
    });

    expect(
      await screen.findByRole('heading', { name: 'Video visit with Dr. Lee' }),
    ).toBeInTheDocument();
    const state = screen.getByLabelText('State you are in now');
    await waitFor(() => expect(state).toHaveValue('CO'));
    await user.click(screen.getByRole('button', { name: 'Join the call' }));

    await waitFor(() => expect(sockets).toHaveLength(1));
    const body = await requests.find((r) => r.url.endsWith('/patient-join-token'))?.json();
    expect(body).toEqual({ location_state: 'CO' });
    const socket = lastSocket();
    expect(socket.url).toBe(SIGNALING);
    socket.open();
    expect(socket.sent[0]).toEqual({
      type: 'hello',
      protocol: 1,
      token: 'header.payload.signature',
    });
    socket.receive(joinedMessage({ consult_id: ID }));
    expect(
      await screen.findByText('You are in the waiting room: waiting for Dr. Lee to admit you.'),
    ).toBeInTheDocument();
    expect(screen.getByTestId('remote-video')).toBeInTheDocument();
    expect(screen.getByTestId('self-video')).toBeInTheDocument();
    expect(window.__halcyonCall?.phase).toBe('waiting');

    socket.receive({ type: 'presence', role: 'psychiatrist', present: true, reason: 'joined' });
    socket.receive({ type: 'room', state: 'admitted' });
    expect(await screen.findByText('Connecting the video…')).toBeInTheDocument();
    const pc = FakePeerConnection.instances.at(-1);
    expect(pc?.configuration.iceTransportPolicy).toBe('relay');
    socket.receive({
      type: 'offer',
      sender: 'psychiatrist',
      sdp: 'v=0\r\no=- 42 1 IN IP4 127.0.0.1\r\n',
      iceRestart: false,
    });
    await waitFor(() => expect(socket.sentOfType('answer')).toHaveLength(1));
    pc?.receiveTrack('video');
    pc?.becomes('connected');
    expect(await screen.findByText('Connected')).toBeInTheDocument();
    expect(window.__halcyonCall?.connectionState).toBe('connected');

    // Chat: the earlier message from the API, then one sent live.
    const chat = screen.getByRole('log');
    expect(await within(chat).findByText('Welcome back')).toBeInTheDocument();
    await user.type(screen.getByLabelText('Message'), 'I can see you{Enter}');
    expect(within(chat).getByText('I can see you')).toBeInTheDocument();
    expect(socket.sentOfType('chat')[0]?.text).toBe('I can see you');

    await user.click(screen.getByRole('button', { name: 'Mute' }));
    expect(screen.getByRole('button', { name: 'Mute' })).toHaveAttribute('aria-pressed', 'true');

    await user.click(screen.getByRole('button', { name: 'Leave' }));
    expect(socket.sentOfType('leave')).toHaveLength(1);
    expect(await screen.findByText('You left the call.')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Join again' })).toBeInTheDocument();
  });

  it('says so when the psychiatrist ends the visit, in Spanish', async () => {
    signIn('patient', 'Ana Patient');
    stubFetch({
      [`GET /api/bookings/${ID}`]: { status: 200, body: booking() },
      'GET /api/patients/me/profile': { status: 200, body: { state: 'CO' } },
      [`POST /api/consults/${ID}/patient-join-token`]: token('patient'),
      [`GET /api/consults/${ID}/messages`]: { status: 200, body: [] },
    });
    const user = userEvent.setup({ delay: null });
    renderPage(<CallPage />, {
      path: `/visits/${ID}/call`,
      route: '/visits/:bookingId/call',
      language: 'es',
    });
    await waitFor(() => expect(screen.getByLabelText('Estado donde está ahora')).toHaveValue('CO'));
    await user.click(screen.getByRole('button', { name: 'Entrar a la llamada' }));
    await waitFor(() => expect(sockets).toHaveLength(1));
    lastSocket().open();
    lastSocket().receive(joinedMessage({ room: 'admitted' }));
    lastSocket().receive({ type: 'ended', reason: 'ended_by_psychiatrist' });
    lastSocket().serverClose(4000);
    expect(await screen.findByText('La consulta ha terminado.')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Volver a entrar' })).not.toBeInTheDocument();
  });

  it('asks for the state before joining', async () => {
    signIn('patient', 'Ana Patient');
    stubFetch({
      [`GET /api/bookings/${ID}`]: { status: 200, body: booking() },
      'GET /api/patients/me/profile': { status: 200, body: {} },
    });
    const user = userEvent.setup({ delay: null });
    renderPage(<CallPage />, { path: `/visits/${ID}/call`, route: '/visits/:bookingId/call' });
    const join = await screen.findByRole('button', { name: 'Join the call' });
    await waitFor(() => expect(join).toBeEnabled());
    await user.click(join);
    expect(screen.getByLabelText('State you are in now')).toHaveAccessibleDescription(
      /Choose the state you are in\./,
    );
    expect(sockets).toHaveLength(0);
  });
});

describe('CallPage, psychiatrist', () => {
  it('admits the waiting patient and ends the visit after confirming', async () => {
    signIn('psychiatrist', 'Dr. Lee');
    stubFetch({
      [`GET /api/bookings/${ID}`]: { status: 200, body: booking() },
      'GET /api/consults/waiting-room': {
        status: 200,
        body: [
          {
            booking_id: ID,
            patient_id: 'patient-1',
            patient_name: 'Ana Patient',
            starts_at: booking().starts_at,
            ends_at: booking().ends_at,
            status: 'waiting',
            waiting_since: '2031-03-04T14:25:00Z',
            join_open: true,
            patient_location: {
              state: 'TX',
              confirmed_at: '2031-03-04T14:25:00Z',
              psychiatrist_licensed: false,
              warning: 'You hold no licence valid in TX.',
            },
          },
        ],
      },
      [`POST /api/consults/${ID}/psychiatrist-join-token`]: token('psychiatrist'),
      [`GET /api/consults/${ID}/messages`]: { status: 200, body: [] },
      // The chart beside the call (see ChartPanel.test.tsx): empty here.
      [`GET /api/patients/${booking().patient_id}/screening/flags`]: { status: 200, body: [] },
      [`GET /api/patients/${booking().patient_id}/trends`]: {
        status: 200,
        body: { patient_id: booking().patient_id, infusions: [], scales: [], phq9: {} },
      },
      [`GET /api/patients/${booking().patient_id}/notes`]: {
        status: 200,
        body: { items: [], total: 0, page: 1, limit: 1 },
      },
    });
    const user = userEvent.setup({ delay: null });
    renderPage(<CallPage />, { path: `/visits/${ID}/call`, route: '/visits/:bookingId/call' });
    expect(
      await screen.findByRole('heading', { name: 'Video visit with Ana Patient' }),
    ).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Join the call' }));
    await waitFor(() => expect(sockets).toHaveLength(1));
    const socket = lastSocket();
    socket.open();
    socket.receive(
      joinedMessage({ role: 'psychiatrist', peer: { role: 'patient', present: true } }),
    );
    expect(await screen.findByText('Ana Patient is in the waiting room.')).toBeInTheDocument();
    expect(screen.getByRole('alert')).toHaveTextContent('You hold no licence valid in TX.');
    expect(await screen.findByText('No notes yet.')).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Admit Ana Patient' }));
    expect(socket.sentOfType('admit')).toHaveLength(1);
    socket.receive({ type: 'room', state: 'admitted' });
    // The psychiatrist makes the first offer.
    await waitFor(() => expect(socket.sentOfType('offer')).toHaveLength(1));

    await user.click(screen.getByRole('button', { name: 'End the visit' }));
    const dialog = screen.getByRole('alertdialog', { name: 'End the visit for both of you?' });
    expect(socket.sentOfType('end')).toHaveLength(0);
    await user.click(within(dialog).getByRole('button', { name: 'Yes, end the visit' }));
    expect(socket.sentOfType('end')).toHaveLength(1);
  });
});
