import {
  type ClosedReason,
  type JoinInfo,
  SignalingClient,
  type SignalingStatus,
  type SocketFactory,
} from '../../signaling/client';
import type { ChatRelayed, Joined } from '../../signaling/protocol';
import { type PeerFactory, PeerSession, rtcConfiguration } from './peer';
import { type Quality, qualityBetween, type StatsSample, sampleOf } from './stats';

/**
 * Everything the call page does that is not drawing: local media, the signaling client, the
 * peer connection, chat, quality. The page subscribes to its state; tests drive it with a
 * fake socket, a fake RTCPeerConnection and a fake getUserMedia.
 */

export type Role = 'patient' | 'psychiatrist';

export type CallPhase =
  /** asking for the camera and microphone */
  | 'media'
  /** the camera or microphone could not be had (see `mediaError`) */
  | 'media_error'
  /** fetching a token and connecting to signaling */
  | 'joining'
  /** seated, not admitted yet */
  | 'waiting'
  /** admitted: the peer connection is being set up */
  | 'connecting'
  /** media flows */
  | 'in_call'
  /** signaling dropped, or media disconnected: trying to get back */
  | 'reconnecting'
  /** the call is over for this page (see `closedReason`) */
  | 'closed';

export interface ChatEntry {
  /** the server id once known, else the client id */
  key: string;
  sender: Role;
  text: string;
  sentAt: string;
  /** sent by us and not yet confirmed by the server */
  pending: boolean;
}

export interface CallState {
  phase: CallPhase;
  role: Role | null;
  room: Joined['room'] | null;
  peerPresent: boolean;
  signaling: SignalingStatus;
  connectionState: RTCPeerConnectionState | 'none';
  localStream: MediaStream | null;
  remoteStream: MediaStream | null;
  micOn: boolean;
  camOn: boolean;
  /** the DOMException name from getUserMedia (NotAllowedError, NotFoundError, …) */
  mediaError: string | null;
  chat: ChatEntry[];
  quality: Quality | null;
  closedReason: ClosedReason | null;
  /** the server's error code when it refused something (e.g. `not_admitted`) */
  lastError: string | null;
}

export interface CallDeps {
  join: () => Promise<JoinInfo>;
  isPermanentJoinError?: (error: unknown) => boolean;
  /** Force TURN relay (`iceTransportPolicy: "relay"`), e.g. for the end-to-end test. */
  relay?: boolean;
  socket?: SocketFactory;
  createPeer?: PeerFactory;
  getUserMedia?: (constraints: MediaStreamConstraints) => Promise<MediaStream>;
  statsIntervalMs?: number;
  /** How long a `disconnected` connection may last before the psychiatrist restarts ICE. */
  disconnectedGraceMs?: number;
}

type Listener = () => void;

export function initialCallState(): CallState {
  return {
    phase: 'media',
    role: null,
    room: null,
    peerPresent: false,
    signaling: { state: 'idle' },
    connectionState: 'none',
    localStream: null,
    remoteStream: null,
    micOn: true,
    camOn: true,
    mediaError: null,
    chat: [],
    quality: null,
    closedReason: null,
    lastError: null,
  };
}

export class CallController {
  private state: CallState = initialCallState();
  private readonly listeners = new Set<Listener>();
  private readonly deps: CallDeps;
  private client: SignalingClient | null = null;
  private peer: PeerSession | null = null;
  private joined: Joined | null = null;
  private statsTimer: ReturnType<typeof setInterval> | null = null;
  private graceTimer: ReturnType<typeof setTimeout> | null = null;
  private lastSample: StatsSample | null = null;
  private disposed = false;
  private joinedOnce = false;

  constructor(deps: CallDeps) {
    this.deps = deps;
  }

  getState = (): CallState => this.state;

  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private update(patch: Partial<CallState>): void {
    this.state = { ...this.state, ...patch };
    this.state.phase = this.phaseOf(this.state);
    for (const listener of [...this.listeners]) listener();
  }

  private phaseOf(s: CallState): CallPhase {
    if (s.closedReason) return 'closed';
    if (s.mediaError && !s.localStream && s.signaling.state === 'idle') return 'media_error';
    if (s.signaling.state === 'idle') return 'media';
    if (s.signaling.state === 'reconnecting') return 'reconnecting';
    if (s.signaling.state === 'connecting') return this.joinedOnce ? 'reconnecting' : 'joining';
    if (s.room === 'waiting' || s.room === null) return 'waiting';
    if (s.connectionState === 'connected') return 'in_call';
    if ((s.connectionState === 'disconnected' || s.connectionState === 'failed') && s.peerPresent) {
      return 'reconnecting';
    }
    return 'connecting';
  }

  /** Asks for camera and microphone, then joins. */
  async start(): Promise<void> {
    const stream = await this.acquireMedia();
    if (this.disposed) {
      for (const track of stream?.getTracks() ?? []) track.stop();
      return;
    }
    if (stream) this.connect();
  }

