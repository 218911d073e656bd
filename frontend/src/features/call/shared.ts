import type { MessageKey } from '../../i18n';

/** `?relay=1` forces TURN relay (`iceTransportPolicy: "relay"`): for tests, see docs/signaling.md. */
export function relayRequested(search: URLSearchParams): boolean {
  const value = search.get('relay');
  return value === '1' || value === 'true';
}

/** What to tell the user for a getUserMedia error (its DOMException name). */
export function mediaErrorKey(name: string | null): MessageKey {
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return 'call.media.denied';
    case 'NotFoundError':
    case 'OverconstrainedError':
      return 'call.media.notFound';
    case 'NotReadableError':
    case 'AbortError':
      return 'call.media.busy';
    default:
      return 'call.media.error';
  }
}
