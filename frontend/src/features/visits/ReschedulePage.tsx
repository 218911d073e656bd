import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { bookingsRescheduleBooking, type SlotRead } from '../../api/generated';
import { FormAlert } from '../../components/FormAlert';
import { PageHeading } from '../../components/PageHeading';
import { ErrorState, Loading } from '../../components/States';
import { useFormErrors } from '../../components/useFormErrors';
import { usePageTitle } from '../../components/usePageTitle';
import { useI18n } from '../../i18n';
import { SlotPicker } from '../booking/SlotPicker';
import { formatDateTimeIn, visitName } from '../patient/format';
import { bookingQuery } from '../patient/queries';

const FIELDS = ['starts_at'] as const;

/** Move a visit to another open time with the same psychiatrist. */
export function ReschedulePage() {
  const { bookingId = '' } = useParams();
  const { t, language } = useI18n();
  usePageTitle(t('reschedule.title'));
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const booking = useQuery(bookingQuery(bookingId));
  const [slot, setSlot] = useState<SlotRead | null>(null);
  const move = useMutation({
    mutationFn: async (startsAt: string) =>
      (
        await bookingsRescheduleBooking({
          path: { booking_id: bookingId },
          body: { starts_at: startsAt },
        })
      ).data,
    onSuccess: (updated) => {
      queryClient.setQueryData(['booking', updated.id], updated);
      void queryClient.invalidateQueries({ queryKey: ['bookings'] });
      void queryClient.invalidateQueries({ queryKey: ['consult', updated.id] });
      navigate(`/visits/${updated.id}`, { state: { notice: 'reschedule.done' } });
    },
    onError: () => void queryClient.invalidateQueries({ queryKey: ['slots'] }),
  });
  const errors = useFormErrors(move.error, FIELDS);

  return (
    <section>
      <p>
        <Link to={`/visits/${bookingId}`}>{t('reschedule.back')}</Link>
      </p>
      <PageHeading>{t('reschedule.title')}</PageHeading>
      {booking.isPending ? (
        <Loading />
      ) : booking.isError ? (
        <ErrorState error={booking.error} onRetry={() => void booking.refetch()} />
      ) : (
        <form
          className="form"
          onSubmit={(event) => {
            event.preventDefault();
            if (slot) move.mutate(slot.starts_at);
          }}
        >
          <p>
            {t('reschedule.current', {
              visit: visitName(booking.data.visit_type, language),
              time: formatDateTimeIn(booking.data.starts_at, booking.data.time_zone, language),
              name: booking.data.psychiatrist_name,
            })}
          </p>
          <FormAlert error={errors.apiError} messages={errors.form} />
          <SlotPicker
            visitTypeId={booking.data.visit_type.id}
            fixedPsychiatristId={booking.data.psychiatrist_id}
            selected={slot}
            onSelect={(next) => {
              setSlot(next);
              if (move.isError) move.reset();
            }}
            error={errors.fields.starts_at}
            zoneHint={booking.data.time_zone}
          />
          <button type="submit" className="button primary" disabled={!slot || move.isPending}>
            {move.isPending
              ? t('form.working')
              : slot
                ? t('reschedule.submit', {
                    time: formatDateTimeIn(slot.starts_at, booking.data.time_zone, language),
                  })
                : t('reschedule.pick')}
          </button>
        </form>
      )}
    </section>
  );
}

export default ReschedulePage;
