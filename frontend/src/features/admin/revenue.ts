import type { RevenueReport, RevenueRow } from '../../api/generated';

export type Grouping = RevenueReport['group'];
export type Breakdown = RevenueReport['by'];

function parseDay(day: string): Date {
  return new Date(`${day.slice(0, 10)}T12:00:00Z`);
}

function toDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** The first day of the period holding `day`: itself, its ISO week's Monday, or the 1st. */
export function periodStart(day: string, group: Grouping): string {
  const date = parseDay(day);
  if (group === 'week') {
    const weekday = (date.getUTCDay() + 6) % 7; // Monday = 0
    date.setUTCDate(date.getUTCDate() - weekday);
  } else if (group === 'month') {
    date.setUTCDate(1);
  }
  return toDay(date);
}

function nextPeriod(day: string, group: Grouping): string {
  const date = parseDay(day);
  if (group === 'day') date.setUTCDate(date.getUTCDate() + 1);
  else if (group === 'week') date.setUTCDate(date.getUTCDate() + 7);
  else date.setUTCMonth(date.getUTCMonth() + 1, 1);
  return toDay(date);
}

/**
 * Every period of the report's range, oldest first, as the API counts them (the same calendar
 * rules), so a breakdown shows empty periods too; any period a row names is kept.
 */
export function periodsOf(report: RevenueReport): string[] {
  const periods = new Set<string>();
  let start = periodStart(report.from_date, report.group);
  for (let i = 0; start <= report.to_date && i < 400; i += 1) {
    periods.add(start);
    start = nextPeriod(start, report.group);
  }
  for (const row of report.rows) periods.add(row.period_start);
  return [...periods].sort();
}

export interface Series {
  key: string;
  label: string;
}

export interface Bucket {
  period: string;
  /** Net cents per series key (absent: nothing in that period). */
  values: Record<string, number>;
  rows: RevenueRow[];
}

export const TOTAL_KEY = 'total';

/** The report's rows in one currency, as one bucket per period and one series per key. */
export function bucketsOf(
  report: RevenueReport,
  currency: string,
  totalLabel: string,
  otherLabel: string,
): { buckets: Bucket[]; series: Series[] } {
  const rows = report.rows.filter((r) => r.currency.toLowerCase() === currency.toLowerCase());
  const series = new Map<string, string>();
  if (report.by === 'total') series.set(TOTAL_KEY, totalLabel);
  for (const row of rows) {
    const key = report.by === 'total' ? TOTAL_KEY : (row.key_id ?? 'other');
    if (!series.has(key)) series.set(key, row.label ?? otherLabel);
  }
  const buckets = new Map<string, Bucket>(
    periodsOf(report).map((period) => [period, { period, values: {}, rows: [] }]),
  );
  for (const row of rows) {
    const bucket = buckets.get(row.period_start);
    if (!bucket) continue;
    const key = report.by === 'total' ? TOTAL_KEY : (row.key_id ?? 'other');
    bucket.values[key] = (bucket.values[key] ?? 0) + row.net_cents;
    bucket.rows.push(row);
  }
  return {
    buckets: [...buckets.values()],
    series: [...series.entries()].map(([key, label]) => ({ key, label })),
  };
}

/** Stacked extent of a bucket: positive parts stack up from 0, negative parts down. */
export function extent(bucket: Bucket): { up: number; down: number } {
  let up = 0;
  let down = 0;
  for (const value of Object.values(bucket.values)) {
    if (value >= 0) up += value;
    else down += value;
  }
  return { up, down };
}