  /** Joins without a camera or microphone (after the user chose to). */
  joinWithoutMedia(): void {
    this.update({ mediaError: null });
    this.connect();
  }

  async retryMedia(): Promise<void> {
    this.update({ mediaError: null });
    await this.start();
  }

  private async acquireMedia(): Promise<MediaStream | null> {
    const getUserMedia =
      this.deps.getUserMedia ??
      ((c: MediaStreamConstraints) => navigator.mediaDevices.getUserMedia(c));
    try {
      const stream = await getUserMedia({ audio: true, video: { width: 1280, height: 720 } });
      this.update({ localStream: stream, micOn: true, camOn: true, mediaError: null });
      return stream;
    } catch (error) {
      const name = error instanceof Error ? error.name : 'Error';
      this.update({ mediaError: name || 'Error' });
      return null;
    }
  }

  private connect(): void {
    if (this.client || this.disposed) return;
    const client = new SignalingClient({
      join: this.deps.join,
      ...(this.deps.isPermanentJoinError
        ? { isPermanentJoinError: this.deps.isPermanentJoinError }
        : {}),
      ...(this.deps.socket ? { socket: this.deps.socket } : {}),
    });
    this.client = client;
    client.onStatus((status) => this.onStatus(status));
    client.on('joined', (m) => this.onJoined(m));
    client.on('presence', (m) => {
      this.update({ peerPresent: m.present });
      if (m.present) this.onPeerArrived(m.reason);
    });
    client.on('room', (m) => this.onRoom(m.state));
    client.on('offer', (m) => {
      this.ensurePeer().handleOffer(m);
    });
    client.on('answer', (m) => void this.peer?.handleAnswer(m));
    client.on('candidate', (m) => void this.peer?.handleCandidate(m));
    client.on('chat', (m) => this.onChat(m));
    client.on('error', (m) => this.update({ lastError: m.code }));
    client.start();
  }

  private onStatus(status: SignalingStatus): void {
    const patch: Partial<CallState> = { signaling: status };
    if (status.state === 'closed') {
      patch.closedReason = status.reason;
      this.stopCall();
      this.stopMedia();
    }
    this.update(patch);
  }

  private onJoined(m: Joined): void {
    this.joined = m;
    const again = this.joinedOnce;
    this.joinedOnce = true;
    this.update({ role: m.role, room: m.room, peerPresent: m.peer.present, lastError: null });
    if (m.room !== 'admitted') return;
    if (this.peer) {
      // Back after a signaling drop: fresh TURN credentials, and new ICE if we lead.
      try {
        this.peer.pc.setConfiguration(this.rtcConfig());
      } catch {
        // Some browsers refuse a changed configuration; the old credentials still work for now.
      }
      if (again && m.role === 'psychiatrist' && m.peer.present) this.peer.restartIce();
    } else if (m.role === 'patient' || m.peer.present) {
      this.ensurePeer();
    }
  }

  private onPeerArrived(reason: 'joined' | 'reconnected' | 'left' | 'timeout'): void {
    if (this.state.room !== 'admitted' || this.state.role !== 'psychiatrist') return;
    if (!this.peer) {
      this.ensurePeer();
    } else if (reason === 'joined') {
      // The patient arrived anew: their page has a new connection, so does ours.
      this.peer.reset();
    } else {
      this.peer.restartIce();
    }
  }

  private onRoom(state: Joined['room']): void {
    this.update({ room: state });
    if (state !== 'admitted' || this.peer) return;
    if (this.state.role === 'patient' || this.state.peerPresent) this.ensurePeer();
  }

  private rtcConfig(): RTCConfiguration {
    return rtcConfiguration(this.joined?.iceServers ?? [], this.deps.relay ? 'relay' : 'all');
  }

  private ensurePeer(): PeerSession {
    if (this.peer) return this.peer;
    const client = this.client;
    const psychiatrist = this.state.role === 'psychiatrist';
    this.peer = new PeerSession(
      {
        polite: !psychiatrist,
        offersFirst: psychiatrist,
        config: this.rtcConfig(),
        send: (message) => client?.send(message) ?? false,
        onRemoteStream: (stream) => this.update({ remoteStream: stream }),
        onConnectionState: (state) => this.onConnectionState(state),
        ...(this.deps.createPeer ? { createPeer: this.deps.createPeer } : {}),
      },
      this.state.localStream,
    );
    this.startStats();
    return this.peer;
  }

  private onConnectionState(state: RTCPeerConnectionState): void {
    this.update({ connectionState: state });
    this.client?.send({ type: 'connection_state', connectionState: state });
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.graceTimer = null;
    if (this.state.role !== 'psychiatrist' || !this.state.peerPresent) return;
    if (state === 'failed') {
      this.peer?.restartIce();
    } else if (state === 'disconnected') {
      this.graceTimer = setTimeout(() => {
        if (this.peer?.pc.connectionState === 'disconnected') this.peer.restartIce();
      }, this.deps.disconnectedGraceMs ?? 2_000);
    }
  }

