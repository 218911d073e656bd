import { useEffect, useRef, useState } from 'react';
import { useI18n } from '../../i18n';

function secondsLeft(deadline: number, now: number): number {
  return Math.max(0, Math.ceil((deadline - now) / 1000));
}

function clock(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  return `${m}:${String(s).padStart(2, '0')}`;
}

/**
 * How long the held time stays held, ticking every second. Screen readers hear the minutes
 * (a polite live region that changes once a minute, not every tick) and, at the end, an alert.
 */
export function HoldCountdown({
  expiresAt,
  onExpire,
}: {
  expiresAt: string;
  onExpire?: () => void;
}) {
  const { t } = useI18n();
  const deadline = Date.parse(expiresAt);
  const [now, setNow] = useState(() => Date.now());
  const left = secondsLeft(deadline, now);
  const expired = left === 0;

  useEffect(() => {
    if (expired) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [expired]);

  const notified = useRef(false);
  useEffect(() => {
    if (expired && !notified.current) {
      notified.current = true;
      onExpire?.();
    }
  }, [expired, onExpire]);

  if (expired) {
    return (
      <div className="hold-timer expired" role="alert">
        <p className="hold-clock">0:00</p>
        <p>{t('hold.expired')}</p>
      </div>
    );
  }
  const minutes = Math.ceil(left / 60);
  return (
    <div className="hold-timer">
      <p className="hold-label" id="hold-label">
        {t('hold.timeLeft')}
      </p>
      <p className="hold-clock" role="timer" aria-labelledby="hold-label">
        {clock(left)}
      </p>
      <p className="visually-hidden" aria-live="polite">
        {minutes <= 1 ? t('hold.lessThanMinute') : t('hold.minutesLeft', { minutes })}
      </p>
    </div>
  );
}
