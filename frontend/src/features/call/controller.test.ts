import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Joined } from '../../signaling/protocol';
import { fakeSockets, joinedMessage } from '../../signaling/testing';
import { CallController, type CallDeps } from './controller';
import {
  asPeer,
  asStream,
  FakeMediaStream,
  FakePeerConnection,
  FakeTrack,
  fakeCamera,
  sdpWithSession,
} from './testing';

const URL = 'ws://127.0.0.1:8001/ws/consults/c0ffee00-0000-4000-8000-000000000001';

function setup(deps: Partial<CallDeps> = {}) {
  const sockets = fakeSockets();
  const camera = fakeCamera();
  const getUserMedia = vi.fn(async () => asStream(camera));
  const join = vi.fn(async () => ({ token: 'jwt', signalingUrl: URL }));
  const call = new CallController({
    join,
    socket: sockets.factory,
    createPeer: (config) => asPeer(new FakePeerConnection(config)),
    getUserMedia,
    statsIntervalMs: 1_000,
    ...deps,
  });
  return { call, sockets, camera, getUserMedia, join };
}

async function tick(ms = 0) {
  await vi.advanceTimersByTimeAsync(ms);
}

async function joinAs(s: ReturnType<typeof setup>, overrides: Partial<Joined> = {}): Promise<void> {
  await s.call.start();
  await tick();
  s.sockets.last.open();
  s.sockets.last.receive(joinedMessage(overrides));
  await tick();
}

const peers = () => FakePeerConnection.instances;
const lastPeer = () => {
  const pc = FakePeerConnection.instances.at(-1);
  if (!pc) throw new Error('no peer connection');
  return pc;
};

