import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import {
  type PagePaymentRow,
  type PaymentRow,
  paymentsAdminRefund,
  type RefundRead,
} from '../../api/generated';
import { TextAreaField, TextField } from '../../components/Field';
import { FormAlert } from '../../components/FormAlert';
import { ErrorState, Loading } from '../../components/States';
import { useFormErrors } from '../../components/useFormErrors';
import { useI18n } from '../../i18n';
import { formatDateTimeIn, formatMoney } from '../patient/format';
import { Dialog } from './Dialog';
import { parseCents } from './money';
import { paymentQuery } from './queries';

const FIELDS = ['amount_cents', 'reason'] as const;

/**
 * Refund a payment, in full (no amount sent: the API refunds whatever is left) or in part,
 * with a reason. Shows what has been refunded already and what is left, read fresh from the
 * API when the dialog opens.
 */
export function RefundDialog({
  row,
  onClose,
  onRefunded,
}: {
  row: PaymentRow;
  onClose: () => void;
  onRefunded: (refund: RefundRead) => void;
}) {
  const { t, language } = useI18n();
  const id = useId();
  const queryClient = useQueryClient();
  const payment = useQuery(paymentQuery(row.payment_id));
  const [mode, setMode] = useState<'full' | 'partial'>('full');
  const [amount, setAmount] = useState('');
  const [reason, setReason] = useState('');
  const [local, setLocal] = useState<{ amount?: string; reason?: string }>({});
  const money = (cents: number) => formatMoney(cents, row.currency, language);
  const data = payment.data;
  const left = data
    ? data.amount_cents - data.refunded_cents
    : row.amount_cents - row.refunded_cents;

  const refund = useMutation({
    mutationFn: async (body: { amount_cents?: number; reason: string }) =>
      (await paymentsAdminRefund({ path: { payment_id: row.payment_id }, body })).data,
    onSuccess: (created) => {
      // Show the new figure in the payments list at once; the refetch confirms it.
      if (created.status !== 'failed' && created.status !== 'canceled') {
        queryClient.setQueriesData<PagePaymentRow>({ queryKey: ['admin', 'payments'] }, (page) =>
          page
            ? {
                ...page,
                items: page.items.map((p) =>
                  p.payment_id === row.payment_id
                    ? { ...p, refunded_cents: p.refunded_cents + created.amount_cents }
                    : p,
                ),
              }
            : page,
        );
      }
      void queryClient.invalidateQueries({ queryKey: ['admin'] });
      onRefunded(created);
    },
  });
  const errors = useFormErrors(refund.error, FIELDS);
  const amountError = local.amount ?? errors.fields.amount_cents;
  const reasonError = local.reason ?? errors.fields.reason;
  // With "full" there is no amount field to show the server's amount error on.
  const formMessages =
    mode === 'full' && errors.fields.amount_cents
      ? [...errors.form, errors.fields.amount_cents]
      : errors.form;

  const submit = () => {
    const problems: { amount?: string; reason?: string } = {};
    let cents: number | null = null;
    if (mode === 'partial') {
      cents = parseCents(amount);
      if (cents === null || cents <= 0) problems.amount = t('admin.refund.amountInvalid');
      else if (cents > left)
        problems.amount = t('admin.refund.amountTooLarge', { left: money(left) });
    }
    if (reason.trim().length < 3) problems.reason = t('admin.refund.reasonRequired');
    setLocal(problems);
    if (problems.amount || problems.reason) {
      setTimeout(() => {
        document.querySelector<HTMLElement>('.dialog [aria-invalid="true"]')?.focus();
      }, 0);
      return;
    }
    refund.mutate(
      mode === 'partial' && cents !== null
        ? { amount_cents: cents, reason: reason.trim() }
        : { reason: reason.trim() },
    );
  };

  return (
    <Dialog
      title={t('admin.refund.title', { patient: row.patient_name })}
      description={
        <p>
          {t('admin.refund.what', {
            visitType: row.visit_type,
            date: formatDateTimeIn(row.date_of_service, row.time_zone, language),
          })}
          {row.test_mode ? <span className="badge warn">{t('admin.testMode')}</span> : null}
        </p>
      }
      onClose={onClose}
    >
      {payment.isPending ? (
        <Loading />
      ) : payment.isError ? (
        <ErrorState error={payment.error} onRetry={() => void payment.refetch()} />
      ) : (
        <>
          <dl className="facts">
            <dt>{t('admin.refund.paid')}</dt>
            <dd>{money(payment.data.amount_cents)}</dd>
            <dt>{t('admin.refund.already')}</dt>
            <dd>{money(payment.data.refunded_cents)}</dd>
            <dt>{t('admin.refund.left')}</dt>
            <dd data-testid="refund-left">{money(left)}</dd>
          </dl>
          {payment.data.refunds.length > 0 ? (
            <>
              <h3>{t('admin.refund.earlier')}</h3>
              <ul className="plain-list">
                {payment.data.refunds.map((r) => (
                  <li key={r.id}>
                    {money(r.amount_cents)} · {t(`admin.refundStatus.${r.status}`)} · {r.reason}
                  </li>
                ))}
              </ul>
            </>
          ) : null}
        </>
      )}
      {left <= 0 ? (
        <p className="alert">{t('admin.refund.nothingLeft')}</p>
      ) : (
        <form
          className="form"
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            submit();
          }}
        >
          <FormAlert error={errors.apiError} messages={formMessages} />
          <fieldset>
            <legend>{t('admin.refund.how')}</legend>
            <div className="answer-options">
              <label>
                <input
                  type="radio"
                  name={`${id}-mode`}
                  checked={mode === 'full'}
                  onChange={() => setMode('full')}
                />{' '}
                {t('admin.refund.full', { left: money(left) })}
              </label>
              <label>
                <input
                  type="radio"
                  name={`${id}-mode`}
                  checked={mode === 'partial'}
                  onChange={() => setMode('partial')}
                />{' '}
                {t('admin.refund.partial')}
              </label>
            </div>
          </fieldset>
          {mode === 'partial' ? (
            <TextField
              id={`${id}-amount`}
              label={t('admin.refund.amount', { currency: row.currency.toUpperCase() })}
              hint={t('admin.refund.amountHint', { left: money(left) })}
              inputMode="decimal"
              autoComplete="off"
              value={amount}
              error={amountError}
              onChange={(e) => setAmount(e.target.value)}
            />
          ) : null}
          <TextAreaField
            id={`${id}-reason`}
            label={t('admin.refund.reason')}
            rows={3}
            maxLength={500}
            value={reason}
            error={reasonError}
            onChange={(e) => setReason(e.target.value)}
          />
          <div className="actions">
            <button type="submit" className="button danger" disabled={refund.isPending}>
              {refund.isPending ? t('form.working') : t('admin.refund.submit')}
            </button>
            <button type="button" className="button secondary" onClick={onClose}>
              {t('admin.cancel')}
            </button>
          </div>
        </form>
      )}
      {left <= 0 ? (
        <div className="actions">
          <button type="button" className="button secondary" onClick={onClose}>
            {t('admin.close')}
          </button>
        </div>
      ) : null}
    </Dialog>
  );
}
