import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { Link } from 'react-router';
import { type Translate, useI18n } from '../../i18n';
import { consultMessagesQuery } from './api';
import { ChatPanel } from './ChatPanel';
import type { CallController, CallState } from './controller';
import { DeviceControls } from './DeviceControls';
import { QualityPanel } from './QualityPanel';
import { mediaErrorKey } from './shared';

/** What the e2e test reads (see `window.__halcyonCall`). */
export interface CallDebug {
  readonly phase: string;
  readonly connectionState: string;
  readonly remote: { videoWidth: number; videoHeight: number; currentTime: number };
  readonly self: { videoWidth: number; currentTime: number };
  readonly selectedCandidateType: string | null;
  readonly iceTransportPolicy: string | null;
  /** Our ICE username fragment: it changes when ICE restarts on the same connection. */
  readonly localIceUfrag: string | null;
  /** Which RTCPeerConnection this page is on (1 for the first, 2 when it made another). */
  readonly peerConnectionSerial: number;
}

const peerSerials = new WeakMap<RTCPeerConnection, number>();
let lastPeerSerial = 0;

function peerSerial(pc: RTCPeerConnection | null): number {
  if (!pc) return 0;
  let serial = peerSerials.get(pc);
  if (serial === undefined) {
    lastPeerSerial += 1;
    serial = lastPeerSerial;
    peerSerials.set(pc, serial);
  }
  return serial;
}

declare global {
  interface Window {
    __halcyonCall?: CallDebug;
  }
}

/** The sentence that says where the call stands, for the status line. */
export function statusText(state: CallState, otherName: string, t: Translate): string {
  switch (state.phase) {
    case 'media':
      return t('call.media.asking');
    case 'media_error':
      return t(mediaErrorKey(state.mediaError));
    case 'joining':
      return t('call.status.joining');
    case 'waiting':
      if (state.role === 'psychiatrist') {
        return state.peerPresent
          ? t('call.status.patientWaiting', { name: otherName })
          : t('call.status.patientAbsent');
      }
      return state.peerPresent
        ? t('call.status.doctorHere', { name: otherName })
        : t('call.status.waiting', { name: otherName });
    case 'connecting':
      return state.peerPresent ? t('call.status.connecting') : t('call.status.peerAway');
    case 'in_call':
      return t('call.status.inCall');
    case 'reconnecting':
      return t('call.status.reconnecting');
    case 'closed':
      return t(`call.closed.${state.closedReason ?? 'left'}`);
  }
}

/** Plays a stream in a <video>; when the browser refuses sound without a click, muted. */
function useVideo(stream: MediaStream | null, onMutedAutoplay?: () => void) {
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    const video = ref.current;
    if (!video) return;
    if (video.srcObject !== stream) video.srcObject = stream;
    if (!stream || typeof video.play !== 'function') return;
    const playing = video.play();
    playing?.catch(() => {
      if (video.muted) return;
      video.muted = true;
      onMutedAutoplay?.();
      void video.play()?.catch(() => undefined);
    });
  }, [stream, onMutedAutoplay]);
  return ref;
}

