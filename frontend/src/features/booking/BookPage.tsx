import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { type BookingRead, bookingsBookVisit, type SlotRead } from '../../api/generated';
import { FormAlert } from '../../components/FormAlert';
import { PageHeading } from '../../components/PageHeading';
import { Empty, ErrorState, Loading } from '../../components/States';
import { useFormErrors } from '../../components/useFormErrors';
import { usePageTitle } from '../../components/usePageTitle';
import { useI18n } from '../../i18n';
import { formatDateTimeIn, formatMoney, visitName } from '../patient/format';
import { myProfileQuery, visitTypesQuery } from '../patient/queries';
import { SlotPicker } from './SlotPicker';

const FIELDS = ['visit_type_id', 'starts_at', 'psychiatrist_id'] as const;

/** Find a time: visit type, then an open time, then book (free: confirmed; paid: held). */
export function BookPage() {
  const { t, language } = useI18n();
  usePageTitle(t('book.title'));
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const visitTypes = useQuery(visitTypesQuery);
  const profile = useQuery(myProfileQuery);
  const [visitTypeId, setVisitTypeId] = useState<string | null>(null);
  const [slot, setSlot] = useState<SlotRead | null>(null);

  const book = useMutation({
    mutationFn: async (chosen: SlotRead) =>
      (
        await bookingsBookVisit({
          body: {
            visit_type_id: visitTypeId ?? '',
            psychiatrist_id: chosen.psychiatrist_id,
            starts_at: chosen.starts_at,
          },
        })
      ).data,
    onSuccess: (booking: BookingRead) => {
      queryClient.setQueryData(['booking', booking.id], booking);
      void queryClient.invalidateQueries({ queryKey: ['bookings'] });
      navigate(`/visits/${booking.id}`, {
        state: { notice: booking.status === 'confirmed' ? 'book.confirmedNotice' : undefined },
      });
    },
    onError: () => {
      // The time may have just been taken: show what is open now.
      void queryClient.invalidateQueries({ queryKey: ['slots'] });
    },
  });
  const errors = useFormErrors(book.error, FIELDS);
  const problemType = errors.apiError?.problem.type ?? '';
  const needsIntake = problemType.endsWith('/intake-incomplete');
  const needsConsents = problemType.endsWith('/consents-unsigned');
  const chosenType = visitTypes.data?.find((v) => v.id === visitTypeId) ?? null;

  return (
    <section>
      <PageHeading>{t('book.title')}</PageHeading>
      <form
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          if (slot) book.mutate(slot);
        }}
      >
        <FormAlert error={errors.apiError} messages={errors.form} />
        {needsIntake ? (
          <p>
            <Link to="/intake">{t('book.goToIntake')}</Link>
          </p>
        ) : null}
        {needsConsents ? (
          <p>
            <Link to="/consents">{t('book.goToConsents')}</Link>
          </p>
        ) : null}
        <fieldset
          className="choices"
          aria-describedby={errors.fields.visit_type_id ? 'visit-type-error' : undefined}
        >
          <legend>{t('book.visitType')}</legend>
          {errors.fields.visit_type_id ? (
            <p className="field-error" id="visit-type-error">
              {errors.fields.visit_type_id}
            </p>
          ) : null}
          {visitTypes.isPending ? (
            <Loading />
          ) : visitTypes.isError ? (
            <ErrorState error={visitTypes.error} onRetry={() => void visitTypes.refetch()} />
          ) : visitTypes.data.length === 0 ? (
            <Empty>{t('book.noVisitTypes')}</Empty>
          ) : (
            <ul className="choice-list">
              {visitTypes.data.map((vt) => (
                <li key={vt.id}>
                  <label className={vt.id === visitTypeId ? 'choice selected' : 'choice'}>
                    <input
                      type="radio"
                      name="visit_type"
                      value={vt.id}
                      checked={vt.id === visitTypeId}
                      aria-invalid={errors.fields.visit_type_id ? true : undefined}
                      onChange={() => {
                        setVisitTypeId(vt.id);
                        setSlot(null);
                        book.reset();
                      }}
                    />
                    <span className="choice-body">
                      <span className="choice-title">{visitName(vt, language)}</span>
                      <span className="choice-meta">
                        {t('book.minutes', { minutes: vt.duration_minutes })} ·{' '}
                        {vt.price_cents === 0
                          ? t('book.free')
                          : formatMoney(vt.price_cents, vt.currency, language)}
                      </span>
                      {vt.description ? <span className="muted">{vt.description}</span> : null}
                    </span>
                  </label>
                </li>
              ))}
            </ul>
          )}
        </fieldset>
        {visitTypeId ? (
          <SlotPicker
            visitTypeId={visitTypeId}
            selected={slot}
            onSelect={(next) => {
              setSlot(next);
              if (book.isError) book.reset();
            }}
            error={errors.fields.starts_at ?? errors.fields.psychiatrist_id}
            zoneHint={profile.data?.time_zone}
          />
        ) : null}
        {slot && chosenType ? (
          <section className="card summary" aria-labelledby="book-summary-title">
            <h2 id="book-summary-title">{t('book.summary')}</h2>
            <p>
              {t('visits.with', {
                visit: visitName(chosenType, language),
                name: slot.psychiatrist_name,
              })}
            </p>
            <p>
              {formatDateTimeIn(
                slot.starts_at,
                profile.data?.time_zone ?? Intl.DateTimeFormat().resolvedOptions().timeZone,
                language,
              )}
            </p>
            <p>
              {chosenType.price_cents === 0
                ? t('book.freeConfirms')
                : t('book.paidHolds', {
                    price: formatMoney(chosenType.price_cents, chosenType.currency, language),
                  })}
            </p>
            <button type="submit" className="button primary" disabled={book.isPending}>
              {book.isPending ? t('form.working') : t('book.submit')}
            </button>
          </section>
        ) : null}
      </form>
    </section>
  );
}

export default BookPage;
