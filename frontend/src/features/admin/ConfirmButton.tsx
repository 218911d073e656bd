import { useEffect, useRef, useState } from 'react';
import { useI18n } from '../../i18n';

/**
 * A destructive action in two steps: the first press asks, the second does it. Focus moves to
 * the confirming button so a keyboard user hears the question; Escape or "Keep" backs out.
 */
export function ConfirmButton({
  label,
  confirmLabel,
  onConfirm,
  disabled,
}: {
  label: string;
  confirmLabel: string;
  onConfirm: () => void;
  disabled?: boolean;
}) {
  const { t } = useI18n();
  const [asking, setAsking] = useState(false);
  const confirm = useRef<HTMLButtonElement>(null);
  const first = useRef<HTMLButtonElement>(null);
  const wasAsking = useRef(false);
  useEffect(() => {
    if (asking) confirm.current?.focus();
    else if (wasAsking.current) first.current?.focus();
    wasAsking.current = asking;
  }, [asking]);
  if (!asking) {
    return (
      <button
        type="button"
        className="button secondary small"
        ref={first}
        disabled={disabled}
        onClick={() => setAsking(true)}
      >
        {label}
      </button>
    );
  }
  return (
    <span className="confirm-inline">
      <button
        type="button"
        className="button danger small"
        ref={confirm}
        disabled={disabled}
        onKeyDown={(e) => {
          if (e.key === 'Escape') setAsking(false);
        }}
        onClick={() => {
          setAsking(false);
          onConfirm();
        }}
      >
        {confirmLabel}
      </button>
      <button type="button" className="button secondary small" onClick={() => setAsking(false)}>
        {t('admin.keep')}
      </button>
    </span>
  );
}
