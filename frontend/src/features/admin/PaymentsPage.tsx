import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { billingExportPaymentsCsv, type PaymentRow, type RefundRead } from '../../api/generated';
import { SuccessAlert } from '../../components/FormAlert';
import { PageHeading } from '../../components/PageHeading';
import { errorMessage } from '../../components/States';
import { usePageTitle } from '../../components/usePageTitle';
import { useI18n } from '../../i18n';
import { formatDateTimeIn, formatMoney } from '../patient/format';
import { BillingFilterForm } from './BillingFilterForm';
import {
  BILLING_PAGE_SIZE,
  billingQuery,
  isPaymentStatus,
  PAYMENT_STATUSES,
  readBillingFilters,
  writeBillingFilters,
} from './billingFilters';
import { filenameFrom, saveBlob } from './download';
import { PagedList } from './PagedList';
import { paymentsQuery } from './queries';
import { RefundDialog } from './RefundDialog';

/** Every payment, filtered, paged, exportable as CSV, each refundable from its row. */
export function PaymentsPage() {
  const { t, language } = useI18n();
  usePageTitle(t('admin.payments.title'));
  const [params, setParams] = useSearchParams();
  const filters = readBillingFilters(params);
  const base = billingQuery(filters);
  const status = isPaymentStatus(filters.status) ? filters.status : undefined;
  const payments = useQuery(
    paymentsQuery({ ...base, status, page: filters.page, limit: BILLING_PAGE_SIZE }),
  );
  const [refunding, setRefunding] = useState<PaymentRow | null>(null);
  const [done, setDone] = useState<{ row: PaymentRow; refund: RefundRead } | null>(null);
  const [exporting, setExporting] = useState(false);
  const [exportError, setExportError] = useState<unknown>(null);

  const exportCsv = async () => {
    setExporting(true);
    setExportError(null);
    try {
      const { data, response } = await billingExportPaymentsCsv({
        query: { ...base, status },
        parseAs: 'blob',
      });
      // Typed as the CSV text, but parseAs 'blob' hands over the bytes.
      const raw: unknown = data;
      const blob = raw instanceof Blob ? raw : new Blob([String(raw)], { type: 'text/csv' });
      saveBlob(blob, filenameFrom(response.headers.get('Content-Disposition'), 'payments.csv'));
    } catch (error) {
      setExportError(error);
    } finally {
      setExporting(false);
    }
  };

  return (
    <section>
      <div className="page-head">
        <PageHeading>{t('admin.payments.title')}</PageHeading>
      </div>
      <BillingFilterForm
        filters={filters}
        onChange={(next) => setParams(writeBillingFilters(next), { replace: true })}
        statuses={PAYMENT_STATUSES}
        statusLabel={(s) => (isPaymentStatus(s) ? t(`admin.status.${s}`) : s)}
      />
      <div className="actions">
        <button
          type="button"
          className="button secondary"
          onClick={() => void exportCsv()}
          disabled={exporting}
        >
          {exporting ? t('form.working') : t('admin.payments.csv')}
        </button>
      </div>
      {exportError ? (
        <p className="alert alert-error" role="alert">
          {t('admin.payments.csvFailed')} {errorMessage(exportError, t, language)}
        </p>
      ) : null}
      {done ? (
        <SuccessAlert>
          {t('admin.refund.done', {
            amount: formatMoney(done.refund.amount_cents, done.refund.currency, language),
            patient: done.row.patient_name,
          })}
        </SuccessAlert>
      ) : null}
      <PagedList
        query={payments}
        label={t('admin.payments.title')}
        empty={t('admin.payments.empty')}
        count={(total) => t('admin.payments.count', { total })}
        page={filters.page}
        onPage={(page) => setParams(writeBillingFilters({ ...filters, page }))}
        pagesLabel={t('admin.payments.pages')}
      >
        {(items) => (
          <table className="table data-table">
            <thead>
              <tr>
                <th scope="col">{t('admin.col.visitTime')}</th>
                <th scope="col">{t('admin.col.patient')}</th>
                <th scope="col">{t('admin.col.psychiatrist')}</th>
                <th scope="col">{t('admin.col.visitType')}</th>
                <th scope="col">{t('admin.col.amount')}</th>
                <th scope="col">{t('admin.col.refunded')}</th>
                <th scope="col">{t('admin.col.status')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('admin.col.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((row) => {
                const left = row.amount_cents - row.refunded_cents;
                return (
                  <tr key={row.payment_id} data-payment={row.payment_id}>
                    <td data-label={t('admin.col.visitTime')}>
                      {formatDateTimeIn(row.date_of_service, row.time_zone, language)}
                    </td>
                    <td data-label={t('admin.col.patient')}>{row.patient_name}</td>
                    <td data-label={t('admin.col.psychiatrist')}>{row.psychiatrist_name}</td>
                    <td data-label={t('admin.col.visitType')}>{row.visit_type}</td>
                    <td data-label={t('admin.col.amount')}>
                      {formatMoney(row.amount_cents, row.currency, language)}
                      {row.test_mode ? (
                        <span className="badge warn">{t('admin.testMode')}</span>
                      ) : null}
                    </td>
                    <td data-label={t('admin.col.refunded')}>
                      {row.refunded_cents > 0
                        ? formatMoney(row.refunded_cents, row.currency, language)
                        : '—'}
                    </td>
                    <td data-label={t('admin.col.status')}>
                      <span className={row.status === 'failed' ? 'badge error' : 'badge muted'}>
                        {t(`admin.status.${row.status}`)}
                      </span>
                      {row.status === 'failed' && row.failure_message ? (
                        <span className="row-note">{row.failure_message}</span>
                      ) : null}
                    </td>
                    <td>
                      {row.status === 'succeeded' && left > 0 ? (
                        <button
                          type="button"
                          className="button secondary small"
                          onClick={() => {
                            setDone(null);
                            setRefunding(row);
                          }}
                        >
                          {t('admin.refund.open')}
                          <span className="visually-hidden">
                            {' '}
                            {t('admin.refund.openFor', { patient: row.patient_name })}
                          </span>
                        </button>
                      ) : row.status === 'succeeded' ? (
                        <span className="muted">{t('admin.refund.fullyRefunded')}</span>
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </PagedList>
      {refunding ? (
        <RefundDialog
          row={refunding}
          onClose={() => setRefunding(null)}
          onRefunded={(refund) => {
            setDone({ row: refunding, refund });
            setRefunding(null);
          }}
        />
      ) : null}
    </section>
  );
}

export default PaymentsPage;
