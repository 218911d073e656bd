import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Link } from 'react-router';
import { authRequestPasswordReset } from '../../api/generated';
import { TextField } from '../../components/Field';
import { FormAlert, SuccessAlert } from '../../components/FormAlert';
import { useFormErrors } from '../../components/useFormErrors';
import { usePageTitle } from '../../components/usePageTitle';
import { useI18n } from '../../i18n';

const FIELDS = ['email'] as const;

export function ForgotPasswordPage() {
  const { t } = useI18n();
  usePageTitle(t('forgot.title'));
  const [email, setEmail] = useState('');
  const request = useMutation({
    mutationFn: async (address: string) =>
      (await authRequestPasswordReset({ body: { email: address } })).data,
  });
  const errors = useFormErrors(request.error, FIELDS);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    request.mutate(email);
  }

  return (
    <section className="narrow">
      <h1>{t('forgot.title')}</h1>
      {request.isSuccess ? (
        <SuccessAlert>
          <p>{t('forgot.sent', { email: request.variables })}</p>
        </SuccessAlert>
      ) : (
        <>
          <p>{t('forgot.intro')}</p>
          <form onSubmit={onSubmit} className="form">
            <FormAlert error={errors.apiError} messages={errors.form} />
            <TextField
              label={t('form.email')}
              name="email"
              type="email"
              autoComplete="email"
              required
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              error={errors.fields.email}
            />
            <button type="submit" className="button primary" disabled={request.isPending}>
              {request.isPending ? t('form.working') : t('forgot.submit')}
            </button>
          </form>
        </>
      )}
      <p>
        <Link to="/sign-in">{t('forgot.back')}</Link>
      </p>
    </section>
  );
}

export default ForgotPasswordPage;
