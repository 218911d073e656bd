import type { SocketLike } from './client';
import type { ClientMessage, Joined, ServerMessage } from './protocol';

/**
 * A stand-in for the browser's WebSocket in tests: records what the client sends and lets the
 * test play the server (open, messages, close codes). Not used by the app itself.
 */
export class FakeSocket implements SocketLike {
  readyState = 0;
  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onclose: ((event: CloseEvent) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  readonly sent: ClientMessage[] = [];
  closedWith: number | null = null;

  constructor(readonly url: string) {}

  send(data: string): void {
    if (this.readyState !== 1) throw new Error('send on a socket that is not open');
    this.sent.push(JSON.parse(data) as ClientMessage);
  }

  close(code = 1000): void {
    this.closedWith = code;
    this.readyState = 3;
  }

  /** The server accepts the connection. */
  open(): void {
    this.readyState = 1;
    this.onopen?.(new Event('open'));
  }

  /** The server sends a message. */
  receive(message: ServerMessage | Record<string, unknown> | string): void {
    const data = typeof message === 'string' ? message : JSON.stringify(message);
    this.onmessage?.(new MessageEvent('message', { data }));
  }

  /** The connection closes with `code` (1006: dropped without a close frame). */
  serverClose(code: number): void {
    this.readyState = 3;
    this.onclose?.({ code, reason: '', wasClean: code !== 1006 } as CloseEvent);
  }

  sentOfType<T extends ClientMessage['type']>(type: T): Extract<ClientMessage, { type: T }>[] {
    return this.sent.filter((m): m is Extract<ClientMessage, { type: T }> => m.type === type);
  }
}

/** A socket factory that keeps every socket it made, newest last. */
export function fakeSockets() {
  const sockets: FakeSocket[] = [];
  return {
    sockets,
    factory: (url: string) => {
      const socket = new FakeSocket(url);
      sockets.push(socket);
      return socket;
    },
    get last(): FakeSocket {
      const socket = sockets.at(-1);
      if (!socket) throw new Error('no socket was opened');
      return socket;
    },
  };
}

export function joinedMessage(overrides: Partial<Joined> = {}): Joined {
  return {
    type: 'joined',
    protocol: 1,
    consult_id: 'c0ffee00-0000-4000-8000-000000000001',
    role: 'patient',
    iceServers: [
      {
        urls: ['turn:127.0.0.1:3478?transport=udp'],
        username: '1795190400:user',
        credential: 'secret',
      },
    ],
    heartbeat_interval_ms: 10_000,
    heartbeat_timeout_ms: 30_000,
    peer: { role: 'psychiatrist', present: false },
    room: 'waiting',
    resumed: false,
    limits: { max_frame_bytes: 65_536, rate_per_second: 50, rate_burst: 200 },
    ...overrides,
  };
}
