import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  backoffDelay,
  closeOutcome,
  DEFAULT_BACKOFF,
  type JoinInfo,
  SignalingClient,
  type SignalingClientOptions,
  type SignalingStatus,
} from './client';
import { fakeSockets, joinedMessage } from './testing';

const URL = 'ws://127.0.0.1:8001/ws/consults/c0ffee00-0000-4000-8000-000000000001';

function setup(options: Partial<SignalingClientOptions> = {}) {
  const sockets = fakeSockets();
  let issued = 0;
  const join = vi.fn(async (): Promise<JoinInfo> => {
    issued += 1;
    return { token: `token-${issued}`, signalingUrl: URL };
  });
  const client = new SignalingClient({
    join,
    socket: sockets.factory,
    random: () => 1, // no jitter: delays are exactly initial * 2^n
    ...options,
  });
  const statuses: SignalingStatus[] = [];
  client.onStatus((s) => statuses.push(s));
  return { client, sockets, join, statuses };
}

/** Lets the client's awaited `join()` resolve. */
async function flush() {
  await vi.advanceTimersByTimeAsync(0);
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('SignalingClient joining', () => {
  it('sends the token in the first message, never in the URL, and reports joined', async () => {
    const { client, sockets, statuses } = setup();
    const joined = vi.fn();
    client.on('joined', joined);
    client.start();
    await flush();
    const socket = sockets.last;
    expect(socket.url).toBe(URL);
    expect(socket.url).not.toContain('token');
    socket.open();
    expect(socket.sent).toEqual([{ type: 'hello', protocol: 1, token: 'token-1' }]);

    socket.receive(joinedMessage({ peer: { role: 'psychiatrist', present: true } }));
    expect(joined).toHaveBeenCalledWith(
      expect.objectContaining({ room: 'waiting', peer: { role: 'psychiatrist', present: true } }),
    );
    expect(client.status.state).toBe('joined');
    expect(statuses.map((s) => s.state)).toEqual(['connecting', 'joined']);
  });

  it('refuses to send before it is seated, and sends once joined', async () => {
    const { client, sockets } = setup();
    client.start();
    await flush();
    sockets.last.open();
    expect(client.send({ type: 'admit' })).toBe(false);
    sockets.last.receive(joinedMessage({ role: 'psychiatrist' }));
    expect(client.send({ type: 'admit' })).toBe(true);
    expect(sockets.last.sentOfType('admit')).toHaveLength(1);
  });

  it('passes relayed offers, presence and room changes to their listeners, ignoring unknown types', async () => {
    const { client, sockets } = setup();
    const offers = vi.fn();
    const presence = vi.fn();
    const room = vi.fn();
    client.on('offer', offers);
    client.on('presence', presence);
    client.on('room', room);
    client.start();
    await flush();
    sockets.last.open();
    sockets.last.receive(joinedMessage());
    sockets.last.receive({ type: 'something_new', x: 1 });
    sockets.last.receive('not json');
    sockets.last.receive({
      type: 'presence',
      role: 'psychiatrist',
      present: true,
      reason: 'joined',
    });
    sockets.last.receive({ type: 'room', state: 'admitted' });
    sockets.last.receive({ type: 'offer', sender: 'psychiatrist', sdp: 'v=0', iceRestart: false });
    expect(presence).toHaveBeenCalledTimes(1);
    expect(room).toHaveBeenCalledWith({ type: 'room', state: 'admitted' });
    expect(offers).toHaveBeenCalledWith(expect.objectContaining({ sdp: 'v=0' }));
  });

  it('tags chat with a client id the server echoes back', async () => {
    const { client, sockets } = setup();
    client.start();
    await flush();
    sockets.last.open();
    expect(client.sendChat('too early')).toBeNull();
    sockets.last.receive(joinedMessage());
    const id = client.sendChat('Hello doctor');
    expect(id).toEqual(expect.any(String));
    expect(sockets.last.sentOfType('chat')).toEqual([
      { type: 'chat', text: 'Hello doctor', client_id: id },
    ]);
  });

  it('stops when the API will not give a token', async () => {
    const { client, statuses } = setup({
      join: () => Promise.reject(new Error('409 join window closed')),
      isPermanentJoinError: () => true,
    });
    client.start();
    await flush();
    expect(statuses.at(-1)).toMatchObject({ state: 'closed', reason: 'join_failed' });
  });
});

describe('SignalingClient heartbeats', () => {
  it('pings every heartbeat interval and reconnects when the server falls silent', async () => {
    const { client, sockets, join } = setup();
    client.start();
    await flush();
    const first = sockets.last;
    first.open();
    first.receive(joinedMessage({ heartbeat_interval_ms: 10_000, heartbeat_timeout_ms: 30_000 }));
    await vi.advanceTimersByTimeAsync(10_000);
    const pings = first.sentOfType('ping');
    expect(pings).toHaveLength(1);
    first.receive({ type: 'pong', ts: pings[0]?.ts ?? null });
    await vi.advanceTimersByTimeAsync(20_000);
    expect(first.sentOfType('ping')).toHaveLength(3);
    expect(client.status.state).toBe('joined');

    // No answer for longer than the timeout: the client gives the socket up and comes back.
    await vi.advanceTimersByTimeAsync(20_000);
    expect(client.status).toMatchObject({ state: 'reconnecting', code: 4408 });
    expect(first.closedWith).toBe(1000);
    await vi.advanceTimersByTimeAsync(DEFAULT_BACKOFF.initialMs);
    expect(join).toHaveBeenCalledTimes(2);
    expect(sockets.sockets).toHaveLength(2);
  });

  it('reconnects when the server never answers hello', async () => {
    const { client, sockets } = setup({ joinTimeoutMs: 5_000 });
    client.start();
    await flush();
    sockets.last.open();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(client.status).toMatchObject({ state: 'reconnecting', code: 4408 });
  });
});

describe('SignalingClient reconnecting', () => {
  it('reconnects after a drop with a fresh token and exponential backoff, then resets', async () => {
    const { client, sockets, join, statuses } = setup({
      backoff: { initialMs: 500, maxMs: 4_000, maxAttempts: 8 },
    });
    client.start();
    await flush();
    sockets.last.open();
    sockets.last.receive(joinedMessage());

    sockets.last.serverClose(1006);
    // Three failed attempts in a row: 500, 1000, 2000 ms.
    for (const delay of [500, 1_000, 2_000]) {
      expect(client.status).toMatchObject({ state: 'reconnecting', delayMs: delay });
      await vi.advanceTimersByTimeAsync(delay - 1);
      expect(client.status.state).toBe('reconnecting');
      await vi.advanceTimersByTimeAsync(1);
      sockets.last.serverClose(1006);
    }
    expect(client.status).toMatchObject({ state: 'reconnecting', delayMs: 4_000 });
    await vi.advanceTimersByTimeAsync(4_000);
    const socket = sockets.last;
    socket.open();
    expect(socket.sentOfType('hello')[0]?.token).toBe('token-5');
    socket.receive(joinedMessage({ resumed: true }));
    expect(client.status).toMatchObject({ state: 'joined', joined: { resumed: true } });
    expect(join).toHaveBeenCalledTimes(5);

    // The next drop starts from the first delay again.
    socket.serverClose(1001);
    expect(client.status).toMatchObject({ state: 'reconnecting', attempt: 1, delayMs: 500 });
    expect(statuses.filter((s) => s.state === 'closed')).toEqual([]);
  });

  it('gives up after the bounded number of attempts', async () => {
    const { client, sockets } = setup({
      backoff: { initialMs: 100, maxMs: 100, maxAttempts: 3 },
    });
    client.start();
    await flush();
    sockets.last.open();
    sockets.last.receive(joinedMessage());
    for (let i = 0; i < 3; i++) {
      sockets.last.serverClose(1006);
      await vi.advanceTimersByTimeAsync(100);
    }
    sockets.last.serverClose(1006);
    expect(client.status).toMatchObject({ state: 'closed', reason: 'gave_up', code: 1006 });
    expect(sockets.sockets).toHaveLength(4);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sockets.sockets).toHaveLength(4);
  });

  it('keeps trying while the API is unreachable, then connects', async () => {
    let calls = 0;
    const { client, sockets } = setup({
      join: async () => {
        calls += 1;
        if (calls < 3) throw new TypeError('Failed to fetch');
        return { token: 't', signalingUrl: URL };
      },
    });
    client.start();
    await flush();
    expect(client.status.state).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(500);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(sockets.sockets).toHaveLength(1);
    sockets.last.open();
    sockets.last.receive(joinedMessage());
    expect(client.status.state).toBe('joined');
  });

  it('waits longer after being rate limited', async () => {
    const { client, sockets } = setup();
    client.start();
    await flush();
    sockets.last.open();
    sockets.last.receive(joinedMessage());
    sockets.last.receive({
      type: 'error',
      code: 'rate_limited',
      message: 'Too many messages.',
      close_code: 4429,
    });
    sockets.last.serverClose(4429);
    expect(client.status).toMatchObject({ state: 'reconnecting', delayMs: 3_000 });
  });

  it('fetches a new token after 4401 once, and stops when the new one is refused too', async () => {
    const { client, sockets, join } = setup();
    client.start();
    await flush();
    sockets.last.open();
    sockets.last.serverClose(4401);
    await vi.advanceTimersByTimeAsync(500);
    expect(join).toHaveBeenCalledTimes(2);
    sockets.last.open();
    sockets.last.serverClose(4401);
    expect(client.status).toMatchObject({ state: 'closed', reason: 'refused', code: 4401 });
  });

  it.each([
    [4409, 'replaced'],
    [4000, 'ended'],
    [4403, 'refused'],
    [4410, 'room_closed'],
    [4413, 'unsupported'],
    [4400, 'unsupported'],
  ] as const)('does not reconnect after close %i (%s)', async (code, reason) => {
    const { client, sockets, join } = setup();
    client.start();
    await flush();
    sockets.last.open();
    sockets.last.receive(joinedMessage());
    sockets.last.serverClose(code);
    expect(client.status).toMatchObject({ state: 'closed', reason, code });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(join).toHaveBeenCalledTimes(1);
  });

  it('reports a join after the end as ended, with the server error', async () => {
    const { client, sockets } = setup();
    client.start();
    await flush();
    sockets.last.open();
    const error = {
      type: 'error',
      code: 'consult_ended',
      message: 'This consult has ended.',
      close_code: 4410,
    } as const;
    sockets.last.receive(error);
    sockets.last.serverClose(4410);
    expect(client.status).toEqual({ state: 'closed', reason: 'ended', code: 4410, error });
  });

  it('leaves with a leave message and a normal close, and never comes back', async () => {
    const { client, sockets } = setup();
    client.start();
    await flush();
    const socket = sockets.last;
    socket.open();
    socket.receive(joinedMessage());
    client.leave();
    expect(socket.sentOfType('leave')).toHaveLength(1);
    expect(socket.closedWith).toBe(1000);
    expect(client.status).toMatchObject({ state: 'closed', reason: 'left' });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sockets.sockets).toHaveLength(1);
  });
});

describe('close codes and backoff', () => {
  it('maps the documented close codes', () => {
    expect(closeOutcome(1006).action).toBe('reconnect');
    expect(closeOutcome(1001).action).toBe('reconnect');
    expect(closeOutcome(1012).action).toBe('reconnect');
    expect(closeOutcome(4408).action).toBe('reconnect');
    expect(closeOutcome(4504).action).toBe('reconnect');
    expect(closeOutcome(4503)).toEqual({ action: 'stop', reason: 'busy' });
    expect(closeOutcome(1000)).toEqual({ action: 'stop', reason: 'left' });
  });

  it('doubles up to the cap, with at most half taken off by jitter', () => {
    const options = { initialMs: 500, maxMs: 8_000, maxAttempts: 8 };
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, options, () => 1))).toEqual([
      500, 1_000, 2_000, 4_000, 8_000, 8_000,
    ]);
    expect(backoffDelay(3, options, () => 0)).toBe(1_000);
  });
});
