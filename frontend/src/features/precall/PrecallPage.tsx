import { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { consultsPrecallToken } from '../../api/generated';
import { PageHeading } from '../../components/PageHeading';
import { usePageTitle } from '../../components/usePageTitle';
import { useI18n } from '../../i18n';
import { mediaErrorKey, relayRequested } from '../call/shared';
import { NetworkCheck } from './check';
import { useMicLevel } from './useMicLevel';
import '../call/call.css';

/** Camera preview, microphone level and a network test against the echo peer. */
export function PrecallPage() {
  const { bookingId = '' } = useParams();
  const [search] = useSearchParams();
  const relay = relayRequested(search);
  const { t } = useI18n();
  usePageTitle(t('precall.title'));
  const [stream, setStream] = useState<MediaStream | null>(null);
  const [mediaError, setMediaError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  const preview = useRef<HTMLVideoElement>(null);
  const level = useMicLevel(stream);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `attempt` asks again
  useEffect(() => {
    let live = true;
    let got: MediaStream | null = null;
    setMediaError(null);
    navigator.mediaDevices
      ?.getUserMedia({ audio: true, video: true })
      .then((s) => {
        got = s;
        if (live) setStream(s);
        else for (const track of s.getTracks()) track.stop();
      })
      .catch((error: unknown) => {
        if (live) setMediaError(error instanceof Error ? error.name : 'Error');
      }) ?? setMediaError('NotFoundError');
    return () => {
      live = false;
      for (const track of got?.getTracks() ?? []) track.stop();
    };
  }, [attempt]);

  useEffect(() => {
    if (preview.current && preview.current.srcObject !== stream) {
      preview.current.srcObject = stream;
    }
  }, [stream]);

  return (
    <section className="precall-page">
      {bookingId ? (
        <p>
          <Link to={`/visits/${bookingId}`}>{t('precall.back')}</Link>
        </p>
      ) : null}
      <PageHeading>{t('precall.title')}</PageHeading>
      <p>{t('precall.intro')}</p>
      {relay ? <p className="muted">{t('call.relayMode')}</p> : null}
      <div className="precall-grid">
        <section className="card" aria-labelledby="precall-camera">
          <h2 id="precall-camera">{t('call.camera')}</h2>
          {mediaError ? (
            <div role="alert">
              <p>{t(mediaErrorKey(mediaError))}</p>
              <button
                type="button"
                className="button secondary"
                onClick={() => setAttempt((n) => n + 1)}
              >
                {t('call.media.retry')}
              </button>
            </div>
          ) : (
            <div className="precall-video">
              <video
                ref={preview}
                data-testid="precall-preview"
                aria-label={t('precall.preview')}
                autoPlay
                playsInline
                muted
              />
            </div>
          )}
          <h2 id="precall-mic">{t('precall.micLevel')}</h2>
          <p className="field-hint">{t('precall.micHint')}</p>
          <meter
            className="mic-meter"
            aria-labelledby="precall-mic"
            min={0}
            max={100}
            low={5}
            value={level}
          />
        </section>
        <NetworkPanel stream={stream} relay={relay} />
      </div>
      {bookingId ? (
        <p>
          <Link
            to={`/visits/${bookingId}/call${relay ? '?relay=1' : ''}`}
            className="button primary"
          >
            {t('precall.toCall')}
          </Link>
        </p>
      ) : null}
    </section>
  );
}

function NetworkPanel({ stream, relay }: { stream: MediaStream | null; relay: boolean }) {
  const { t } = useI18n();
  const [check] = useState(
    () =>
      new NetworkCheck({
        join: async () => {
          const { data } = await consultsPrecallToken();
          return { token: data.token, signalingUrl: data.signaling_url };
        },
        relay,
      }),
  );
  const state = useSyncExternalStore(check.subscribe, check.getState);
  const echo = useRef<HTMLVideoElement>(null);
  useEffect(() => () => check.stop(), [check]);
  useEffect(() => {
    if (echo.current && echo.current.srcObject !== state.echo) echo.current.srcObject = state.echo;
  }, [state.echo]);
  const running = state.phase === 'connecting' || state.phase === 'running';
  const s = state.stats;
  const dash = t('call.notMeasured');

  return (
    <section className="card" aria-labelledby="precall-network">
      <h2 id="precall-network">{t('precall.network')}</h2>
      <p>{t('precall.networkIntro')}</p>
      {running ? (
        <button type="button" className="button secondary" onClick={() => check.stop()}>
          {t('precall.stop')}
        </button>
      ) : (
        <button type="button" className="button primary" onClick={() => check.start(stream)}>
          {state.phase === 'idle' ? t('precall.start') : t('precall.again')}
        </button>
      )}
      <p role="status" aria-live="polite">
        {running
          ? t('precall.running', { seconds: Math.round(s?.elapsed_seconds ?? 0) })
          : state.phase === 'busy'
            ? t('call.closed.busy')
            : state.phase === 'failed' && !state.result
              ? t('precall.failed')
              : state.phase === 'done' || state.phase === 'failed'
                ? t(`precall.result.${state.result ?? 'unknown'}`)
                : null}
      </p>
      {state.echo ? (
        <div className="precall-video">
          <video
            ref={echo}
            data-testid="precall-echo"
            aria-label={t('precall.echo')}
            autoPlay
            playsInline
            muted
          />
        </div>
      ) : null}
      {s ? (
        <dl className="facts">
          <dt>{t('call.quality.rtt')}</dt>
          <dd>{s.rtt_ms != null ? t('call.ms', { value: Math.round(s.rtt_ms) }) : dash}</dd>
          <dt>{t('call.quality.loss')}</dt>
          <dd>
            {s.fraction_lost != null
              ? t('call.percent', { value: Math.round(s.fraction_lost * 1000) / 10 })
              : dash}
          </dd>
          <dt>{t('precall.outbound')}</dt>
          <dd>
            {s.inbound_kbps != null
              ? t('call.kbpsOne', { value: Math.round(s.inbound_kbps) })
              : dash}
          </dd>
          <dt>{t('precall.inbound')}</dt>
          <dd>
            {s.outbound_kbps != null
              ? t('call.kbpsOne', { value: Math.round(s.outbound_kbps) })
              : dash}
          </dd>
        </dl>
      ) : null}
    </section>
  );
}

export default PrecallPage;
