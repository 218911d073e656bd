import type { OutgoingMessage } from '../../signaling/client';
import type {
  IceServer,
  RelayedAnswer,
  RelayedCandidate,
  RelayedOffer,
} from '../../signaling/protocol';

/**
 * One side of the call's RTCPeerConnection, negotiated with the W3C "perfect negotiation"
 * pattern: the patient is the polite peer (it rolls back its own offer when offers cross),
 * the psychiatrist the impolite one. As docs/signaling.md says, the psychiatrist makes the
 * first offer; the patient only offers later (renegotiation).
 *
 * When the other side comes back with a brand-new RTCPeerConnection (a page refresh), its
 * SDP carries a new session id (the `o=` line). A running connection cannot take a new DTLS
 * identity, so this side starts over with a fresh RTCPeerConnection too.
 */

export type PeerFactory = (config: RTCConfiguration) => RTCPeerConnection;

export interface PeerSessionOptions {
  polite: boolean;
  /** May this side offer before it has received an offer? (the psychiatrist) */
  offersFirst: boolean;
  config: RTCConfiguration;
  send: (message: OutgoingMessage) => boolean;
  onRemoteStream: (stream: MediaStream | null) => void;
  onConnectionState: (state: RTCPeerConnectionState) => void;
  createPeer?: PeerFactory;
}

/** `RTCConfiguration` from `joined.iceServers` (nulls dropped: a browser would send "null"). */
export function rtcConfiguration(
  iceServers: IceServer[],
  policy: RTCIceTransportPolicy = 'all',
): RTCConfiguration {
  return {
    iceServers: iceServers.map((s) => ({
      urls: s.urls,
      ...(s.username != null ? { username: s.username } : {}),
      ...(s.credential != null ? { credential: s.credential } : {}),
    })),
    iceTransportPolicy: policy,
  };
}

/** The session id of an SDP's origin line (`o=- 4611731400430051336 2 IN IP4 127.0.0.1`). */
export function sdpSessionId(sdp: string): string | null {
  const match = /^o=\S+ (\S+) /m.exec(sdp);
  return match?.[1] ?? null;
}

export class PeerSession {
  pc: RTCPeerConnection;
  private readonly options: PeerSessionOptions;
  private readonly createPeer: PeerFactory;
  private localStream: MediaStream | null;
  private makingOffer = false;
  private ignoreOffer = false;
  private settingRemoteAnswer = false;
  private mayOffer: boolean;
  private iceRestartPending = false;
  private remoteSession: string | null = null;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  /** Errors negotiation ran into (shown nowhere; kept for the debug object). */
  readonly errors: string[] = [];

  constructor(options: PeerSessionOptions, localStream: MediaStream | null) {
    this.options = options;
    this.createPeer = options.createPeer ?? ((config) => new RTCPeerConnection(config));
    this.localStream = localStream;
    this.mayOffer = options.offersFirst;
    this.pc = this.build();
  }

