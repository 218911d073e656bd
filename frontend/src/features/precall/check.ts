import { type JoinInfo, SignalingClient, type SocketFactory } from '../../signaling/client';
import type { PrecallDone, PrecallStats } from '../../signaling/protocol';
import { type PeerFactory, rtcConfiguration } from '../call/peer';
import { levelOf, type QualityLevel } from '../call/stats';

/**
 * The network part of the pre-call check (docs/signaling.md, "Pre-call check"): an offer to
 * the aiortc echo peer in signaling, which sends our media back and reports what it measured.
 */

export type CheckPhase = 'idle' | 'connecting' | 'running' | 'done' | 'failed' | 'busy';

export interface CheckState {
  phase: CheckPhase;
  stats: PrecallStats | null;
  /** the worst RTT / loss seen while connected */
  result: QualityLevel | null;
  echo: MediaStream | null;
  maxSeconds: number | null;
  doneReason: PrecallDone['reason'] | null;
}

export interface CheckDeps {
  join: () => Promise<JoinInfo>;
  relay?: boolean;
  socket?: SocketFactory;
  createPeer?: PeerFactory;
  /** How long to wait for ICE gathering before sending the offer anyway. */
  gatherTimeoutMs?: number;
}

/** The summary of a run: the median RTT and the loss over the whole check. */
export function summarise(samples: PrecallStats[]): QualityLevel | null {
  const connected = samples.filter((s) => s.connectionState === 'connected');
  if (connected.length === 0) return null;
  const rtts = connected
    .map((s) => s.rtt_ms)
    .filter((v): v is number => v != null)
    .sort((a, b) => a - b);
  const rtt = rtts.length ? (rtts[Math.floor(rtts.length / 2)] ?? null) : null;
  const last = connected.at(-1);
  const total = (last?.packets_received ?? 0) + (last?.packets_lost ?? 0);
  const loss = total > 0 ? (100 * (last?.packets_lost ?? 0)) / total : null;
  return levelOf(rtt, loss);
}

export class NetworkCheck {
  private state: CheckState = {
    phase: 'idle',
    stats: null,
    result: null,
    echo: null,
    maxSeconds: null,
    doneReason: null,
  };
  private readonly listeners = new Set<() => void>();
  private readonly deps: CheckDeps;
  private client: SignalingClient | null = null;
  private pc: RTCPeerConnection | null = null;
  private samples: PrecallStats[] = [];

  constructor(deps: CheckDeps) {
    this.deps = deps;
  }

  getState = (): CheckState => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private update(patch: Partial<CheckState>): void {
    this.state = { ...this.state, ...patch };
    for (const listener of [...this.listeners]) listener();
  }

  /** Starts a check that sends `stream` (camera and microphone) to the echo peer. */
  start(stream: MediaStream | null): void {
    this.stop();
    this.samples = [];
    this.update({ phase: 'connecting', stats: null, result: null, echo: null, doneReason: null });
    const client = new SignalingClient({
      join: this.deps.join,
      readyType: 'precall_ready',
      reconnect: false,
      isPermanentJoinError: () => true,
      ...(this.deps.socket ? { socket: this.deps.socket } : {}),
    });
    this.client = client;
    client.on('precall_ready', (m) => {
      this.update({ maxSeconds: m.max_seconds });
      void this.offer(
        rtcConfiguration(m.iceServers, this.deps.relay ? 'relay' : 'all'),
        stream,
        client,
      );
    });
    client.on('precall_answer', (m) => {
      void this.pc?.setRemoteDescription({ type: 'answer', sdp: m.sdp }).catch(() => {
        this.finish('failed');
      });
    });
    client.on('precall_stats', (m) => {
      this.samples.push(m);
      this.update({
        stats: m,
        phase: m.connectionState === 'connected' ? 'running' : this.state.phase,
      });
    });
    client.on('precall_done', (m) => {
      this.update({ doneReason: m.reason });
      this.finish(m.reason === 'failed' ? 'failed' : 'done');
    });
    client.onStatus((status) => {
      if (status.state !== 'closed' || client !== this.client) return;
      if (this.state.phase === 'done' || this.state.phase === 'failed') return;
      this.finish(status.reason === 'busy' ? 'busy' : this.samples.length ? 'done' : 'failed');
    });
    client.start();
  }

  private async offer(
    config: RTCConfiguration,
    stream: MediaStream | null,
    client: SignalingClient,
  ): Promise<void> {
    const create = this.deps.createPeer ?? ((c: RTCConfiguration) => new RTCPeerConnection(c));
    const pc = create(config);
    this.pc = pc;
    const tracks = stream?.getTracks() ?? [];
    for (const track of tracks) pc.addTrack(track, stream as MediaStream);
    if (tracks.length === 0) {
      pc.addTransceiver('audio', { direction: 'recvonly' });
      pc.addTransceiver('video', { direction: 'recvonly' });
    }
    pc.ontrack = (event) => {
      if (event.streams[0]) this.update({ echo: event.streams[0] });
    };
    let offered = false;
    pc.onicecandidate = (event) => {
      // Candidates found after the offer went out are trickled.
      if (!offered) return;
      const c = event.candidate;
      client.send(
        c
          ? {
              type: 'candidate',
              candidate: c.candidate,
              sdpMid: c.sdpMid,
              sdpMLineIndex: c.sdpMLineIndex,
              usernameFragment: c.usernameFragment,
            }
          : { type: 'candidate', candidate: '' },
      );
    };
    pc.onconnectionstatechange = () => {
      if (pc.connectionState === 'failed') this.finish('failed');
    };
    try {
      await pc.setLocalDescription();
      // The echo peer takes one offer: send it with the candidates gathered so far.
      await this.gathered(pc);
      offered = true;
      const sdp = pc.localDescription?.sdp;
      if (!sdp || !client.send({ type: 'offer', sdp, iceRestart: false })) this.finish('failed');
    } catch {
      this.finish('failed');
    }
  }

  private gathered(pc: RTCPeerConnection): Promise<void> {
    if (pc.iceGatheringState === 'complete') return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, this.deps.gatherTimeoutMs ?? 3_000);
      pc.addEventListener?.('icegatheringstatechange', () => {
        if (pc.iceGatheringState === 'complete') {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  }

  private finish(phase: 'done' | 'failed' | 'busy'): void {
    const result = summarise(this.samples);
    this.update({ phase, result, echo: null });
    const client = this.client;
    this.client = null;
    client?.leave();
    this.pc?.close();
    this.pc = null;
  }

  /** Stops a running check (leave: the echo peer closes too). */
  stop(): void {
    const client = this.client;
    this.client = null;
    client?.leave();
    this.pc?.close();
    this.pc = null;
    if (this.state.phase === 'connecting' || this.state.phase === 'running') {
      this.update({ phase: 'done', result: summarise(this.samples), echo: null });
    }
  }
}
