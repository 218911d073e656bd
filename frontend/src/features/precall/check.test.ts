import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PrecallStats } from '../../signaling/protocol';
import { fakeSockets } from '../../signaling/testing';
import { asPeer, asStream, FakeMediaStream, FakePeerConnection, fakeCamera } from '../call/testing';
import { NetworkCheck, summarise } from './check';
import { levelOf } from './useMicLevel';

function stats(overrides: Partial<PrecallStats> = {}): PrecallStats {
  return {
    type: 'precall_stats',
    elapsed_seconds: 1,
    connectionState: 'connected',
    rtt_ms: 30,
    packets_received: 100,
    packets_lost: 0,
    fraction_lost: 0,
    jitter_ms: 2,
    inbound_kbps: 900,
    outbound_kbps: 880,
    tracks: ['audio', 'video'],
    ...overrides,
  };
}

function setup(relay = false) {
  const sockets = fakeSockets();
  const check = new NetworkCheck({
    join: async () => ({ token: 'precall-jwt', signalingUrl: 'ws://127.0.0.1:8001/ws/precall' }),
    relay,
    socket: sockets.factory,
    createPeer: (config) => asPeer(new FakePeerConnection(config)),
    gatherTimeoutMs: 50,
  });
  return { check, sockets };
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.stubGlobal('MediaStream', FakeMediaStream);
  FakePeerConnection.instances = [];
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('NetworkCheck', () => {
  it('offers to the echo peer once, shows its measurements and the result', async () => {
    const { check, sockets } = setup(true);
    check.start(asStream(fakeCamera()));
    await vi.advanceTimersByTimeAsync(0);
    const socket = sockets.last;
    socket.open();
    expect(socket.sent).toEqual([{ type: 'hello', protocol: 1, token: 'precall-jwt' }]);
    socket.receive({ type: 'precall_ready', protocol: 1, iceServers: [], max_seconds: 20 });
    await vi.advanceTimersByTimeAsync(50);
    const pc = FakePeerConnection.instances.at(-1);
    expect(pc?.configuration.iceTransportPolicy).toBe('relay');
    expect(pc?.senders).toHaveLength(2);
    expect(socket.sentOfType('offer')).toEqual([
      { type: 'offer', sdp: expect.stringContaining('o=- '), iceRestart: false },
    ]);
    socket.receive({ type: 'precall_answer', sdp: 'v=0\r\no=- 5 1 IN IP4 127.0.0.1\r\n' });
    await vi.advanceTimersByTimeAsync(0);
    expect(pc?.signalingState).toBe('stable');
    expect(check.getState()).toMatchObject({ phase: 'connecting', maxSeconds: 20 });

    socket.receive(stats({ elapsed_seconds: 1, rtt_ms: 20 }));
    socket.receive(stats({ elapsed_seconds: 2, rtt_ms: 40 }));
    expect(check.getState()).toMatchObject({ phase: 'running', stats: { rtt_ms: 40 } });
    socket.receive({ type: 'precall_done', reason: 'time_limit' });
    expect(check.getState()).toMatchObject({
      phase: 'done',
      result: 'good',
      doneReason: 'time_limit',
    });
    expect(pc?.closed).toBe(true);
  });

  it('reports a check that never connected as failed, and a full service as busy', async () => {
    const { check, sockets } = setup();
    check.start(null);
    await vi.advanceTimersByTimeAsync(0);
    sockets.last.open();
    sockets.last.receive({ type: 'precall_ready', protocol: 1, iceServers: [], max_seconds: 20 });
    await vi.advanceTimersByTimeAsync(50);
    // Without a camera it still asks for the echo of nothing: receive-only transceivers.
    expect(FakePeerConnection.instances.at(-1)?.transceivers).toEqual(['audio', 'video']);
    sockets.last.receive({ type: 'precall_done', reason: 'failed' });
    expect(check.getState()).toMatchObject({ phase: 'failed', result: null });

    check.start(null);
    await vi.advanceTimersByTimeAsync(0);
    sockets.last.open();
    sockets.last.receive({
      type: 'error',
      code: 'at_capacity',
      message: 'Pre-call checks are busy: try again in a minute.',
      close_code: 4503,
    });
    sockets.last.serverClose(4503);
    expect(check.getState().phase).toBe('busy');
  });

  it('leaves when stopped', async () => {
    const { check, sockets } = setup();
    check.start(null);
    await vi.advanceTimersByTimeAsync(0);
    sockets.last.open();
    sockets.last.receive({ type: 'precall_ready', protocol: 1, iceServers: [], max_seconds: 20 });
    check.stop();
    expect(sockets.last.sentOfType('leave')).toHaveLength(1);
    expect(check.getState().phase).toBe('done');
  });
});

describe('results', () => {
  it('summarises by median RTT and overall loss', () => {
    expect(summarise([])).toBeNull();
    expect(summarise([stats({ connectionState: 'connecting' })])).toBeNull();
    expect(summarise([stats({ rtt_ms: 500 }), stats({ rtt_ms: 30 }), stats({ rtt_ms: 35 })])).toBe(
      'good',
    );
    expect(summarise([stats({ rtt_ms: 250 })])).toBe('fair');
    expect(summarise([stats({ packets_received: 90, packets_lost: 10 })])).toBe('poor');
  });

  it('turns silence into 0 and a loud signal into a full meter', () => {
    expect(levelOf(new Uint8Array(512).fill(128))).toBe(0);
    const loud = Uint8Array.from({ length: 512 }, (_, i) => (i % 2 ? 228 : 28));
    expect(levelOf(loud)).toBe(100);
  });
});