export function CallView({
  controller,
  bookingId,
  otherName,
  locationWarning,
  onRejoin,
}: {
  controller: CallController;
  bookingId: string;
  otherName: string;
  locationWarning: string | null;
  onRejoin: () => void;
}) {
  const { t } = useI18n();
  const state = useSyncExternalStore(controller.subscribe, controller.getState);
  const [soundBlocked, setSoundBlocked] = useState(false);
  const [confirmEnd, setConfirmEnd] = useState(false);
  const remoteRef = useVideo(state.remoteStream, () => setSoundBlocked(true));
  const selfRef = useVideo(state.localStream);
  const admitted = state.room === 'admitted';
  const history = useQuery({ ...consultMessagesQuery(bookingId), enabled: admitted });

  useEffect(() => {
    if (history.data) controller.addHistory(history.data);
  }, [history.data, controller]);

  // The e2e test reads the call's state from here.
  useEffect(() => {
    const debug: CallDebug = {
      get phase() {
        return controller.getState().phase;
      },
      get connectionState() {
        return controller.getState().connectionState;
      },
      get remote() {
        const v = remoteRef.current;
        return {
          videoWidth: v?.videoWidth ?? 0,
          videoHeight: v?.videoHeight ?? 0,
          currentTime: v?.currentTime ?? 0,
        };
      },
      get self() {
        const v = selfRef.current;
        return { videoWidth: v?.videoWidth ?? 0, currentTime: v?.currentTime ?? 0 };
      },
      get selectedCandidateType() {
        const q = controller.getState().quality;
        return q ? (q.relayed ? 'relay' : 'other') : null;
      },
      get iceTransportPolicy() {
        return controller.peerConnection?.getConfiguration?.().iceTransportPolicy ?? null;
      },
      get localIceUfrag() {
        const sdp = controller.peerConnection?.localDescription?.sdp ?? '';
        return /^a=ice-ufrag:(\S+)/m.exec(sdp)?.[1] ?? null;
      },
      get peerConnectionSerial() {
        return peerSerial(controller.peerConnection);
      },
    };
    window.__halcyonCall = debug;
    return () => {
      if (window.__halcyonCall === debug) delete window.__halcyonCall;
    };
  }, [controller, remoteRef, selfRef]);

  const status = statusText(state, otherName, t);
  const closed = state.phase === 'closed';
  const canRejoin =
    closed &&
    state.closedReason !== 'ended' &&
    state.closedReason !== 'replaced' &&
    state.closedReason !== 'refused';

  return (
    <div className={`call call-${state.phase}`}>
      <p className="call-status" role="status" aria-live="polite">
        {state.phase === 'reconnecting' || state.phase === 'joining' ? (
          <span className="spinner" aria-hidden="true" />
        ) : null}
        {status}
      </p>
      {state.role === 'psychiatrist' && locationWarning ? (
        <p className="call-warning" role="alert">
          {locationWarning}
        </p>
      ) : null}
      {state.lastError === 'not_admitted' && !admitted ? (
        <p className="muted">{t('call.notAdmitted')}</p>
      ) : null}

      {state.phase === 'media_error' ? (
        <div className="actions">
          <button
            type="button"
            className="button primary"
            onClick={() => void controller.retryMedia()}
          >
            {t('call.media.retry')}
          </button>
          <button
            type="button"
            className="button secondary"
            onClick={() => controller.joinWithoutMedia()}
          >
            {t('call.media.withoutMedia')}
          </button>
        </div>
      ) : null}

      {closed ? (
        <div className="actions">
          {canRejoin ? (
            <button type="button" className="button primary" onClick={onRejoin}>
              {t('call.rejoin')}
            </button>
          ) : null}
          {state.role === 'psychiatrist' ? (
            <Link className="button primary" to={`/visits/${bookingId}/note`}>
              {t('call.writeNote')}
            </Link>
          ) : (
            <Link className="button" to={`/visits/${bookingId}`}>
              {t('call.backToVisit')}
            </Link>
          )}
        </div>
      ) : (
        <div className="call-layout">
          <section className="call-stage" aria-label={t('call.videos')}>
            <div className="call-remote">
              {/* biome-ignore lint/a11y/useMediaCaption: live video call, no captions exist */}
              <video
                ref={remoteRef}
                data-testid="remote-video"
                aria-label={t('call.remoteVideo', { name: otherName })}
                autoPlay
                playsInline
              />
              {state.remoteStream ? null : (
                <p className="call-placeholder" aria-hidden="true">
                  {t('call.noVideoYet')}
                </p>
              )}
              {soundBlocked ? (
                <button
                  type="button"
                  className="button primary call-unmute"
                  onClick={() => {
                    const v = remoteRef.current;
                    if (v) {
                      v.muted = false;
                      void v.play()?.catch(() => undefined);
                    }
                    setSoundBlocked(false);
                  }}
                >
                  {t('call.unmuteRemote')}
                </button>
              ) : null}
            </div>
            <div className="call-self">
              <video
                ref={selfRef}
                data-testid="self-video"
                aria-label={t('call.selfVideo')}
                autoPlay
                playsInline
                muted
              />
              {state.camOn ? null : <p className="call-placeholder">{t('call.cameraIsOff')}</p>}
            </div>
          </section>

          <div className="call-controls" role="toolbar" aria-label={t('call.controls')}>
            <button
              type="button"
              className="button secondary"
              aria-pressed={!state.micOn}
              disabled={!state.localStream?.getAudioTracks().length}
              onClick={() => controller.toggleMic()}
            >
              {t('call.mute')}
            </button>
            <button
              type="button"
              className="button secondary"
              aria-pressed={!state.camOn}
              disabled={!state.localStream?.getVideoTracks().length}
              onClick={() => controller.toggleCam()}
            >
              {t('call.cameraOff')}
            </button>
            {state.role === 'psychiatrist' && state.room === 'waiting' && state.peerPresent ? (
              <button type="button" className="button primary" onClick={() => controller.admit()}>
                {t('call.admit', { name: otherName })}
              </button>
            ) : null}
            {state.role === 'psychiatrist' && admitted ? (
              <button
                type="button"
                className="button danger"
                aria-expanded={confirmEnd}
                onClick={() => setConfirmEnd(true)}
              >
                {t('call.end')}
              </button>
            ) : null}
            <button type="button" className="button secondary" onClick={() => controller.leave()}>
              {t('call.leave')}
            </button>
          </div>
          {confirmEnd ? (
            <EndConfirm
              onYes={() => {
                controller.end();
                setConfirmEnd(false);
              }}
              onNo={() => setConfirmEnd(false)}
            />
          ) : null}

          <div className="call-side">
            <DeviceControls controller={controller} stream={state.localStream} />
            {admitted ? <QualityPanel quality={state.quality} /> : null}
            <ChatPanel
              state={state}
              historyFailed={history.isError}
              onSend={(text) => controller.sendChat(text)}
            />
          </div>
        </div>
      )}
    </div>
  );
}

function EndConfirm({ onYes, onNo }: { onYes: () => void; onNo: () => void }) {
  const { t } = useI18n();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <div className="card call-confirm" role="alertdialog" aria-labelledby="end-title">
      <h2 id="end-title" tabIndex={-1} ref={heading}>
        {t('call.endConfirm')}
      </h2>
      <div className="actions">
        <button type="button" className="button danger" onClick={onYes}>
          {t('call.endYes')}
        </button>
        <button type="button" className="button secondary" onClick={onNo}>
          {t('call.endNo')}
        </button>
      </div>
    </div>
  );
}
