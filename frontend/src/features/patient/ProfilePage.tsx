import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useMemo, useState } from 'react';
import {
  type PatientProfile,
  type ProfileUpdate,
  patientsUpdateMyProfile,
} from '../../api/generated';
import { SelectField, TextField } from '../../components/Field';
import { FormAlert, SuccessAlert } from '../../components/FormAlert';
import { PageHeading } from '../../components/PageHeading';
import { ErrorState, Loading } from '../../components/States';
import { useFormErrors } from '../../components/useFormErrors';
import { usePageTitle } from '../../components/usePageTitle';
import { useI18n } from '../../i18n';
import { timeZoneChoices, US_STATES } from '../auth/usStates';
import { myProfileQuery } from './queries';

const FIELDS = [
  'legal_name',
  'preferred_name',
  'phone',
  'state',
  'current_state',
  'time_zone',
  'language',
  'emergency_contact',
  'emergency_contact.name',
  'emergency_contact.phone',
  'emergency_contact.relationship',
  'pharmacy',
  'pharmacy.name',
  'pharmacy.address',
  'pharmacy.phone',
] as const;

interface Draft {
  legal_name: string;
  preferred_name: string;
  phone: string;
  state: string;
  current_state: string;
  time_zone: string;
  language: 'en' | 'es';
  ec_name: string;
  ec_phone: string;
  ec_relationship: string;
  pharmacy_name: string;
  pharmacy_address: string;
  pharmacy_phone: string;
}

function draftOf(p: PatientProfile): Draft {
  return {
    legal_name: p.legal_name,
    preferred_name: p.preferred_name ?? '',
    phone: p.phone ?? '',
    state: p.state,
    current_state: p.current_state ?? '',
    time_zone: p.time_zone,
    language: p.language,
    ec_name: p.emergency_contact?.name ?? '',
    ec_phone: p.emergency_contact?.phone ?? '',
    ec_relationship: p.emergency_contact?.relationship ?? '',
    pharmacy_name: p.pharmacy?.name ?? '',
    pharmacy_address: p.pharmacy?.address ?? '',
    pharmacy_phone: p.pharmacy?.phone ?? '',
  };
}

const orNull = (value: string) => (value.trim() === '' ? null : value.trim());

/** What to send: empty optional fields clear; an all-empty contact or pharmacy is removed. */
export function updateOf(d: Draft): ProfileUpdate {
  const hasContact = [d.ec_name, d.ec_phone, d.ec_relationship].some((v) => v.trim() !== '');
  const hasPharmacy = [d.pharmacy_name, d.pharmacy_address, d.pharmacy_phone].some(
    (v) => v.trim() !== '',
  );
  return {
    legal_name: d.legal_name.trim(),
    preferred_name: orNull(d.preferred_name),
    phone: orNull(d.phone),
    state: d.state,
    current_state: orNull(d.current_state),
    time_zone: d.time_zone,
    language: d.language,
    emergency_contact: hasContact
      ? {
          name: d.ec_name.trim(),
          phone: d.ec_phone.trim(),
          relationship: orNull(d.ec_relationship),
        }
      : null,
    pharmacy: hasPharmacy
      ? {
          name: d.pharmacy_name.trim(),
          address: orNull(d.pharmacy_address),
          phone: orNull(d.pharmacy_phone),
        }
      : null,
  };
}

/** The patient's own profile: name, phone, where they live and are, time zone, language. */
export function ProfilePage() {
  const { t } = useI18n();
  usePageTitle(t('profile.title'));
  const profile = useQuery(myProfileQuery);
  return (
    <section className="narrow">
      <PageHeading>{t('profile.title')}</PageHeading>
      {profile.isPending ? (
        <Loading />
      ) : profile.isError ? (
        <ErrorState error={profile.error} onRetry={() => void profile.refetch()} />
      ) : (
        <ProfileForm profile={profile.data} />
      )}
    </section>
  );
}