  private startStats(): void {
    if (this.statsTimer) return;
    this.statsTimer = setInterval(
      () => void this.sampleStats(),
      this.deps.statsIntervalMs ?? 2_000,
    );
  }

  async sampleStats(): Promise<void> {
    const pc = this.peer?.pc;
    if (pc?.connectionState !== 'connected') return;
    const sample = sampleOf(await pc.getStats());
    const quality = qualityBetween(this.lastSample, sample);
    this.lastSample = sample;
    this.update({ quality });
  }

  private onChat(m: ChatRelayed): void {
    const chat = this.state.chat.filter(
      (entry) => entry.key !== m.id && !(m.client_id && entry.key === m.client_id),
    );
    chat.push({ key: m.id, sender: m.sender, text: m.text, sentAt: m.sent_at, pending: false });
    this.update({ chat });
  }

  /** Chat kept on the consult (from the API), merged with what arrived live. */
  addHistory(
    messages: ReadonlyArray<{ id: string; sender_role: Role; text: string; sent_at: string }>,
  ): void {
    const known = new Set(this.state.chat.map((e) => e.key));
    const older = messages
      .filter((m) => !known.has(m.id))
      .map((m) => ({
        key: m.id,
        sender: m.sender_role,
        text: m.text,
        sentAt: m.sent_at,
        pending: false,
      }));
    if (older.length === 0) return;
    const chat = [...older, ...this.state.chat].sort(
      (a, b) => Date.parse(a.sentAt) - Date.parse(b.sentAt),
    );
    this.update({ chat });
  }

  /** Sends a chat message; false when it could not go out now. */
  sendChat(text: string): boolean {
    const trimmed = text.trim();
    if (!trimmed || !this.client || !this.state.role) return false;
    const clientId = this.client.sendChat(trimmed);
    if (!clientId) return false;
    this.update({
      chat: [
        ...this.state.chat,
        {
          key: clientId,
          sender: this.state.role,
          text: trimmed,
          sentAt: new Date().toISOString(),
          pending: true,
        },
      ],
    });
    return true;
  }

  admit(): boolean {
    return this.client?.send({ type: 'admit' }) ?? false;
  }

  end(): boolean {
    return this.client?.send({ type: 'end' }) ?? false;
  }

  leave(): void {
    this.client?.leave();
    this.stopCall();
    this.stopMedia();
  }

  toggleMic(): void {
    const on = !this.state.micOn;
    for (const track of this.state.localStream?.getAudioTracks() ?? []) track.enabled = on;
    this.update({ micOn: on });
  }

  toggleCam(): void {
    const on = !this.state.camOn;
    for (const track of this.state.localStream?.getVideoTracks() ?? []) track.enabled = on;
    this.update({ camOn: on });
  }

  /** Uses another camera or microphone: a new track replaces the old on the wire. */
  async switchDevice(kind: 'audioinput' | 'videoinput', deviceId: string): Promise<void> {
    const stream = this.state.localStream;
    if (!stream) return;
    const getUserMedia =
      this.deps.getUserMedia ??
      ((c: MediaStreamConstraints) => navigator.mediaDevices.getUserMedia(c));
    const audio = kind === 'audioinput';
    const fresh = await getUserMedia(
      audio
        ? { audio: { deviceId: { exact: deviceId } } }
        : { video: { deviceId: { exact: deviceId } } },
    );
    const track = (audio ? fresh.getAudioTracks() : fresh.getVideoTracks())[0];
    if (!track) return;
    track.enabled = audio ? this.state.micOn : this.state.camOn;
    const old = audio ? stream.getAudioTracks() : stream.getVideoTracks();
    await this.peer?.replaceTrack(track);
    for (const t of old) {
      stream.removeTrack(t);
      t.stop();
    }
    stream.addTrack(track);
    // A new stream object so the self view picks the track up.
    const next = new MediaStream(stream.getTracks());
    this.peer?.setLocalStream(next);
    this.update({ localStream: next });
  }

  /** The peer connection, for the debug object and stats. */
  get peerConnection(): RTCPeerConnection | null {
    return this.peer?.pc ?? null;
  }

  private stopCall(): void {
    if (this.statsTimer) clearInterval(this.statsTimer);
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.statsTimer = null;
    this.graceTimer = null;
    this.peer?.close();
    this.peer = null;
  }

  private stopMedia(): void {
    for (const track of this.state.localStream?.getTracks() ?? []) track.stop();
  }

  /** The page is going away: leave quietly and free the camera. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.client?.leave();
    this.stopCall();
    this.stopMedia();
    this.listeners.clear();
  }
}
