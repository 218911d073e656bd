import { useMutation, useQuery } from '@tanstack/react-query';
import { type FormEvent, type ReactNode, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { authAcceptInvitation, authInspectInvitation } from '../../api/generated';
import { FormAlert, SuccessAlert } from '../../components/FormAlert';
import { ErrorState, Loading } from '../../components/States';
import { useFormErrors } from '../../components/useFormErrors';
import { usePageTitle } from '../../components/usePageTitle';
import { type MessageKey, useI18n } from '../../i18n';
import { formatDateTime } from './format';
import { NewPasswordFields } from './NewPasswordFields';

const FIELDS = ['password'] as const;

function roleKey(role: string): MessageKey | null {
  if (role === 'patient' || role === 'psychiatrist' || role === 'admin') return `role.${role}`;
  return null;
}

export function AcceptInvitePage() {
  const { t, language } = useI18n();
  usePageTitle(t('invite.title'));
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [mismatch, setMismatch] = useState(false);

  const invitation = useQuery({
    queryKey: ['invitation', token],
    queryFn: async ({ signal }) => (await authInspectInvitation({ body: { token }, signal })).data,
    enabled: token.length > 0,
    retry: false,
  });
  const accept = useMutation({
    mutationFn: async () => (await authAcceptInvitation({ body: { token, password } })).data,
  });
  const errors = useFormErrors(accept.error, FIELDS);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const differ = password !== confirm;
    setMismatch(differ);
    if (!differ) accept.mutate();
  }

  let body: ReactNode;
  if (!token) {
    body = (
      <div className="alert alert-error" role="alert">
        <p>{t('errors.missingToken')}</p>
      </div>
    );
  } else if (invitation.isPending) {
    body = <Loading label={t('invite.checking')} />;
  } else if (invitation.isError) {
    body = <ErrorState error={invitation.error} title={t('invite.invalid')} />;
  } else if (accept.isSuccess) {
    const signIn = `/sign-in?email=${encodeURIComponent(invitation.data.email)}`;
    body = (
      <>
        <SuccessAlert>
          <p>{t('invite.done')}</p>
        </SuccessAlert>
        <p>
          <Link to={signIn} className="button primary">
            {t('invite.signIn')}
          </Link>
        </p>
      </>
    );
  } else {
    const info = invitation.data;
    const key = roleKey(info.role);
    body = (
      <>
        <p>
          {t('invite.for', {
            name: info.full_name,
            email: info.email,
            role: key ? t(key) : info.role,
          })}{' '}
          {t('invite.expires', { date: formatDateTime(info.expires_at, language) })}
        </p>
        <p>{t('invite.intro')}</p>
        <form onSubmit={onSubmit} className="form">
          <FormAlert error={errors.apiError} messages={errors.form} />
          {/* Lets password managers file the new password under the right account. */}
          <input
            type="email"
            name="username"
            autoComplete="username"
            value={info.email}
            readOnly
            hidden
          />
          <NewPasswordFields
            password={password}
            confirm={confirm}
            onPassword={setPassword}
            onConfirm={setConfirm}
            error={errors.fields.password}
            mismatch={mismatch}
          />
          <button type="submit" className="button primary" disabled={accept.isPending}>
            {accept.isPending ? t('form.working') : t('invite.submit')}
          </button>
        </form>
      </>
    );
  }

  return (
    <section className="narrow">
      <h1>{t('invite.title')}</h1>
      {body}
    </section>
  );
}

export default AcceptInvitePage;
