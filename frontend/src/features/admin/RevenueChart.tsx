import { useId } from 'react';
import type { RevenueReport } from '../../api/generated';
import { type Language, useI18n } from '../../i18n';
import { formatMoney } from '../patient/format';
import { type Bucket, bucketsOf, extent, type Grouping, type Series } from './revenue';

const WIDTH = 720;
const HEIGHT = 260;
const PAD = { top: 12, right: 12, bottom: 32, left: 72 };
// Distinguishable on white and for common colour-blindness; each bar also has a text label.
const COLOURS = [
  '#1f5f5b',
  '#c2410c',
  '#4338ca',
  '#a16207',
  '#be185d',
  '#0e7490',
  '#4d7c0f',
  '#6b21a8',
];

export function periodLabel(period: string, group: Grouping, language: Language): string {
  const date = new Date(`${period}T12:00:00Z`);
  const options: Intl.DateTimeFormatOptions =
    group === 'month'
      ? { month: 'short', year: 'numeric', timeZone: 'UTC' }
      : { month: 'short', day: 'numeric', timeZone: 'UTC' };
  return new Intl.DateTimeFormat(language, options).format(date);
}

/**
 * Net revenue per period as inline SVG bars (stacked by psychiatrist or visit type when the
 * report is broken down). Described in words for screen readers, with every figure in a
 * table below.
 */
export function RevenueChart({ report, currency }: { report: RevenueReport; currency: string }) {
  const { t, language } = useI18n();
  const id = useId();
  const { buckets, series } = bucketsOf(
    report,
    currency,
    t('admin.revenue.net'),
    t('admin.revenue.other'),
  );
  const money = (cents: number) => formatMoney(cents, currency, language);
  const colour = new Map(series.map((s, i) => [s.key, COLOURS[i % COLOURS.length] ?? '#1f5f5b']));

  const extents = buckets.map(extent);
  const top = Math.max(100, ...extents.map((e) => e.up));
  const bottom = Math.min(0, ...extents.map((e) => e.down));
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const y = (cents: number) => PAD.top + ((top - cents) / (top - bottom)) * plotH;
  const slot = plotW / Math.max(buckets.length, 1);
  const barW = Math.max(2, Math.min(48, slot * 0.7));
  // Label at most ~12 periods so the axis stays readable on a phone.
  const labelEvery = Math.ceil(buckets.length / 12);
  const ticks = bottom < 0 ? [bottom, 0, top] : [0, top / 2, top];
  const net = buckets.reduce(
    (sum, b) => sum + Object.values(b.values).reduce((a, v) => a + v, 0),
    0,
  );
  const busiest = buckets.reduce<Bucket | null>(
    (best, b) => (best === null || extent(b).up > extent(best).up ? b : best),
    null,
  );

  return (
    <figure className="chart revenue-chart">
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-labelledby={`${id}-title`}
        aria-describedby={`${id}-desc`}
      >
        <title id={`${id}-title`}>{t('admin.revenue.chartTitle')}</title>
        <desc id={`${id}-desc`}>
          {t('admin.revenue.chartDescription', {
            count: buckets.length,
            net: money(net),
            busiest:
              busiest && extent(busiest).up > 0
                ? periodLabel(busiest.period, report.group, language)
                : '—',
          })}
        </desc>
        {ticks.map((tick) => (
          <g key={tick}>
            <line
              className="chart-grid"
              x1={PAD.left}
              x2={WIDTH - PAD.right}
              y1={y(tick)}
              y2={y(tick)}
            />
            <text className="chart-label" x={PAD.left - 6} y={y(tick) + 4} textAnchor="end">
              {money(Math.round(tick))}
            </text>
          </g>
        ))}
        {buckets.map((bucket, i) => {
          const x = PAD.left + slot * i + (slot - barW) / 2;
          let up = 0;
          let down = 0;
          const label = periodLabel(bucket.period, report.group, language);
          return (
            <g key={bucket.period} data-period={bucket.period} className="revenue-bucket">
              {series.map((s) => {
                const value = bucket.values[s.key];
                if (!value) return null;
                const from = value >= 0 ? up : down;
                const to = from + value;
                if (value >= 0) up = to;
                else down = to;
                return (
                  <rect
                    key={s.key}
                    x={x}
                    width={barW}
                    y={Math.min(y(from), y(to))}
                    height={Math.max(1, Math.abs(y(from) - y(to)))}
                    fill={colour.get(s.key)}
                  >
                    <title>{`${label} · ${s.label}: ${money(value)}`}</title>
                  </rect>
                );
              })}
              {i % labelEvery === 0 ? (
                <text className="chart-label" x={x + barW / 2} y={HEIGHT - 10} textAnchor="middle">
                  {label}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
      {series.length > 1 ? (
        <ul className="chart-legend" aria-label={t('admin.revenue.legend')}>
          {series.map((s) => (
            <li key={s.key}>
              <span
                className="swatch"
                style={{ background: colour.get(s.key) }}
                aria-hidden="true"
              />
              {s.label}
            </li>
          ))}
        </ul>
      ) : null}
      <details>
        <summary>{t('admin.revenue.table')}</summary>
        <RevenueTable buckets={buckets} series={series} group={report.group} money={money} />
      </details>
    </figure>
  );
}

function RevenueTable({
  buckets,
  series,
  group,
  money,
}: {
  buckets: Bucket[];
  series: Series[];
  group: Grouping;
  money: (cents: number) => string;
}) {
  const { t, language } = useI18n();
  const label = new Map(series.map((s) => [s.key, s.label]));
  return (
    <div className="table-scroll">
      <table className="table">
        <thead>
          <tr>
            <th scope="col">{t('admin.revenue.period')}</th>
            <th scope="col">{t('admin.revenue.who')}</th>
            <th scope="col">{t('admin.revenue.gross')}</th>
            <th scope="col">{t('admin.revenue.refunded')}</th>
            <th scope="col">{t('admin.revenue.net')}</th>
            <th scope="col">{t('admin.revenue.payments')}</th>
          </tr>
        </thead>
        <tbody>
          {buckets.flatMap((bucket) =>
            bucket.rows.map((row) => (
              <tr key={`${bucket.period}-${row.key_id ?? 'total'}-${row.currency}`}>
                <td>{periodLabel(bucket.period, group, language)}</td>
                <td>{row.label ?? label.get('total') ?? '—'}</td>
                <td>{money(row.gross_cents)}</td>
                <td>{money(row.refunded_cents)}</td>
                <td>{money(row.net_cents)}</td>
                <td>{row.payments}</td>
              </tr>
            )),
          )}
        </tbody>
      </table>
    </div>
  );
}
