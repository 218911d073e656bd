import type { BookingRead } from '../../api/generated';
import { useI18n } from '../../i18n';

const TONE: Record<BookingRead['status'], string> = {
  held: 'warn',
  confirmed: 'ok',
  cancelled: 'muted',
  expired: 'muted',
  released: 'muted',
  no_show: 'muted',
};

/** A visit's status in words (never colour alone). */
export function StatusBadge({ status }: { status: BookingRead['status'] }) {
  const { t } = useI18n();
  return <span className={`badge ${TONE[status]}`}>{t(`visitStatus.${status}`)}</span>;
}
