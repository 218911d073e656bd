import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState } from 'react';
import {
  type BookingRead,
  bookingsCancelBooking,
  type CancellationDecisionRead,
} from '../../api/generated';
import { TextAreaField } from '../../components/Field';
import { FormAlert } from '../../components/FormAlert';
import { useFormErrors } from '../../components/useFormErrors';
import { type Translate, useI18n } from '../../i18n';
import { formatDateTimeIn, formatMoney } from '../patient/format';

const FIELDS = ['reason'] as const;

/** What cancelling means in money, in the words the policy decision gives us. */
export function describeDecision(
  decision: CancellationDecisionRead,
  zone: string,
  language: 'en' | 'es',
  t: Translate,
): string[] {
  const money = (cents: number) => formatMoney(cents, decision.currency, language);
  const lines: string[] = [];
  if (decision.reason === 'nothing_paid') {
    lines.push(t('cancel.nothingPaid'));
  } else if (decision.full_refund) {
    lines.push(t('cancel.fullRefund', { refund: money(decision.refund_cents) }));
  } else {
    lines.push(
      t('cancel.partialRefund', {
        refund: money(decision.refund_cents),
        fee: money(decision.fee_cents),
      }),
    );
    if (decision.full_refund_until) {
      lines.push(
        t('cancel.fullRefundUntil', {
          date: formatDateTimeIn(decision.full_refund_until, zone, language),
        }),
      );
    }
  }
  return lines;
}

/**
 * "Cancel this visit": first shows what the cancellation policy decides for cancelling now
 * (refund, fee), and only then asks to confirm.
 */
export function CancelPanel({
  booking,
  onOpen,
}: {
  booking: BookingRead;
  /** Called when the patient opens the panel: the decision depends on the time, so refresh it. */
  onOpen: () => void;
}) {
  const { t, language } = useI18n();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const titleId = useId();
  const heading = useRef<HTMLHeadingElement>(null);
  const opener = useRef<HTMLButtonElement>(null);
  const cancel = useMutation({
    mutationFn: async () =>
      (
        await bookingsCancelBooking({
          path: { booking_id: booking.id },
          body: { reason: reason.trim() || null },
        })
      ).data,
    onSuccess: (updated) => {
      queryClient.setQueryData(['booking', updated.id], updated);
      void queryClient.invalidateQueries({ queryKey: ['bookings'] });
      setOpen(false);
    },
  });
  const errors = useFormErrors(cancel.error, FIELDS);

  useEffect(() => {
    if (open) heading.current?.focus();
  }, [open]);

  const decision = booking.cancellation_policy;
  if (!decision) return null;

  if (!open) {
    return (
      <button
        type="button"
        className="button secondary"
        ref={opener}
        onClick={() => {
          onOpen();
          cancel.reset();
          setOpen(true);
        }}
      >
        {booking.status === 'held' ? t('cancel.releaseHold') : t('cancel.open')}
      </button>
    );
  }

  const close = () => {
    setOpen(false);
    setTimeout(() => opener.current?.focus(), 0);
  };
  return (
    <section
      className="card confirm-panel"
      role="alertdialog"
      aria-labelledby={titleId}
      aria-describedby={`${titleId}-consequences`}
      onKeyDown={(event) => {
        if (event.key === 'Escape') close();
      }}
    >
      <h2 id={titleId} tabIndex={-1} ref={heading}>
        {t('cancel.title')}
      </h2>
      <div id={`${titleId}-consequences`} className="consequences">
        {describeDecision(decision, booking.time_zone, language, t).map((line) => (
          <p key={line}>{line}</p>
        ))}
      </div>
      <form
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          cancel.mutate();
        }}
      >
        <FormAlert error={errors.apiError} messages={errors.form} />
        <TextAreaField
          id={`${titleId}-reason`}
          label={t('cancel.reason')}
          maxLength={300}
          rows={2}
          value={reason}
          error={errors.fields.reason}
          onChange={(e) => setReason(e.target.value)}
        />
        <div className="actions">
          <button type="submit" className="button danger" disabled={cancel.isPending}>
            {cancel.isPending ? t('form.working') : t('cancel.confirm')}
          </button>
          <button type="button" className="button secondary" onClick={close}>
            {t('cancel.keep')}
          </button>
        </div>
      </form>
    </section>
  );
}
