import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import type { HoldRow } from '../../api/generated';
import { PageHeading } from '../../components/PageHeading';
import { Empty, ErrorState, Loading } from '../../components/States';
import { usePageTitle } from '../../components/usePageTitle';
import { useI18n } from '../../i18n';
import { formatDateTimeIn, formatMoney, zoneLabel } from '../patient/format';
import { PagedList } from './PagedList';
import { holdsQuery, type RevenueQuery, revenueQuery } from './queries';
import { RevenueChart } from './RevenueChart';
import type { Breakdown, Grouping } from './revenue';

export function browserZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

/** The admin's landing page: revenue over time and the visits held for payment right now. */
export function BillingPage() {
  const { t } = useI18n();
  usePageTitle(t('admin.billing.title'));
  return (
    <section>
      <div className="page-head">
        <PageHeading>{t('admin.billing.title')}</PageHeading>
      </div>
      <p>
        <Link to="/admin/payments">{t('admin.billing.toPayments')}</Link>
        {' · '}
        <Link to="/admin/refunds">{t('admin.billing.toRefunds')}</Link>
      </p>
      <RevenueSection />
      <HoldsSection />
    </section>
  );
}

function RevenueSection() {
  const { t, language } = useI18n();
  const [group, setGroup] = useState<Grouping>('month');
  const [by, setBy] = useState<Breakdown>('total');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [zone, setZone] = useState<'practice' | 'mine'>('practice');
  const [currency, setCurrency] = useState<string | null>(null);
  const mine = browserZone();
  const query: RevenueQuery = { group, by };
  if (from) query.from = from;
  if (to) query.to = to;
  if (zone === 'mine') query.tz = mine;
  const revenue = useQuery(revenueQuery(query));
  const report = revenue.data;
  const currencies = report?.totals.map((x) => x.currency) ?? [];
  const shown = currency && currencies.includes(currency) ? currency : (currencies[0] ?? 'usd');
  const totals = report?.totals.find((x) => x.currency === shown);

  return (
    <section className="card" aria-labelledby="revenue-heading">
      <h2 id="revenue-heading">{t('admin.revenue.title')}</h2>
      <form className="filters revenue-filters" onSubmit={(e) => e.preventDefault()}>
        <div className="field">
          <label htmlFor="rev-group">{t('admin.revenue.group')}</label>
          <select
            id="rev-group"
            value={group}
            onChange={(e) => setGroup(e.target.value as Grouping)}
          >
            <option value="day">{t('admin.revenue.group.day')}</option>
            <option value="week">{t('admin.revenue.group.week')}</option>
            <option value="month">{t('admin.revenue.group.month')}</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="rev-by">{t('admin.revenue.by')}</label>
          <select id="rev-by" value={by} onChange={(e) => setBy(e.target.value as Breakdown)}>
            <option value="total">{t('admin.revenue.by.total')}</option>
            <option value="psychiatrist">{t('admin.revenue.by.psychiatrist')}</option>
            <option value="visit_type">{t('admin.revenue.by.visit_type')}</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="rev-from">{t('admin.filters.from')}</label>
          <input id="rev-from" type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="rev-to">{t('admin.filters.to')}</label>
          <input id="rev-to" type="date" value={to} onChange={(e) => setTo(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="rev-zone">{t('admin.revenue.zone')}</label>
          <select
            id="rev-zone"
            value={zone}
            onChange={(e) => setZone(e.target.value === 'mine' ? 'mine' : 'practice')}
          >
            <option value="practice">{t('admin.revenue.zone.practice')}</option>
            <option value="mine">{t('admin.revenue.zone.mine', { zone: mine })}</option>
          </select>
        </div>
        {currencies.length > 1 ? (
          <div className="field">
            <label htmlFor="rev-currency">{t('admin.revenue.currency')}</label>
            <select id="rev-currency" value={shown} onChange={(e) => setCurrency(e.target.value)}>
              {currencies.map((c) => (
                <option key={c} value={c}>
                  {c.toUpperCase()}
                </option>
              ))}
            </select>
          </div>
        ) : null}
      </form>
      {revenue.isPending ? (
        <Loading />
      ) : revenue.isError ? (
        <ErrorState error={revenue.error} onRetry={() => void revenue.refetch()} />
      ) : report ? (
        <>
          <p className="muted zone-note">
            {t('admin.revenue.zoneNote', {
              zone: zoneLabel(report.time_zone, language),
              from: report.from_date,
              to: report.to_date,
            })}
          </p>
          {totals ? (
            <dl className="totals" aria-live="polite">
              <div>
                <dt>{t('admin.revenue.gross')}</dt>
                <dd>{formatMoney(totals.gross_cents, shown, language)}</dd>
              </div>
              <div>
                <dt>{t('admin.revenue.refunded')}</dt>
                <dd>{formatMoney(totals.refunded_cents, shown, language)}</dd>
              </div>
              <div>
                <dt>{t('admin.revenue.net')}</dt>
                <dd>{formatMoney(totals.net_cents, shown, language)}</dd>
              </div>
              <div>
                <dt>{t('admin.revenue.payments')}</dt>
                <dd>{totals.payments}</dd>
              </div>
            </dl>
          ) : null}
          {report.rows.length === 0 ? <Empty>{t('admin.revenue.empty')}</Empty> : null}
          <RevenueChart report={report} currency={shown} />
        </>
      ) : null}
    </section>
  );
}

function HoldsSection() {
  const { t, language } = useI18n();
  const [page, setPage] = useState(1);
  const holds = useQuery(holdsQuery(page));
  return (
    <section className="card" aria-labelledby="holds-heading">
      <h2 id="holds-heading">{t('admin.holds.title')}</h2>
      <p className="muted">{t('admin.holds.intro')}</p>
      <PagedList
        query={holds}
        label={t('admin.holds.title')}
        empty={t('admin.holds.empty')}
        page={page}
        onPage={setPage}
        pagesLabel={t('admin.holds.pages')}
      >
        {(items) => (
          <table className="table data-table">
            <thead>
              <tr>
                <th scope="col">{t('admin.col.patient')}</th>
                <th scope="col">{t('admin.col.psychiatrist')}</th>
                <th scope="col">{t('admin.col.visitType')}</th>
                <th scope="col">{t('admin.col.visitTime')}</th>
                <th scope="col">{t('admin.holds.expires')}</th>
                <th scope="col">{t('admin.col.amount')}</th>
                <th scope="col">{t('admin.col.payment')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((hold: HoldRow) => (
                <tr key={hold.booking_id}>
                  <td data-label={t('admin.col.patient')}>{hold.patient_name}</td>
                  <td data-label={t('admin.col.psychiatrist')}>{hold.psychiatrist_name}</td>
                  <td data-label={t('admin.col.visitType')}>{hold.visit_type}</td>
                  <td data-label={t('admin.col.visitTime')}>
                    {formatDateTimeIn(hold.starts_at, hold.time_zone, language)}
                  </td>
                  <td data-label={t('admin.holds.expires')}>
                    {formatDateTimeIn(hold.hold_expires_at, hold.time_zone, language)}
                  </td>
                  <td data-label={t('admin.col.amount')}>
                    {formatMoney(hold.price_cents, hold.currency, language)}
                  </td>
                  <td data-label={t('admin.col.payment')}>
                    {hold.payment_status
                      ? t(`admin.status.${hold.payment_status}`)
                      : t('admin.holds.notStarted')}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </PagedList>
    </section>
  );
}

export default BillingPage;
