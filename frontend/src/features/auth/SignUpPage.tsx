import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useMemo, useState } from 'react';
import { Link } from 'react-router';
import { authRegister, type RegisterRequest } from '../../api/generated';
import { SelectField, TextField } from '../../components/Field';
import { FormAlert, SuccessAlert } from '../../components/FormAlert';
import { useFormErrors } from '../../components/useFormErrors';
import { usePageTitle } from '../../components/usePageTitle';
import { isLanguage, LANGUAGES, useI18n } from '../../i18n';
import { browserTimeZone, timeZoneChoices, US_STATES } from './usStates';

const FIELDS = [
  'email',
  'password',
  'full_name',
  'date_of_birth',
  'state',
  'time_zone',
  'language',
] as const;

const STATE_OPTIONS = US_STATES.map(([code, name]) => (
  <option key={code} value={code}>
    {name} ({code})
  </option>
));

export function SignUpPage() {
  const { t, language } = useI18n();
  usePageTitle(t('signUp.title'));
  const [form, setForm] = useState<RegisterRequest>(() => ({
    email: '',
    password: '',
    full_name: '',
    date_of_birth: '',
    state: '',
    time_zone: browserTimeZone(),
    language,
  }));
  // Hundreds of zones: build the <option>s once, not on every keystroke elsewhere in the form.
  const zoneOptions = useMemo(
    () =>
      timeZoneChoices(form.time_zone).map((zone) => (
        <option key={zone} value={zone}>
          {zone.replaceAll('_', ' ')}
        </option>
      )),
    [form.time_zone],
  );
  const register = useMutation({
    mutationFn: async (body: RegisterRequest) => (await authRegister({ body })).data,
  });
  const errors = useFormErrors(register.error, FIELDS);

  function update<K extends keyof RegisterRequest>(key: K, value: RegisterRequest[K]) {
    setForm((prev) => ({ ...prev, [key]: value }));
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    register.mutate(form);
  }

  if (register.isSuccess) {
    return (
      <section className="narrow">
        <h1>{t('signUp.sentTitle')}</h1>
        <SuccessAlert>
          <p>{t('signUp.sent', { email: form.email })}</p>
        </SuccessAlert>
        <p>
          <Link to="/sign-in">{t('signUp.haveAccount')}</Link>
        </p>
      </section>
    );
  }

  const today = new Date().toISOString().slice(0, 10);
  return (
    <section className="narrow">
      <h1>{t('signUp.title')}</h1>
      <p>{t('signUp.intro')}</p>
      <form onSubmit={onSubmit} className="form">
        <FormAlert error={errors.apiError} messages={errors.form} />
        <TextField
          label={t('signUp.fullName')}
          name="full_name"
          autoComplete="name"
          required
          maxLength={200}
          value={form.full_name}
          onChange={(e) => update('full_name', e.target.value)}
          error={errors.fields.full_name}
        />
        <TextField
          label={t('form.email')}
          name="email"
          type="email"
          autoComplete="email"
          required
          maxLength={254}
          value={form.email}
          onChange={(e) => update('email', e.target.value)}
          error={errors.fields.email}
        />
        <TextField
          label={t('form.password')}
          name="password"
          type="password"
          autoComplete="new-password"
          required
          minLength={10}
          maxLength={128}
          hint={t('form.passwordHint')}
          value={form.password}
          onChange={(e) => update('password', e.target.value)}
          error={errors.fields.password}
        />
        <TextField
          label={t('signUp.dateOfBirth')}
          name="date_of_birth"
          type="date"
          autoComplete="bday"
          required
          max={today}
          value={form.date_of_birth}
          onChange={(e) => update('date_of_birth', e.target.value)}
          error={errors.fields.date_of_birth}
        />
        <SelectField
          label={t('signUp.state')}
          name="state"
          required
          value={form.state}
          onChange={(e) => update('state', e.target.value)}
          error={errors.fields.state}
        >
          <option value="">{t('signUp.statePlaceholder')}</option>
          {STATE_OPTIONS}
        </SelectField>
        <SelectField
          label={t('signUp.timeZone')}
          name="time_zone"
          required
          value={form.time_zone}
          onChange={(e) => update('time_zone', e.target.value)}
          error={errors.fields.time_zone}
        >
          {zoneOptions}
        </SelectField>
        <SelectField
          label={t('signUp.language')}
          name="language"
          value={form.language}
          onChange={(e) => {
            if (isLanguage(e.target.value)) update('language', e.target.value);
          }}
          error={errors.fields.language}
        >
          {LANGUAGES.map((lang) => (
            <option key={lang} value={lang} lang={lang}>
              {t(`language.${lang}`)}
            </option>
          ))}
        </SelectField>
        <button type="submit" className="button primary" disabled={register.isPending}>
          {register.isPending ? t('form.working') : t('signUp.submit')}
        </button>
      </form>
      <p>
        <Link to="/sign-in">{t('signUp.haveAccount')}</Link>
      </p>
    </section>
  );
}

export default SignUpPage;
