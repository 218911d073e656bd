import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useMemo, useState } from 'react';
import { patientsUpdateMyProfile } from '../../api/generated';
import { SelectField } from '../../components/Field';
import { FormAlert } from '../../components/FormAlert';
import { useFormErrors } from '../../components/useFormErrors';
import { useI18n } from '../../i18n';
import { browserTimeZone, timeZoneChoices } from '../auth/usStates';
import { zoneLabel } from '../patient/format';

const FIELDS = ['time_zone'] as const;

/**
 * "Times are shown in America/Boise": the patient's time zone, which the slot search and
 * every visit time use. Changing it saves it to the profile, so reminders follow too.
 */
export function TimeZoneControl({ zone }: { zone: string }) {
  const { t, language } = useI18n();
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState(false);
  const [choice, setChoice] = useState(zone);
  const formId = useId();
  const save = useMutation({
    mutationFn: async (time_zone: string) =>
      (await patientsUpdateMyProfile({ body: { time_zone } })).data,
    onSuccess: async () => {
      setEditing(false);
      await Promise.all(
        ['slots', 'profile', 'bookings', 'booking'].map((key) =>
          queryClient.invalidateQueries({ queryKey: [key] }),
        ),
      );
    },
  });
  const errors = useFormErrors(save.error, FIELDS);
  const options = useMemo(
    () =>
      editing
        ? timeZoneChoices(choice).map((z) => (
            <option key={z} value={z}>
              {z.replaceAll('_', ' ')}
            </option>
          ))
        : null,
    [editing, choice],
  );

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    save.mutate(choice);
  }

  const browser = browserTimeZone();
  return (
    <div className="time-zone">
      <p>
        {t('book.zoneShown', { zone: zoneLabel(zone, language) })}{' '}
        {!editing ? (
          <button
            type="button"
            className="link-button"
            aria-expanded={false}
            aria-controls={formId}
            onClick={() => {
              setChoice(zone);
              save.reset();
              setEditing(true);
            }}
          >
            {t('book.zoneChange')}
          </button>
        ) : null}
      </p>
      {zone !== browser && !editing ? (
        <p className="muted">{t('book.zoneDiffers', { zone: browser.replaceAll('_', ' ') })}</p>
      ) : null}
      {editing ? (
        <form id={formId} className="form inline-form" onSubmit={onSubmit}>
          <FormAlert error={errors.apiError} messages={errors.form} />
          <SelectField
            label={t('book.zoneLabel')}
            value={choice}
            onChange={(e) => setChoice(e.target.value)}
            error={errors.fields.time_zone}
            autoFocus
          >
            {options}
          </SelectField>
          <div className="actions">
            <button type="submit" className="button primary" disabled={save.isPending}>
              {save.isPending ? t('form.working') : t('book.zoneSave')}
            </button>
            <button type="button" className="button secondary" onClick={() => setEditing(false)}>
              {t('form.cancel')}
            </button>
          </div>
        </form>
      ) : null}
    </div>
  );
}
