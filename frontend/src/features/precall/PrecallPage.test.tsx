import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeSocket } from '../../signaling/testing';
import { renderPage, stubFetch } from '../../test/render';
import { FakeMediaStream, FakePeerConnection, fakeCamera } from '../call/testing';
import { PrecallPage } from './PrecallPage';

const sockets: FakeSocket[] = [];

beforeEach(() => {
  sockets.length = 0;
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
});
afterEach(() => vi.unstubAllGlobals());

function withMedia(getUserMedia: () => Promise<unknown>) {
  Object.defineProperty(navigator, 'mediaDevices', {
    configurable: true,
    value: { getUserMedia: vi.fn(getUserMedia) },
  });
}

describe('PrecallPage', () => {
  it('previews the camera, then runs the network check and shows what the echo peer measured', async () => {
    withMedia(async () => fakeCamera());
    stubFetch({
      'POST /api/consults/precall-token': {
        status: 200,
        body: {
          token: 'precall-jwt',
          expires_at: '2031-03-04T14:45:00Z',
          signaling_url: 'ws://127.0.0.1:8001/ws/precall',
        },
      },
    });
    const user = userEvent.setup({ delay: null });
    renderPage(<PrecallPage />, { path: '/visits/b1/check', route: '/visits/:bookingId/check' });
    expect(
      screen.getByRole('heading', { name: 'Check your camera, microphone and network' }),
    ).toBeInTheDocument();
    expect(screen.getByTestId('precall-preview')).toBeInTheDocument();
    expect(screen.getByRole('meter', { name: 'Microphone level' })).toHaveAttribute('value', '0');

    await user.click(screen.getByRole('button', { name: 'Test the network' }));
    await waitFor(() => expect(sockets).toHaveLength(1));
    const socket = sockets[0] as FakeSocket;
    socket.open();
    expect(socket.sent[0]).toEqual({ type: 'hello', protocol: 1, token: 'precall-jwt' });
    socket.receive({ type: 'precall_ready', protocol: 1, iceServers: [], max_seconds: 20 });
    await waitFor(() => expect(socket.sentOfType('offer')).toHaveLength(1), { timeout: 5_000 });
    socket.receive({
      type: 'precall_stats',
      elapsed_seconds: 3,
      connectionState: 'connected',
      rtt_ms: 24.4,
      packets_received: 300,
      packets_lost: 3,
      fraction_lost: 0.01,
      jitter_ms: 1,
      inbound_kbps: 812,
      outbound_kbps: 790,
      tracks: ['audio', 'video'],
    });
    expect(await screen.findByText('Testing… 3 s')).toBeInTheDocument();
    expect(screen.getByText('24 ms')).toBeInTheDocument();
    expect(screen.getByText('1%')).toBeInTheDocument();
    expect(screen.getByText('812 kbit/s')).toBeInTheDocument();
    socket.receive({ type: 'precall_done', reason: 'time_limit' });
    expect(
      await screen.findByText('Your connection is good for a video visit.'),
    ).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Test again' })).toBeInTheDocument();
  });

  it('explains a refused camera and offers to ask again', async () => {
    withMedia(async () =>
      Promise.reject(Object.assign(new Error('no'), { name: 'NotAllowedError' })),
    );
    stubFetch({});
    renderPage(<PrecallPage />, { path: '/visits/b1/check', route: '/visits/:bookingId/check' });
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Your browser did not allow the camera or microphone.',
    );
    expect(screen.getByRole('button', { name: 'Try again' })).toBeInTheDocument();
  });
});
