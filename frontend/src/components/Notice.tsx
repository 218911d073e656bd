import { useLocation } from 'react-router';
import { dictionaries, type MessageKey, useI18n } from '../i18n';
import { SuccessAlert } from './FormAlert';

function isMessageKey(value: unknown): value is MessageKey {
  return typeof value === 'string' && value in dictionaries.en;
}

/** A one-line confirmation handed over by the page that navigated here (`state.notice`). */
export function Notice() {
  const { t } = useI18n();
  const location = useLocation();
  const notice: unknown =
    typeof location.state === 'object' && location.state !== null
      ? (location.state as { notice?: unknown }).notice
      : undefined;
  if (!isMessageKey(notice)) return null;
  return (
    <SuccessAlert>
      <p>{t(notice)}</p>
    </SuccessAlert>
  );
}
