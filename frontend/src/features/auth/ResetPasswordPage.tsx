import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { authConfirmPasswordReset } from '../../api/generated';
import { getSession, markSignedOut } from '../../api/session';
import { FormAlert, SuccessAlert } from '../../components/FormAlert';
import { useFormErrors } from '../../components/useFormErrors';
import { usePageTitle } from '../../components/usePageTitle';
import { useI18n } from '../../i18n';
import { NewPasswordFields } from './NewPasswordFields';

// `token` errors have no field here, so they show above the form.
const FIELDS = ['new_password'] as const;

export function ResetPasswordPage() {
  const { t } = useI18n();
  usePageTitle(t('reset.title'));
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const reset = useMutation({
    mutationFn: async () =>
      (await authConfirmPasswordReset({ body: { token, new_password: password } })).data,
    onSuccess: () => {
      // The server ended every session of this account, ours included.
      if (getSession().status === 'signed-in') markSignedOut();
    },
  });
  const errors = useFormErrors(reset.error, FIELDS);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const differ = password !== confirm;
    setMismatch(differ);
    if (!differ) reset.mutate();
  }

  return (
    <section className="narrow">
      <h1>{t('reset.title')}</h1>
      {!token ? (
        <div className="alert alert-error" role="alert">
          <p>{t('errors.missingToken')}</p>
        </div>
      ) : reset.isSuccess ? (
        <>
          <SuccessAlert>
            <p>{t('reset.done')}</p>
          </SuccessAlert>
          <p>
            <Link to="/sign-in" className="button primary">
              {t('reset.signIn')}
            </Link>
          </p>
        </>
      ) : (
        <form onSubmit={onSubmit} className="form">
          <FormAlert error={errors.apiError} messages={errors.form} />
          <NewPasswordFields
            password={password}
            confirm={confirm}
            onPassword={setPassword}
            onConfirm={setConfirm}
            error={errors.fields.new_password}
            mismatch={mismatch}
          />
          <button type="submit" className="button primary" disabled={reset.isPending}>
            {reset.isPending ? t('form.working') : t('reset.submit')}
          </button>
        </form>
      )}
    </section>
  );
}

export default ResetPasswordPage;
