import { useQuery } from '@tanstack/react-query';
import { useSearchParams } from 'react-router';
import type { RefundRow } from '../../api/generated';
import { PageHeading } from '../../components/PageHeading';
import { usePageTitle } from '../../components/usePageTitle';
import { useI18n } from '../../i18n';
import { formatDateTimeIn, formatMoney } from '../patient/format';
import { BillingFilterForm } from './BillingFilterForm';
import {
  BILLING_PAGE_SIZE,
  billingQuery,
  readBillingFilters,
  writeBillingFilters,
} from './billingFilters';
import { PagedList } from './PagedList';
import { refundsQuery } from './queries';

type RefundStatus = RefundRow['status'];
const REFUND_STATUSES: readonly RefundStatus[] = ['succeeded', 'pending', 'failed', 'canceled'];

function isRefundStatus(value: string): value is RefundStatus {
  return (REFUND_STATUSES as readonly string[]).includes(value);
}

/** Every refund with its reason, who asked for it and why it happened (policy, admin, …). */
export function RefundsPage() {
  const { t, language } = useI18n();
  usePageTitle(t('admin.refunds.title'));
  const [params, setParams] = useSearchParams();
  const filters = readBillingFilters(params);
  const status = isRefundStatus(filters.status) ? filters.status : undefined;
  const refunds = useQuery(
    refundsQuery({
      ...billingQuery(filters),
      status,
      page: filters.page,
      limit: BILLING_PAGE_SIZE,
    }),
  );
  return (
    <section>
      <div className="page-head">
        <PageHeading>{t('admin.refunds.title')}</PageHeading>
      </div>
      <BillingFilterForm
        filters={filters}
        onChange={(next) => setParams(writeBillingFilters(next), { replace: true })}
        statuses={REFUND_STATUSES}
        statusLabel={(s) => (isRefundStatus(s) ? t(`admin.refundStatus.${s}`) : s)}
      />
      <PagedList
        query={refunds}
        label={t('admin.refunds.title')}
        empty={t('admin.refunds.empty')}
        count={(total) => t('admin.refunds.count', { total })}
        page={filters.page}
        onPage={(page) => setParams(writeBillingFilters({ ...filters, page }))}
        pagesLabel={t('admin.refunds.pages')}
      >
        {(items) => (
          <table className="table data-table">
            <thead>
              <tr>
                <th scope="col">{t('admin.refunds.when')}</th>
                <th scope="col">{t('admin.col.patient')}</th>
                <th scope="col">{t('admin.col.visitType')}</th>
                <th scope="col">{t('admin.col.amount')}</th>
                <th scope="col">{t('admin.col.status')}</th>
                <th scope="col">{t('admin.refunds.kind')}</th>
                <th scope="col">{t('admin.refund.reason')}</th>
                <th scope="col">{t('admin.refunds.by')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((row) => (
                <tr key={row.refund_id}>
                  <td data-label={t('admin.refunds.when')}>
                    {formatDateTimeIn(row.created_at, row.time_zone, language)}
                  </td>
                  <td data-label={t('admin.col.patient')}>
                    {row.patient_name}
                    <span className="row-note">{row.psychiatrist_name}</span>
                  </td>
                  <td data-label={t('admin.col.visitType')}>
                    {row.visit_type}
                    <span className="row-note">
                      {formatDateTimeIn(row.date_of_service, row.time_zone, language)}
                    </span>
                  </td>
                  <td data-label={t('admin.col.amount')}>
                    {formatMoney(row.amount_cents, row.currency, language)}
                    {row.test_mode ? (
                      <span className="badge warn">{t('admin.testMode')}</span>
                    ) : null}
                  </td>
                  <td data-label={t('admin.col.status')}>
                    {t(`admin.refundStatus.${row.status}`)}
                  </td>
                  <td data-label={t('admin.refunds.kind')}>{kindLabel(row.kind, t)}</td>
                  <td data-label={t('admin.refund.reason')}>{row.reason}</td>
                  <td data-label={t('admin.refunds.by')}>
                    {row.requested_by_name ?? (row.requested_by_role || '—')}
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

const KINDS = [
  'cancellation_policy',
  'practice_cancelled',
  'admin',
  'hold_lost',
  'stripe',
] as const;

function kindLabel(kind: string, t: ReturnType<typeof useI18n>['t']): string {
  return (KINDS as readonly string[]).includes(kind)
    ? t(`admin.refundKind.${kind as (typeof KINDS)[number]}`)
    : kind;
}

export default RefundsPage;
