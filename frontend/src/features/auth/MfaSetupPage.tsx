import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { QRCodeSVG } from 'qrcode.react';
import { type FormEvent, useState } from 'react';
import { Navigate, useNavigate } from 'react-router';
import { authMfaConfirm, authMfaEnroll } from '../../api/generated';
import { refreshSession } from '../../api/http';
import { meQuery } from '../../api/queries';
import { markSignedOut } from '../../api/session';
import { TextField } from '../../components/Field';
import { FormAlert } from '../../components/FormAlert';
import { ErrorState, Loading } from '../../components/States';
import { useFormErrors } from '../../components/useFormErrors';
import { usePageTitle } from '../../components/usePageTitle';
import { useI18n } from '../../i18n';

const FIELDS = ['code'] as const;

/** `JBSWY3DPEHPK3PXP` → `JBSW Y3DP EHPK 3PXP`: easier to type into a phone. */
function groupSecret(secret: string): string {
  return secret.replace(/(.{4})(?=.)/g, '$1 ');
}

export function MfaSetupPage() {
  const { t } = useI18n();
  usePageTitle(t('mfa.title'));
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [code, setCode] = useState('');
  const me = useQuery(meQuery);
  // A query, not a mutation: StrictMode's double mount must not mint two secrets.
  const enrollment = useQuery({
    queryKey: ['mfa-enroll'],
    queryFn: async () => (await authMfaEnroll()).data,
    enabled: me.data !== undefined && !me.data.mfa_enabled,
    retry: false,
    staleTime: Number.POSITIVE_INFINITY,
  });
  const confirm = useMutation({
    mutationFn: async () => (await authMfaConfirm({ body: { code } })).data,
    onSuccess: async () => {
      queryClient.removeQueries({ queryKey: ['mfa-enroll'] });
      // A fresh access token carries the completed second factor.
      if (await refreshSession()) {
        await queryClient.invalidateQueries({ queryKey: ['me'] });
        navigate('/account', { replace: true, state: { notice: 'mfa.done' } });
      } else {
        markSignedOut();
        navigate('/sign-in', { replace: true, state: { notice: 'mfa.signInAgain' } });
      }
    },
  });
  const errors = useFormErrors(confirm.error, FIELDS);

  if (me.data?.mfa_enabled && !confirm.isPending && !confirm.isSuccess) {
    return <Navigate to="/account" replace />;
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    confirm.mutate();
  }

  return (
    <section className="narrow">
      <h1>{t('mfa.title')}</h1>
      {me.isError ? (
        <ErrorState error={me.error} onRetry={() => void me.refetch()} />
      ) : enrollment.isError ? (
        <ErrorState error={enrollment.error} onRetry={() => void enrollment.refetch()} />
      ) : !enrollment.data ? (
        <Loading label={t('mfa.preparing')} />
      ) : (
        <>
          <p>{t('mfa.intro')}</p>
          <figure className="qr">
            <QRCodeSVG
              value={enrollment.data.otpauth_uri}
              size={200}
              marginSize={2}
              title={t('mfa.qrLabel')}
              role="img"
              aria-label={t('mfa.qrLabel')}
            />
            <figcaption>
              {t('mfa.secret')}{' '}
              <code className="secret">{groupSecret(enrollment.data.secret)}</code>
            </figcaption>
          </figure>
          <form onSubmit={onSubmit} className="form">
            <FormAlert error={errors.apiError} messages={errors.form} />
            <TextField
              label={t('form.code')}
              hint={t('form.codeHint')}
              name="code"
              inputMode="numeric"
              autoComplete="one-time-code"
              pattern="[0-9]{6}"
              maxLength={6}
              required
              value={code}
              onChange={(e) => setCode(e.target.value.replace(/\D/g, ''))}
              error={errors.fields.code}
            />
            <button type="submit" className="button primary" disabled={confirm.isPending}>
              {confirm.isPending ? t('form.working') : t('mfa.submit')}
            </button>
          </form>
        </>
      )}
    </section>
  );
}

export default MfaSetupPage;
