import { screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RevenueRow } from '../../api/generated';
import { renderPage } from '../../test/render';
import { revenueReport } from './fixtures';
import { RevenueChart } from './RevenueChart';
import { periodStart, periodsOf } from './revenue';

afterEach(() => {
  vi.unstubAllGlobals();
});

function row(overrides: Partial<RevenueRow>): RevenueRow {
  return {
    period_start: '2031-02-01',
    key_id: null,
    label: null,
    currency: 'usd',
    gross_cents: 30000,
    refunded_cents: 0,
    net_cents: 30000,
    payments: 2,
    refunds: 0,
    ...overrides,
  };
}

function buckets(container: HTMLElement) {
  return [...container.querySelectorAll('g.revenue-bucket')];
}

describe('RevenueChart', () => {
  it('draws one bucket per period, empty periods included, each bar titled with its figure', () => {
    const report = revenueReport({
      rows: [
        row({ period_start: '2031-01-01', net_cents: 0, gross_cents: 0, payments: 0 }),
        row({ period_start: '2031-02-01', net_cents: 30000 }),
        row({
          period_start: '2031-03-01',
          net_cents: 12000,
          gross_cents: 15000,
          refunded_cents: 3000,
        }),
      ],
    });
    const { container } = renderPage(<RevenueChart report={report} currency="usd" />);
    const groups = buckets(container);
    expect(groups.map((g) => g.getAttribute('data-period'))).toEqual([
      '2031-01-01',
      '2031-02-01',
      '2031-03-01',
    ]);
    // January had nothing: no bar; the others have one bar each, titled for a tooltip.
    expect(groups[0]?.querySelectorAll('rect')).toHaveLength(0);
    expect(groups[1]?.querySelector('rect title')?.textContent).toBe('Feb 2031 · Net: $300.00');
    expect(groups[2]?.querySelector('rect title')?.textContent).toBe('Mar 2031 · Net: $120.00');
    // February's bar is the taller one.
    const height = (g: Element | undefined) =>
      Number(g?.querySelector('rect')?.getAttribute('height'));
    expect(height(groups[1])).toBeGreaterThan(height(groups[2]));
    const chart = screen.getByRole('img', { name: 'Net revenue per period' });
    expect(chart).toHaveAccessibleDescription(
      /3 periods; net revenue \$420\.00 in all; highest: Feb 2031/,
    );
  });

  it('stacks a breakdown by psychiatrist, with a legend and a bucket for every week', () => {
    const report = revenueReport({
      group: 'week',
      by: 'psychiatrist',
      from_date: '2031-03-05', // a Wednesday: the first week starts on Monday 3 March
      to_date: '2031-03-20',
      rows: [
        row({ period_start: '2031-03-03', key_id: 'p1', label: 'Dr. Lee', net_cents: 15000 }),
        row({ period_start: '2031-03-03', key_id: 'p2', label: 'Dr. Ruiz', net_cents: 25000 }),
        row({ period_start: '2031-03-17', key_id: 'p2', label: 'Dr. Ruiz', net_cents: 25000 }),
      ],
    });
    const { container } = renderPage(<RevenueChart report={report} currency="usd" />);
    const groups = buckets(container);
    expect(groups.map((g) => g.getAttribute('data-period'))).toEqual([
      '2031-03-03',
      '2031-03-10',
      '2031-03-17',
    ]);
    expect(groups[0]?.querySelectorAll('rect')).toHaveLength(2);
    expect(groups[1]?.querySelectorAll('rect')).toHaveLength(0);
    expect(groups[2]?.querySelectorAll('rect')).toHaveLength(1);
    const legend = screen.getByRole('list', { name: 'Legend' });
    expect(
      within(legend)
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual(['Dr. Lee', 'Dr. Ruiz']);
  });

  it('draws refunds that outweigh payments below the baseline', () => {
    const report = revenueReport({
      rows: [
        row({ period_start: '2031-02-01', net_cents: 30000 }),
        row({
          period_start: '2031-03-01',
          net_cents: -10000,
          gross_cents: 0,
          refunded_cents: 10000,
        }),
      ],
    });
    const { container } = renderPage(<RevenueChart report={report} currency="usd" />);
    const [, feb, mar] = buckets(container);
    const top = (g: Element | undefined) => Number(g?.querySelector('rect')?.getAttribute('y'));
    const bottom = (g: Element | undefined) =>
      top(g) + Number(g?.querySelector('rect')?.getAttribute('height'));
    // March's bar starts where February's ends: at zero, going down.
    expect(top(mar)).toBeCloseTo(bottom(feb), 5);
    // The axis marks the lowest value.
    expect(screen.getByText('-$100.00', { selector: 'text' })).toBeInTheDocument();
  });
});

describe('periods', () => {
  it('start on the day, the ISO week Monday or the first of the month', () => {
    expect(periodStart('2031-03-05', 'day')).toBe('2031-03-05');
    expect(periodStart('2031-03-05', 'week')).toBe('2031-03-03');
    expect(periodStart('2031-03-09', 'week')).toBe('2031-03-03'); // Sunday
    expect(periodStart('2031-03-05', 'month')).toBe('2031-03-01');
  });

  it('cover the whole range', () => {
    expect(
      periodsOf(revenueReport({ group: 'day', from_date: '2031-02-27', to_date: '2031-03-02' })),
    ).toEqual(['2031-02-27', '2031-02-28', '2031-03-01', '2031-03-02']);
  });
});