function ProfileForm({ profile }: { profile: PatientProfile }) {
  const { t, language, setLanguage } = useI18n();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<Draft>(() => draftOf(profile));
  const save = useMutation({
    mutationFn: async (body: ProfileUpdate) => (await patientsUpdateMyProfile({ body })).data,
    onSuccess: async (saved) => {
      queryClient.setQueryData(myProfileQuery.queryKey, saved);
      setDraft(draftOf(saved));
      // The app speaks the language the patient just chose (e-mail follows the profile too).
      if (saved.language !== language) setLanguage(saved.language);
      // Times everywhere follow the profile's zone.
      await Promise.all(
        ['slots', 'bookings', 'booking'].map((key) =>
          queryClient.invalidateQueries({ queryKey: [key] }),
        ),
      );
    },
  });
  const errors = useFormErrors(save.error, FIELDS);
  const f = errors.fields;
  const states = useMemo(
    () =>
      US_STATES.map(([code, name]) => (
        <option key={code} value={code}>
          {name}
        </option>
      )),
    [],
  );
  const zones = useMemo(
    () =>
      timeZoneChoices(draft.time_zone).map((z) => (
        <option key={z} value={z}>
          {z.replaceAll('_', ' ')}
        </option>
      )),
    [draft.time_zone],
  );
  const set = (key: keyof Draft) => (event: { target: { value: string } }) => {
    const value = event.target.value;
    setDraft((d) => ({ ...d, [key]: value }));
    if (save.isSuccess) save.reset();
  };
  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    save.mutate(updateOf(draft));
  };

  return (
    <form className="form card" onSubmit={onSubmit} noValidate>
      <FormAlert error={errors.apiError} messages={errors.form} />
      {save.isSuccess ? <SuccessAlert>{t('profile.saved')}</SuccessAlert> : null}
      <TextField
        label={t('profile.legalName')}
        autoComplete="name"
        required
        value={draft.legal_name}
        error={f.legal_name}
        onChange={set('legal_name')}
      />
      <TextField
        label={t('profile.preferredName')}
        hint={t('profile.optional')}
        autoComplete="nickname"
        value={draft.preferred_name}
        error={f.preferred_name}
        onChange={set('preferred_name')}
      />
      <TextField
        label={t('profile.phone')}
        type="tel"
        autoComplete="tel"
        value={draft.phone}
        error={f.phone}
        onChange={set('phone')}
      />
      <SelectField
        label={t('profile.state')}
        value={draft.state}
        error={f.state}
        onChange={set('state')}
      >
        {states}
      </SelectField>
      <SelectField
        label={t('profile.currentState')}
        hint={t('profile.currentStateHint')}
        value={draft.current_state}
        error={f.current_state}
        onChange={set('current_state')}
      >
        <option value="">{t('profile.sameAsHome')}</option>
        {states}
      </SelectField>
      <SelectField
        label={t('profile.timeZone')}
        value={draft.time_zone}
        error={f.time_zone}
        onChange={set('time_zone')}
      >
        {zones}
      </SelectField>
      <SelectField
        label={t('profile.language')}
        value={draft.language}
        error={f.language}
        onChange={set('language')}
      >
        <option value="en">{t('language.en')}</option>
        <option value="es">{t('language.es')}</option>
      </SelectField>

      <fieldset>
        <legend>{t('profile.emergencyContact')}</legend>
        {f.emergency_contact ? <p className="field-error">{f.emergency_contact}</p> : null}
        <TextField
          label={t('profile.contactName')}
          value={draft.ec_name}
          error={f['emergency_contact.name']}
          onChange={set('ec_name')}
        />
        <TextField
          label={t('profile.contactPhone')}
          type="tel"
          value={draft.ec_phone}
          error={f['emergency_contact.phone']}
          onChange={set('ec_phone')}
        />
        <TextField
          label={t('profile.contactRelationship')}
          value={draft.ec_relationship}
          error={f['emergency_contact.relationship']}
          onChange={set('ec_relationship')}
        />
      </fieldset>

      <fieldset>
        <legend>{t('profile.pharmacy')}</legend>
        {f.pharmacy ? <p className="field-error">{f.pharmacy}</p> : null}
        <TextField
          label={t('profile.pharmacyName')}
          value={draft.pharmacy_name}
          error={f['pharmacy.name']}
          onChange={set('pharmacy_name')}
        />
        <TextField
          label={t('profile.pharmacyAddress')}
          autoComplete="off"
          value={draft.pharmacy_address}
          error={f['pharmacy.address']}
          onChange={set('pharmacy_address')}
        />
        <TextField
          label={t('profile.pharmacyPhone')}
          type="tel"
          value={draft.pharmacy_phone}
          error={f['pharmacy.phone']}
          onChange={set('pharmacy_phone')}
        />
      </fieldset>

      <button type="submit" className="button primary" disabled={save.isPending}>
        {save.isPending ? t('form.working') : t('profile.save')}
      </button>
    </form>
  );
}

export default ProfilePage;
