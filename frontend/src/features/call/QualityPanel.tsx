import { useI18n } from '../../i18n';
import type { Quality } from './stats';

/** RTT, packet loss and bitrate of the call's connection, with a one-word summary. */
export function QualityPanel({ quality }: { quality: Quality | null }) {
  const { t } = useI18n();
  const level = quality?.level ?? 'unknown';
  const dash = t('call.notMeasured');
  return (
    <section className="card call-quality" aria-labelledby="call-quality-title">
      <h2 id="call-quality-title">
        {t('call.quality')}:{' '}
        <span className={`quality quality-${level}`}>{t(`call.quality.${level}`)}</span>
      </h2>
      <dl className="facts">
        <dt>{t('call.quality.rtt')}</dt>
        <dd>{quality?.rttMs != null ? t('call.ms', { value: quality.rttMs }) : dash}</dd>
        <dt>{t('call.quality.loss')}</dt>
        <dd>
          {quality?.lossPercent != null ? t('call.percent', { value: quality.lossPercent }) : dash}
        </dd>
        <dt>{t('call.quality.bitrate')}</dt>
        <dd>
          {quality?.inboundKbps != null
            ? t('call.kbps', { in: quality.inboundKbps, out: quality.outboundKbps ?? 0 })
            : dash}
        </dd>
        <dt>{t('call.quality.route')}</dt>
        <dd>
          {quality
            ? quality.relayed
              ? t('call.quality.relayed')
              : t('call.quality.direct')
            : dash}
        </dd>
      </dl>
    </section>
  );
}
