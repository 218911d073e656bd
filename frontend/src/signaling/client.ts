import {
  type ClientMessage,
  CloseCode,
  type ErrorMessage,
  type Joined,
  PROTOCOL_VERSION,
  type ServerMessage,
  type ServerMessageOf,
  ServerMessageTypes,
} from './protocol';

/**
 * The browser side of a consult's signaling connection (docs/signaling.md).
 *
 * - Asks `join()` for a fresh join token and the websocket URL before every connection, and
 *   sends the token in the first message (`hello`), never in the URL.
 * - Sends `ping` every `heartbeat_interval_ms` from `joined`; a server silent for longer than
 *   `heartbeat_timeout_ms` counts as a dropped connection.
 * - After a drop it reconnects with a fresh token, with exponential backoff (bounded in delay
 *   and in attempts). Close codes that mean "do not come back" (ended, replaced, seat taken,
 *   room closed, a client bug) end the client instead.
 */

/** What the API's join-token endpoint answers, reduced to what signaling needs. */
export interface JoinInfo {
  token: string;
  signalingUrl: string;
}

/** The part of a WebSocket the client uses, so tests can hand it a fake. */
export interface SocketLike {
  readonly readyState: number;
  onopen: ((event: Event) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
  onerror: ((event: Event) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type SocketFactory = (url: string) => SocketLike;

const OPEN = 1;

/** Why the client stopped for good. */
export type ClosedReason =
  /** we left (`leave()`), or the server closed normally */
  | 'left'
  /** the psychiatrist ended the consult */
  | 'ended'
  /** the room is closed (idle too long, or the consult had ended before we came) */
  | 'room_closed'
  /** a newer connection (another tab or device) took this seat */
  | 'replaced'
  /** the seat belongs to someone else, or the token was refused twice */
  | 'refused'
  /** the join token could not be had (e.g. the join window closed) */
  | 'join_failed'
  /** the server could not take our messages: a client bug or an unsupported version */
  | 'unsupported'
  /** pre-call checks are all busy */
  | 'busy'
  /** reconnecting failed `maxAttempts` times in a row */
  | 'gave_up';

export type SignalingStatus =
  | { state: 'idle' }
  | { state: 'connecting'; attempt: number }
  | { state: 'joined'; joined: Joined }
  | { state: 'reconnecting'; attempt: number; delayMs: number; code: number }
  | {
      state: 'closed';
      reason: ClosedReason;
      code: number | null;
      /** the server's last `error` before it closed, or what `join()` threw */
      error: ErrorMessage | unknown;
    };

export type CloseAction = 'stop' | 'reconnect';

/** What a close code means for the client (the table in docs/signaling.md). */
export function closeOutcome(code: number): { action: CloseAction; reason?: ClosedReason } {
  switch (code) {
    case CloseCode.NORMAL:
      return { action: 'stop', reason: 'left' };
    case CloseCode.CONSULT_ENDED:
      return { action: 'stop', reason: 'ended' };
    case CloseCode.ROOM_CLOSED:
      return { action: 'stop', reason: 'room_closed' };
    case CloseCode.REPLACED:
      return { action: 'stop', reason: 'replaced' };
    case CloseCode.SEAT_TAKEN:
      return { action: 'stop', reason: 'refused' };
    case CloseCode.BAD_HELLO:
    case CloseCode.FRAME_TOO_LARGE:
    case CloseCode.TOO_MANY_INVALID:
    case CloseCode.MESSAGE_TOO_BIG:
      return { action: 'stop', reason: 'unsupported' };
    case CloseCode.AT_CAPACITY:
      return { action: 'stop', reason: 'busy' };
    default:
      // 1001, 1006, 1011, 1012, 4401 (new token), 4408, 4429, 4504, and anything unknown.
      return { action: 'reconnect' };
  }
}

export interface BackoffOptions {
  /** first delay; doubled for each failed attempt */
  initialMs: number;
  /** the largest delay */
  maxMs: number;
  /** attempts in a row before giving up */
  maxAttempts: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 8_000, maxAttempts: 8 };
/** After `4429` (rate limited) wait at least this long. */
const RATE_LIMITED_MIN_MS = 3_000;

/** The delay before reconnect attempt `attempt` (1-based), with up to 50% jitter taken off. */
export function backoffDelay(attempt: number, options: BackoffOptions, random = Math.random) {
  const base = Math.min(options.maxMs, options.initialMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.5 + random() / 2));
}

export interface SignalingClientOptions {
  /** A fresh join token and URL, fetched from the API before every connection. */
  join: () => Promise<JoinInfo>;
  /** True when `join()`'s error will not go away by asking again (4xx from the API). */
  isPermanentJoinError?: (error: unknown) => boolean;
  socket?: SocketFactory;
  backoff?: Partial<BackoffOptions>;
  random?: () => number;
  /** How long to wait for `joined` after the socket opens. */
  joinTimeoutMs?: number;
  /** The first server message that means "seated": `joined`, or `precall_ready` for the check. */
  readyType?: 'joined' | 'precall_ready';
  /** Reconnect after drops (the pre-call check does not). */
  reconnect?: boolean;
}

type Listener<T> = (value: T) => void;
type MessageType = ServerMessage['type'];
const KNOWN_TYPES = new Set<string>(ServerMessageTypes);

/** Client → server messages other than the ones the client sends by itself. */
export type OutgoingMessage = Exclude<ClientMessage, { type: 'hello' } | { type: 'ping' }>;

export class SignalingClient {
  private readonly options: Required<
    Omit<SignalingClientOptions, 'backoff' | 'isPermanentJoinError'>
  > & {
    backoff: BackoffOptions;
    isPermanentJoinError: (error: unknown) => boolean;
  };
  private socket: SocketLike | null = null;
  private current: SignalingStatus = { state: 'idle' };
  private readonly listeners = new Map<string, Set<Listener<never>>>();
  private readonly statusListeners = new Set<Listener<SignalingStatus>>();
  private attempt = 0;
  private refusedInARow = 0;
  private stopped = false;
  private seated = false;
  private lastError: ErrorMessage | null = null;
  private lastReceived = 0;
  private heartbeat: ReturnType<typeof setInterval> | null = null;
  private joinTimer: ReturnType<typeof setTimeout> | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private chatCounter = 0;

  constructor(options: SignalingClientOptions) {
    this.options = {
      join: options.join,
      isPermanentJoinError: options.isPermanentJoinError ?? (() => false),
      socket: options.socket ?? ((url) => new WebSocket(url)),
      backoff: { ...DEFAULT_BACKOFF, ...options.backoff },
      random: options.random ?? Math.random,
      joinTimeoutMs: options.joinTimeoutMs ?? 10_000,
      readyType: options.readyType ?? 'joined',
      reconnect: options.reconnect ?? true,
    };
  }

  get status(): SignalingStatus {
    return this.current;
  }

  /** Opens the first connection. */
  start(): void {
    if (this.current.state !== 'idle') return;
    void this.connect();
  }

  /** Listens to one server message type; returns the function that stops listening. */
  on<T extends MessageType>(type: T, listener: Listener<ServerMessageOf<T>>): () => void {
    let set = this.listeners.get(type);
    if (!set) {
      set = new Set();
      this.listeners.set(type, set);
    }
    set.add(listener as Listener<never>);
    return () => set.delete(listener as Listener<never>);
  }

  onStatus(listener: Listener<SignalingStatus>): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** Sends a message while seated; false when there is no live connection to send it on. */
  send(message: OutgoingMessage): boolean {
    if (!this.seated || !this.socket || this.socket.readyState !== OPEN) return false;
    this.socket.send(JSON.stringify(message));
    return true;
  }

  /** Sends a chat message; returns its `client_id` (the server's copy echoes it), or null. */
  sendChat(text: string): string | null {
    this.chatCounter += 1;
    const clientId = `c${Date.now().toString(36)}${this.chatCounter}`;
    return this.send({ type: 'chat', text, client_id: clientId }) ? clientId : null;
  }

  /** Leaves the room for good: `leave`, then a normal close. */
  leave(): void {
    if (this.stopped) return;
    this.send({ type: 'leave' });
    this.finish('left', CloseCode.NORMAL, null);
  }

  /** Skips the wait before the next reconnect attempt (e.g. the browser is back online). */
  reconnectNow(): void {
    if (this.current.state !== 'reconnecting' || this.stopped) return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    void this.connect();
  }

  // --- internals ----------------------------------------------------------------------------

  private setStatus(status: SignalingStatus): void {
    this.current = status;
    for (const listener of [...this.statusListeners]) listener(status);
  }

  private emit(message: ServerMessage): void {
    const set = this.listeners.get(message.type);
    if (!set) return;
    for (const listener of [...set]) (listener as Listener<ServerMessage>)(message);
  }

  private async connect(): Promise<void> {
    this.setStatus({ state: 'connecting', attempt: this.attempt });
    let info: JoinInfo;
    try {
      info = await this.options.join();
    } catch (error) {
      if (this.stopped) return;
      if (this.options.isPermanentJoinError(error) || !this.options.reconnect) {
        this.finish('join_failed', null, error);
      } else {
        this.retry(0);
      }
      return;
    }
    if (this.stopped) return;
    const socket = this.options.socket(info.signalingUrl);
    this.socket = socket;
    this.seated = false;
    this.lastError = null;
    socket.onopen = () => {
      if (socket !== this.socket) return;
      // The token goes in the first message, never in the URL (URLs end up in logs).
      socket.send(JSON.stringify({ type: 'hello', protocol: PROTOCOL_VERSION, token: info.token }));
      this.joinTimer = setTimeout(() => this.drop(CloseCode.TIMEOUT), this.options.joinTimeoutMs);
    };
    socket.onmessage = (event) => {
      if (socket === this.socket) this.receive(event.data);
    };
    socket.onclose = (event) => {
      if (socket === this.socket) this.closed(event.code);
    };
    socket.onerror = () => {
      // A close event always follows; that is where the client decides what to do.
    };
  }

  private receive(data: unknown): void {
    if (typeof data !== 'string') return;
    let message: ServerMessage;
    try {
      const parsed: unknown = JSON.parse(data);
      if (
        typeof parsed !== 'object' ||
        parsed === null ||
        !KNOWN_TYPES.has(String((parsed as { type?: unknown }).type))
      ) {
        return; // a newer server's message this client does not know: ignore it
      }
      message = parsed as ServerMessage;
    } catch {
      return;
    }
    this.lastReceived = Date.now();
    if (message.type === this.options.readyType) this.seatedWith(message);
    if (message.type === 'error') this.lastError = message;
    this.emit(message);
  }

  private seatedWith(message: ServerMessage): void {
    if (this.joinTimer) clearTimeout(this.joinTimer);
    this.joinTimer = null;
    this.seated = true;
    this.attempt = 0;
    this.refusedInARow = 0;
    if (message.type === 'joined') {
      this.startHeartbeat(message.heartbeat_interval_ms, message.heartbeat_timeout_ms);
      this.setStatus({ state: 'joined', joined: message });
    }
  }

  private startHeartbeat(intervalMs: number, timeoutMs: number): void {
    this.stopHeartbeat();
    const every = Math.max(1_000, intervalMs);
    this.heartbeat = setInterval(() => {
      if (Date.now() - this.lastReceived > timeoutMs) {
        // The server went quiet (an instance died without closing): treat it as a drop.
        this.drop(CloseCode.TIMEOUT);
        return;
      }
      this.socket?.send(JSON.stringify({ type: 'ping', ts: Date.now() }));
    }, every);
  }

  private stopHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
  }

  /** Gives up on the current socket as if it had closed with `code`. */
  private drop(code: number): void {
    const socket = this.socket;
    if (!socket) return;
    this.detach(socket);
    this.closed(code);
  }

  private detach(socket: SocketLike): void {
    socket.onopen = null;
    socket.onmessage = null;
    socket.onclose = null;
    socket.onerror = null;
    try {
      socket.close(CloseCode.NORMAL);
    } catch {
      // already closed
    }
    if (this.socket === socket) this.socket = null;
  }

  private closed(code: number): void {
    const wasSeated = this.seated;
    this.socket = null;
    this.seated = false;
    this.stopHeartbeat();
    if (this.joinTimer) clearTimeout(this.joinTimer);
    this.joinTimer = null;
    if (this.stopped) return;
    const outcome = closeOutcome(code);
    if (outcome.action === 'stop' || !this.options.reconnect) {
      // A join after the end is refused with `consult_ended` and 4410: that is "ended" too.
      const reason =
        code === CloseCode.ROOM_CLOSED && this.lastError?.code === 'consult_ended'
          ? 'ended'
          : (outcome.reason ?? 'left');
      this.finish(reason, code, this.lastError);
      return;
    }
    if (code === CloseCode.UNAUTHORIZED && !wasSeated) {
      // A fresh token refused twice in a row will not get better (e.g. another consult's).
      this.refusedInARow += 1;
      if (this.refusedInARow >= 2) {
        this.finish('refused', code, this.lastError);
        return;
      }
    }
    this.retry(code);
  }

  private retry(code: number): void {
    this.attempt += 1;
    const { backoff } = this.options;
    if (this.attempt > backoff.maxAttempts) {
      this.finish('gave_up', code || null, this.lastError);
      return;
    }
    let delayMs = backoffDelay(this.attempt, backoff, this.options.random);
    if (code === CloseCode.RATE_LIMITED) delayMs = Math.max(delayMs, RATE_LIMITED_MIN_MS);
    this.setStatus({ state: 'reconnecting', attempt: this.attempt, delayMs, code });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.connect();
    }, delayMs);
  }

  private finish(reason: ClosedReason, code: number | null, error: unknown): void {
    this.stopped = true;
    this.seated = false;
    this.stopHeartbeat();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.joinTimer) clearTimeout(this.joinTimer);
    this.retryTimer = null;
    this.joinTimer = null;
    if (this.socket) this.detach(this.socket);
    this.setStatus({ state: 'closed', reason, code, error });
  }
}
