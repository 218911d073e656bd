import { useId } from 'react';
import type { TrendPoint } from '../../api/generated';
import { useI18n } from '../../i18n';

const WIDTH = 600;
const HEIGHT = 220;
const PAD = { top: 12, right: 16, bottom: 28, left: 36 };

/**
 * Scores over time as a small inline SVG line chart (no chart library: the portal stays
 * light). The picture is described in words for screen readers, and the numbers are in a
 * table beside it.
 */
export function TrendChart({
  title,
  points,
  max,
  markers = [],
  threshold,
}: {
  title: string;
  points: TrendPoint[];
  max: number;
  /** Dates to mark with a vertical line (infusions). */
  markers?: string[];
  /** A horizontal reference line (e.g. the remission score). */
  threshold?: { value: number; label: string } | undefined;
}) {
  const { t, language } = useI18n();
  const id = useId();
  const times = [...points.map((p) => Date.parse(p.at)), ...markers.map((m) => Date.parse(m))];
  const first = Math.min(...times);
  const last = Math.max(...times);
  const span = Math.max(last - first, 86_400_000);
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const x = (iso: string) =>
    PAD.left +
    (points.length === 1 && markers.length === 0
      ? plotW / 2
      : ((Date.parse(iso) - first) / span) * plotW);
  const y = (score: number) => PAD.top + plotH - (Math.min(score, max) / max) * plotH;
  const day = (iso: string) =>
    new Intl.DateTimeFormat(language, { month: 'short', day: 'numeric' }).format(new Date(iso));
  const firstPoint = points[0];
  const lastPoint = points[points.length - 1];
  const description =
    firstPoint && lastPoint
      ? t('scores.chartDescription', {
          count: points.length,
          first: firstPoint.score,
          firstDate: day(firstPoint.at),
          last: lastPoint.score,
          lastDate: day(lastPoint.at),
          max,
        })
      : '';
  const ticks = [0, Math.round(max / 2), max];

  return (
    <figure className="chart">
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-labelledby={`${id}-title`}
        aria-describedby={`${id}-desc`}
        preserveAspectRatio="xMidYMid meet"
      >
        <title id={`${id}-title`}>{title}</title>
        <desc id={`${id}-desc`}>{description}</desc>
        {ticks.map((tick) => (
          <g key={tick}>
            <line
              x1={PAD.left}
              x2={WIDTH - PAD.right}
              y1={y(tick)}
              y2={y(tick)}
              className="chart-grid"
            />
            <text x={PAD.left - 6} y={y(tick) + 4} textAnchor="end" className="chart-label">
              {tick}
            </text>
          </g>
        ))}
        {threshold ? (
          <line
            x1={PAD.left}
            x2={WIDTH - PAD.right}
            y1={y(threshold.value)}
            y2={y(threshold.value)}
            className="chart-threshold"
          />
        ) : null}
        {markers.map((m) => (
          <line
            key={m}
            x1={x(m)}
            x2={x(m)}
            y1={PAD.top}
            y2={PAD.top + plotH}
            className="chart-marker"
          />
        ))}
        <polyline
          className="chart-line"
          fill="none"
          points={points.map((p) => `${x(p.at)},${y(p.score)}`).join(' ')}
        />
        {points.map((p) => (
          <circle key={p.at} cx={x(p.at)} cy={y(p.score)} r={4} className="chart-point" />
        ))}
        {firstPoint ? (
          <text x={x(firstPoint.at)} y={HEIGHT - 8} textAnchor="start" className="chart-label">
            {day(firstPoint.at)}
          </text>
        ) : null}
        {lastPoint && lastPoint !== firstPoint ? (
          <text x={x(lastPoint.at)} y={HEIGHT - 8} textAnchor="end" className="chart-label">
            {day(lastPoint.at)}
          </text>
        ) : null}
      </svg>
      {markers.length > 0 || threshold ? (
        <figcaption className="muted">
          {markers.length > 0 ? t('scores.legendInfusions') : null}
          {markers.length > 0 && threshold ? ' · ' : null}
          {threshold ? threshold.label : null}
        </figcaption>
      ) : null}
    </figure>
  );
}