  private build(): RTCPeerConnection {
    const pc = this.createPeer(this.options.config);
    const remote = new MediaStream();
    let remoteShown = false;
    pc.ontrack = (event) => {
      if (pc !== this.pc) return;
      const stream = event.streams[0] ?? remote;
      if (!event.streams[0]) remote.addTrack(event.track);
      if (!remoteShown || event.streams[0]) {
        remoteShown = true;
        this.options.onRemoteStream(stream);
      }
    };
    pc.onicecandidate = (event) => {
      if (pc !== this.pc) return;
      const c = event.candidate;
      // A null candidate ends gathering: relayed as the end-of-candidates marker "".
      this.options.send(
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
    pc.onnegotiationneeded = () => {
      if (pc === this.pc) void this.offer();
    };
    pc.onconnectionstatechange = () => {
      if (pc === this.pc) this.options.onConnectionState(pc.connectionState);
    };
    const tracks = this.localStream?.getTracks() ?? [];
    for (const track of tracks) pc.addTrack(track, this.localStream as MediaStream);
    // The offering side without a camera or microphone still asks for the other's media (the
    // answering side gets its transceivers from the offer).
    for (const kind of ['audio', 'video'] as const) {
      if (this.options.offersFirst && !tracks.some((t) => t.kind === kind)) {
        pc.addTransceiver(kind, { direction: 'recvonly' });
      }
    }
    return pc;
  }

  /** Starts over with a new RTCPeerConnection (the other side has a new one). */
  private rebuild(): void {
    const old = this.pc;
    this.pc = this.build();
    old.close();
    this.makingOffer = false;
    this.ignoreOffer = false;
    this.settingRemoteAnswer = false;
    this.remoteSession = null;
    this.options.onRemoteStream(null);
    this.options.onConnectionState(this.pc.connectionState);
  }

  private async offer(): Promise<void> {
    if (!this.mayOffer || this.closed) return;
    const pc = this.pc;
    try {
      this.makingOffer = true;
      const iceRestart = this.iceRestartPending;
      await pc.setLocalDescription();
      if (pc !== this.pc || !pc.localDescription) return;
      if (pc.localDescription.type !== 'offer') return;
      this.iceRestartPending = false;
      this.options.send({ type: 'offer', sdp: pc.localDescription.sdp, iceRestart });
    } catch (error) {
      this.errors.push(`offer: ${String(error)}`);
    } finally {
      this.makingOffer = false;
    }
  }

  /** Runs inbound signaling one message at a time, in order. */
  private enqueue(task: () => Promise<void>): Promise<void> {
    this.chain = this.chain.then(task).catch((error: unknown) => {
      this.errors.push(String(error));
    });
    return this.chain;
  }

  handleOffer(message: RelayedOffer): Promise<void> {
    return this.enqueue(() => this.description({ type: 'offer', sdp: message.sdp }));
  }

  handleAnswer(message: RelayedAnswer): Promise<void> {
    return this.enqueue(() => this.description({ type: 'answer', sdp: message.sdp }));
  }

  handleCandidate(message: RelayedCandidate): Promise<void> {
    return this.enqueue(async () => {
      const pc = this.pc;
      try {
        await pc.addIceCandidate({
          candidate: message.candidate,
          sdpMid: message.sdpMid,
          sdpMLineIndex: message.sdpMLineIndex,
          usernameFragment: message.usernameFragment,
        });
      } catch (error) {
        // Candidates of an offer this side ignored (glare) are expected to fail.
        if (!this.ignoreOffer && pc === this.pc) throw error;
      }
    });
  }

  private async description(description: RTCSessionDescriptionInit): Promise<void> {
    if (this.closed) return;
    const session = sdpSessionId(description.sdp ?? '');
    if (this.remoteSession && session && session !== this.remoteSession) {
      // The other side is a new RTCPeerConnection (its page was reloaded).
      this.rebuild();
      if (description.type === 'answer') {
        // An answer to our old connection's offer: offer again from the new one.
        this.mayOffer = true;
        return;
      }
    }
    const pc = this.pc;
    const readyForOffer =
      !this.makingOffer && (pc.signalingState === 'stable' || this.settingRemoteAnswer);
    const collision = description.type === 'offer' && !readyForOffer;
    this.ignoreOffer = !this.options.polite && collision;
    if (this.ignoreOffer) return;
    if (description.type === 'answer' && pc.signalingState !== 'have-local-offer') return;
    this.settingRemoteAnswer = description.type === 'answer';
    await pc.setRemoteDescription(description); // the polite side rolls back implicitly
    this.settingRemoteAnswer = false;
    if (session) this.remoteSession = session;
    if (description.type === 'offer') {
      await pc.setLocalDescription();
      // After the first offer this side may renegotiate too.
      this.mayOffer = true;
      if (pc === this.pc && pc.localDescription) {
        this.options.send({ type: 'answer', sdp: pc.localDescription.sdp });
      }
    }
  }

  /** Offers with new ICE credentials (connection dropped, or the other side reconnected). */
  restartIce(): void {
    if (this.closed) return;
    if (!this.remoteSession) {
      // Nothing negotiated yet (or the other side is new): a plain offer is what is needed.
      void this.offer();
      return;
    }
    this.iceRestartPending = true;
    if (typeof this.pc.restartIce === 'function') this.pc.restartIce();
    else void this.offer();
  }

  /** Starts over with a fresh RTCPeerConnection (the other party arrived anew). */
  reset(): void {
    if (!this.closed) this.rebuild();
  }

  /** Puts `track` on the wire in place of the current track of its kind (device switch). */
  async replaceTrack(track: MediaStreamTrack): Promise<void> {
    for (const sender of this.pc.getSenders()) {
      if (sender.track?.kind === track.kind) {
        await sender.replaceTrack(track);
        return;
      }
    }
  }

  setLocalStream(stream: MediaStream | null): void {
    this.localStream = stream;
  }

  close(): void {
    this.closed = true;
    this.pc.close();
  }
}