beforeEach(() => {
  vi.useFakeTimers();
  vi.stubGlobal('MediaStream', FakeMediaStream);
  FakePeerConnection.instances = [];
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('CallController, patient', () => {
  it('waits for the psychiatrist, then answers their offer over TURN-only ICE', async () => {
    const s = setup({ relay: true });
    await joinAs(s, { room: 'waiting' });
    expect(s.getUserMedia).toHaveBeenCalledWith({
      audio: true,
      video: { width: 1280, height: 720 },
    });
    expect(s.call.getState()).toMatchObject({ phase: 'waiting', role: 'patient' });
    expect(peers()).toHaveLength(0);

    s.sockets.last.receive({
      type: 'presence',
      role: 'psychiatrist',
      present: true,
      reason: 'joined',
    });
    s.sockets.last.receive({ type: 'room', state: 'admitted' });
    await tick();
    expect(s.call.getState().phase).toBe('connecting');
    const pc = lastPeer();
    expect(pc.configuration).toEqual({
      iceServers: [
        {
          urls: ['turn:127.0.0.1:3478?transport=udp'],
          username: '1795190400:user',
          credential: 'secret',
        },
      ],
      iceTransportPolicy: 'relay',
    });
    // The patient does not offer first: the psychiatrist does.
    expect(s.sockets.last.sentOfType('offer')).toEqual([]);

    s.sockets.last.receive({
      type: 'offer',
      sender: 'psychiatrist',
      sdp: sdpWithSession('77'),
      iceRestart: false,
    });
    s.sockets.last.receive({
      type: 'candidate',
      sender: 'psychiatrist',
      candidate: 'candidate:1 1 udp 1 127.0.0.1 3478 typ relay',
      sdpMid: '0',
      sdpMLineIndex: 0,
      usernameFragment: null,
    });
    await tick();
    expect(s.sockets.last.sentOfType('answer')).toEqual([
      { type: 'answer', sdp: expect.stringContaining(`o=- ${pc.session} `) },
    ]);
    expect(pc.candidates).toHaveLength(1);

    const remote = pc.receiveTrack('video');
    pc.becomes('connected');
    expect(s.call.getState()).toMatchObject({ phase: 'in_call', remoteStream: remote });
    expect(s.sockets.last.sentOfType('connection_state')).toEqual([
      { type: 'connection_state', connectionState: 'connected' },
    ]);
  });

  it('starts over with a new connection when the psychiatrist reloads their page', async () => {
    const s = setup();
    await joinAs(s, { room: 'admitted', peer: { role: 'psychiatrist', present: true } });
    const first = lastPeer();
    s.sockets.last.receive({ type: 'offer', sender: 'psychiatrist', sdp: sdpWithSession('1') });
    await tick();
    // An ICE restart from the same connection is applied in place…
    s.sockets.last.receive({
      type: 'offer',
      sender: 'psychiatrist',
      sdp: sdpWithSession('1', 2),
      iceRestart: true,
    });
    await tick();
    expect(peers()).toHaveLength(1);
    // …an offer from a new connection needs a new one here too.
    s.sockets.last.receive({ type: 'offer', sender: 'psychiatrist', sdp: sdpWithSession('2') });
    await tick();
    expect(peers()).toHaveLength(2);
    expect(first.closed).toBe(true);
    expect(s.sockets.last.sentOfType('answer')).toHaveLength(3);
    expect(s.sockets.last.sentOfType('answer')[2]?.sdp).toContain(`o=- ${lastPeer().session} `);
  });

  it('shows the reconnecting state while signaling is down and comes back with a new token', async () => {
    const s = setup();
    await joinAs(s, { room: 'admitted', peer: { role: 'psychiatrist', present: true } });
    s.sockets.last.serverClose(1006);
    expect(s.call.getState().phase).toBe('reconnecting');
    await tick(1_000);
    expect(s.join).toHaveBeenCalledTimes(2);
    s.sockets.last.open();
    s.sockets.last.receive(
      joinedMessage({
        room: 'admitted',
        resumed: true,
        peer: { role: 'psychiatrist', present: true },
      }),
    );
    expect(s.call.getState().phase).toBe('connecting');
    // The same peer connection carries on (the psychiatrist restarts ICE).
    expect(peers()).toHaveLength(1);
  });

  it('says when the camera is refused, and can join without it', async () => {
    const denied = Object.assign(new Error('denied'), { name: 'NotAllowedError' });
    const s = setup({ getUserMedia: vi.fn(async () => Promise.reject(denied)) });
    await s.call.start();
    expect(s.call.getState()).toMatchObject({
      phase: 'media_error',
      mediaError: 'NotAllowedError',
    });
    expect(s.sockets.sockets).toHaveLength(0);
    s.call.joinWithoutMedia();
    expect(s.call.getState().phase).toBe('joining');
    await tick();
    expect(s.sockets.sockets).toHaveLength(1);
  });

  it('ends the call for this page, and frees the camera, when the psychiatrist ends it', async () => {
    const s = setup();
    await joinAs(s, { room: 'admitted', peer: { role: 'psychiatrist', present: true } });
    s.sockets.last.receive({ type: 'ended', reason: 'ended_by_psychiatrist' });
    s.sockets.last.serverClose(4000);
    expect(s.call.getState()).toMatchObject({ phase: 'closed', closedReason: 'ended' });
    expect(s.camera.getTracks().every((t) => t.readyState === 'ended')).toBe(true);
    expect(lastPeer().closed).toBe(true);
  });
});

describe('CallController, psychiatrist', () => {
  const present = { role: 'patient', present: true } as const;

  it('admits, offers first, and restarts ICE when the patient reconnects', async () => {
    const s = setup();
    await joinAs(s, { role: 'psychiatrist', room: 'waiting', peer: present });
    expect(s.call.admit()).toBe(true);
    expect(s.sockets.last.sentOfType('admit')).toHaveLength(1);
    s.sockets.last.receive({ type: 'room', state: 'admitted' });
    await tick();
    const offers = s.sockets.last.sentOfType('offer');
    expect(offers).toEqual([
      {
        type: 'offer',
        sdp: expect.stringContaining(`o=- ${lastPeer().session} `),
        iceRestart: false,
      },
    ]);
    s.sockets.last.receive({ type: 'answer', sender: 'patient', sdp: sdpWithSession('9') });
    await tick();
    expect(lastPeer().signalingState).toBe('stable');

    s.sockets.last.receive({ type: 'presence', role: 'patient', present: false, reason: 'left' });
    s.sockets.last.receive({
      type: 'presence',
      role: 'patient',
      present: true,
      reason: 'reconnected',
    });
    await tick();
    expect(lastPeer().restarts).toBe(1);
    expect(s.sockets.last.sentOfType('offer').at(-1)).toMatchObject({ iceRestart: true });
  });

  it('renegotiates from a fresh connection when the answer comes from a new patient page', async () => {
    const s = setup();
    await joinAs(s, { role: 'psychiatrist', room: 'admitted', peer: present });
    s.sockets.last.receive({ type: 'answer', sender: 'patient', sdp: sdpWithSession('9') });
    await tick();
    s.call.getState();
    lastPeer().becomes('failed');
    await tick();
    expect(s.sockets.last.sentOfType('offer').at(-1)).toMatchObject({ iceRestart: true });
    s.sockets.last.receive({ type: 'answer', sender: 'patient', sdp: sdpWithSession('10') });
    await tick();
    expect(peers()).toHaveLength(2);
    expect(s.sockets.last.sentOfType('offer').at(-1)).toEqual({
      type: 'offer',
      sdp: expect.stringContaining(`o=- ${lastPeer().session} `),
      iceRestart: false,
    });
  });

  it('keeps the impolite side offer when offers cross', async () => {
    const s = setup();
    await joinAs(s, { role: 'psychiatrist', room: 'admitted', peer: present });
    expect(lastPeer().signalingState).toBe('have-local-offer');
    s.sockets.last.receive({ type: 'offer', sender: 'patient', sdp: sdpWithSession('9') });
    await tick();
    expect(lastPeer().signalingState).toBe('have-local-offer');
    expect(s.sockets.last.sentOfType('answer')).toEqual([]);
  });

  it('ends the consult', async () => {
    const s = setup();
    await joinAs(s, { role: 'psychiatrist', room: 'admitted', peer: present });
    expect(s.call.end()).toBe(true);
    expect(s.sockets.last.sentOfType('end')).toHaveLength(1);
  });
});

describe('CallController, controls and chat', () => {
  it('mutes the microphone and turns the camera off on the local tracks', async () => {
    const s = setup();
    await joinAs(s);
    s.call.toggleMic();
    s.call.toggleCam();
    expect(s.camera.getAudioTracks()[0]?.enabled).toBe(false);
    expect(s.camera.getVideoTracks()[0]?.enabled).toBe(false);
    expect(s.call.getState()).toMatchObject({ micOn: false, camOn: false });
    s.call.toggleMic();
    expect(s.camera.getAudioTracks()[0]?.enabled).toBe(true);
  });

  it('switches the camera by replacing the track on the wire', async () => {
    const s = setup();
    await joinAs(s, { room: 'admitted', peer: { role: 'psychiatrist', present: true } });
    const oldVideo = s.camera.getVideoTracks()[0];
    const other = new FakeTrack('video', 'USB camera');
    s.getUserMedia.mockResolvedValueOnce(asStream(new FakeMediaStream([other])));
    await s.call.switchDevice('videoinput', 'usb-1');
    expect(s.getUserMedia).toHaveBeenLastCalledWith({ video: { deviceId: { exact: 'usb-1' } } });
    const sender = lastPeer().senders.find((x) => x.track?.kind === 'video');
    expect(sender?.track).toBe(other);
    expect(oldVideo?.readyState).toBe('ended');
    const local = s.call.getState().localStream as unknown as FakeMediaStream;
    expect(local.getVideoTracks()).toEqual([other]);
  });

  it('shows a sent chat message as pending until the server confirms it, merged with history', async () => {
    const s = setup();
    await joinAs(s, { room: 'admitted', peer: { role: 'psychiatrist', present: true } });
    expect(s.call.sendChat('  Can you hear me?  ')).toBe(true);
    const sent = s.sockets.last.sentOfType('chat')[0];
    expect(sent?.text).toBe('Can you hear me?');
    expect(s.call.getState().chat).toMatchObject([{ text: 'Can you hear me?', pending: true }]);

    s.sockets.last.receive({
      type: 'chat',
      id: 'srv-2',
      sender: 'patient',
      text: 'Can you hear me?',
      sent_at: '2031-03-04T14:31:00Z',
      client_id: sent?.client_id ?? null,
    });
    s.call.addHistory([
      {
        id: 'srv-1',
        sender_role: 'psychiatrist',
        text: 'Welcome',
        sent_at: '2031-03-04T14:30:00Z',
      },
      {
        id: 'srv-2',
        sender_role: 'patient',
        text: 'Can you hear me?',
        sent_at: '2031-03-04T14:31:00Z',
      },
    ]);
    expect(s.call.getState().chat).toEqual([
      {
        key: 'srv-1',
        sender: 'psychiatrist',
        text: 'Welcome',
        sentAt: '2031-03-04T14:30:00Z',
        pending: false,
      },
      {
        key: 'srv-2',
        sender: 'patient',
        text: 'Can you hear me?',
        sentAt: '2031-03-04T14:31:00Z',
        pending: false,
      },
    ]);
    expect(s.call.sendChat('   ')).toBe(false);
  });

  it('measures RTT, loss and bitrate from getStats while connected', async () => {
    const s = setup();
    await joinAs(s, { room: 'admitted', peer: { role: 'psychiatrist', present: true } });
    const pc = lastPeer();
    pc.becomes('connected');
    const report = (
      at: number,
      received: number,
      lost: number,
      bytesIn: number,
      bytesOut: number,
    ) =>
      new Map<string, Record<string, unknown>>([
        ['T', { id: 'T', type: 'transport', timestamp: at, selectedCandidatePairId: 'P' }],
        [
          'P',
          {
            id: 'P',
            type: 'candidate-pair',
            timestamp: at,
            currentRoundTripTime: 0.042,
            localCandidateId: 'L',
          },
        ],
        ['L', { id: 'L', type: 'local-candidate', timestamp: at, candidateType: 'relay' }],
        [
          'I',
          {
            id: 'I',
            type: 'inbound-rtp',
            timestamp: at,
            packetsReceived: received,
            packetsLost: lost,
            bytesReceived: bytesIn,
          },
        ],
        ['O', { id: 'O', type: 'outbound-rtp', timestamp: at, bytesSent: bytesOut }],
      ]);
    pc.stats = report(10_000, 1_000, 0, 100_000, 200_000);
    await tick(1_000);
    expect(s.call.getState().quality).toMatchObject({
      rttMs: 42,
      lossPercent: null,
      relayed: true,
    });
    pc.stats = report(12_000, 1_190, 10, 350_000, 450_000);
    await tick(1_000);
    expect(s.call.getState().quality).toEqual({
      rttMs: 42,
      lossPercent: 5,
      inboundKbps: 1_000,
      outboundKbps: 1_000,
      level: 'fair',
      relayed: true,
    });
  });
});
