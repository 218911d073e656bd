/**
 * Stand-ins for WebRTC and media in jsdom (which has neither): enough of MediaStream,
 * MediaStreamTrack and RTCPeerConnection to run the call's negotiation logic. Test-only.
 */

let nextTrackId = 0;

export class FakeTrack {
  readonly id = `track-${++nextTrackId}`;
  enabled = true;
  readyState: 'live' | 'ended' = 'live';
  constructor(
    readonly kind: 'audio' | 'video',
    readonly label = `${kind} device`,
  ) {}
  stop(): void {
    this.readyState = 'ended';
  }
}

export class FakeMediaStream {
  private readonly tracks: FakeTrack[];
  readonly id = `stream-${++nextTrackId}`;
  constructor(tracks: FakeTrack[] = []) {
    this.tracks = [...tracks];
  }
  getTracks(): FakeTrack[] {
    return [...this.tracks];
  }
  getAudioTracks(): FakeTrack[] {
    return this.tracks.filter((t) => t.kind === 'audio');
  }
  getVideoTracks(): FakeTrack[] {
    return this.tracks.filter((t) => t.kind === 'video');
  }
  addTrack(track: FakeTrack): void {
    this.tracks.push(track);
  }
  removeTrack(track: FakeTrack): void {
    const i = this.tracks.indexOf(track);
    if (i >= 0) this.tracks.splice(i, 1);
  }
}

let nextSession = 1000;

class FakeSender {
  constructor(public track: FakeTrack | null) {}
  replaceTrack = async (track: FakeTrack | null) => {
    this.track = track;
  };
}

/** An RTCPeerConnection whose SDP is `o=- <session> <version>` and a note of what it did. */
export class FakePeerConnection {
  static instances: FakePeerConnection[] = [];
  readonly session = String(++nextSession);
  private version = 0;
  signalingState: RTCSignalingState = 'stable';
  iceGatheringState: RTCIceGatheringState = 'complete';
  connectionState: RTCPeerConnectionState = 'new';
  localDescription: { type: RTCSdpType; sdp: string } | null = null;
  remoteDescription: { type: RTCSdpType; sdp: string } | null = null;
  readonly senders: FakeSender[] = [];
  readonly transceivers: string[] = [];
  readonly candidates: RTCIceCandidateInit[] = [];
  configuration: RTCConfiguration;
  closed = false;
  restarts = 0;
  stats: Map<string, Record<string, unknown>> = new Map();
  ontrack: ((event: { track: FakeTrack; streams: FakeMediaStream[] }) => void) | null = null;
  onicecandidate: ((event: { candidate: RTCIceCandidate | null }) => void) | null = null;
  onnegotiationneeded: (() => void) | null = null;
  onconnectionstatechange: (() => void) | null = null;
  private negotiationQueued = false;

  constructor(configuration: RTCConfiguration) {
    this.configuration = configuration;
    FakePeerConnection.instances.push(this);
  }

  private needNegotiation(): void {
    if (this.negotiationQueued) return;
    this.negotiationQueued = true;
    setTimeout(() => {
      this.negotiationQueued = false;
      if (!this.closed && this.signalingState === 'stable') this.onnegotiationneeded?.();
    }, 0);
  }

  addTrack(track: FakeTrack): FakeSender {
    const sender = new FakeSender(track);
    this.senders.push(sender);
    this.needNegotiation();
    return sender;
  }

  addTransceiver(kind: string): void {
    this.transceivers.push(kind);
    this.needNegotiation();
  }

  getSenders(): FakeSender[] {
    return this.senders;
  }

  private sdp(): string {
    this.version += 1;
    return `v=0\r\no=- ${this.session} ${this.version} IN IP4 127.0.0.1\r\ns=-\r\n`;
  }

  async setLocalDescription(): Promise<void> {
    if (this.signalingState === 'stable' || this.signalingState === 'have-local-offer') {
      this.localDescription = { type: 'offer', sdp: this.sdp() };
      this.signalingState = 'have-local-offer';
    } else if (this.signalingState === 'have-remote-offer') {
      this.localDescription = { type: 'answer', sdp: this.sdp() };
      this.signalingState = 'stable';
    }
  }

  async setRemoteDescription(description: RTCSessionDescriptionInit): Promise<void> {
    const sdp = description.sdp ?? '';
    if (description.type === 'offer') {
      // A polite peer's own offer is rolled back implicitly.
      this.signalingState = 'have-remote-offer';
    } else if (description.type === 'answer') {
      if (this.signalingState !== 'have-local-offer') throw new Error('InvalidStateError');
      this.signalingState = 'stable';
    }
    this.remoteDescription = { type: description.type as RTCSdpType, sdp };
  }

  async addIceCandidate(candidate: RTCIceCandidateInit): Promise<void> {
    if (!this.remoteDescription) throw new Error('InvalidStateError: no remote description');
    this.candidates.push(candidate);
  }

  restartIce(): void {
    this.restarts += 1;
    this.needNegotiation();
  }

  setConfiguration(configuration: RTCConfiguration): void {
    this.configuration = configuration;
  }

  async getStats(): Promise<Map<string, Record<string, unknown>>> {
    return this.stats;
  }

  close(): void {
    this.closed = true;
    this.connectionState = 'closed';
    this.signalingState = 'closed';
  }

  /** The test moves the connection to `state`. */
  becomes(state: RTCPeerConnectionState): void {
    this.connectionState = state;
    this.onconnectionstatechange?.();
  }

  /** The other side's media arrives. */
  receiveTrack(kind: 'audio' | 'video' = 'video'): FakeMediaStream {
    const track = new FakeTrack(kind);
    const stream = new FakeMediaStream([track]);
    this.ontrack?.({ track, streams: [stream] });
    return stream;
  }
}

export function fakeCamera(): FakeMediaStream {
  return new FakeMediaStream([new FakeTrack('audio'), new FakeTrack('video')]);
}

/** The fakes typed as the DOM types they stand in for. */
export const asPeer = (pc: FakePeerConnection) => pc as unknown as RTCPeerConnection;
export const asStream = (s: FakeMediaStream) => s as unknown as MediaStream;

/** An SDP blob with the given origin session id. */
export function sdpWithSession(session: string, version = 1): string {
  return `v=0\r\no=- ${session} ${version} IN IP4 127.0.0.1\r\ns=-\r\n`;
}
