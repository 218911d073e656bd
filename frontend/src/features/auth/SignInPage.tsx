import { useMutation, useQuery } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router';
import {
  authLogin,
  authLoginMfa,
  authResendVerification,
  type LoginResult,
} from '../../api/generated';
import { oidcQuery } from '../../api/queries';
import { applyLoginResult, useSession } from '../../api/session';
import { TextField } from '../../components/Field';
import { FormAlert, SuccessAlert } from '../../components/FormAlert';
import { Notice } from '../../components/Notice';
import { homePath, safeNext } from '../../components/RequireAuth';
import { useFormErrors } from '../../components/useFormErrors';
import { usePageTitle } from '../../components/usePageTitle';
import { useI18n } from '../../i18n';

const PASSWORD_FIELDS = ['email', 'password'] as const;
const CODE_FIELDS = ['code'] as const;

export function SignInPage() {
  const { t } = useI18n();
  const session = useSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const asked = params.get('next');
  const [email, setEmail] = useState(() => params.get('email') ?? '');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [mfaToken, setMfaToken] = useState<string | null>(null);
  usePageTitle(mfaToken ? t('signIn.mfaTitle') : t('signIn.title'));

  function onResult(result: LoginResult) {
    if (result.status === 'mfa_required' && result.mfa_token) {
      setMfaToken(result.mfa_token);
      setCode('');
      return;
    }
    applyLoginResult(result);
    if (result.status === 'mfa_enrollment_required') navigate('/mfa/setup', { replace: true });
    // status "ok": the signed-in session redirects below.
  }

  const login = useMutation({
    mutationFn: async () => (await authLogin({ body: { email, password } })).data,
    onSuccess: onResult,
  });
  const verify = useMutation({
    mutationFn: async (token: string) =>
      (await authLoginMfa({ body: { mfa_token: token, code } })).data,
    onSuccess: onResult,
  });
  const resend = useMutation({
    mutationFn: async (address: string) =>
      (await authResendVerification({ body: { email: address } })).data,
  });
  const loginErrors = useFormErrors(login.error, PASSWORD_FIELDS);
  const unverified = loginErrors.apiError?.problem.type.endsWith('/email-not-verified') ?? false;
  const codeErrors = useFormErrors(verify.error, CODE_FIELDS);

  if (session.status === 'signed-in' && !session.mfaEnrollmentRequired) {
    // No page asked for: the landing depends on the role (patients: their portal).
    const next = asked ? safeNext(asked) : homePath(session.user?.role);
    return <Navigate to={next} replace />;
  }

  if (mfaToken) {
    const onVerify = (event: FormEvent<HTMLFormElement>) => {
      event.preventDefault();
      verify.mutate(mfaToken);
    };
    return (
      <section className="narrow">
        <h1>{t('signIn.mfaTitle')}</h1>
        <p>{t('signIn.mfaIntro')}</p>
        <form onSubmit={onVerify} className="form">
          <FormAlert error={codeErrors.apiError} messages={codeErrors.form} />
          <TextField
            label={t('form.code')}
            name="code"
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="[0-9]{6}"
            maxLength={6}
            required
            autoFocus
            value={code}
            onChange={(e) => setCode(e.target.value.replace(/\D/g, ''))}
            error={codeErrors.fields.code}
          />
          <button type="submit" className="button primary" disabled={verify.isPending}>
            {verify.isPending ? t('form.working') : t('signIn.mfaSubmit')}
          </button>
        </form>
        <p>
          <button
            type="button"
            className="link-button"
            onClick={() => {
              setMfaToken(null);
              setPassword('');
              verify.reset();
              login.reset();
            }}
          >
            {t('signIn.mfaBack')}
          </button>
        </p>
      </section>
    );
  }

  const ssoError = params.get('sso_error');
  const ssoMessage =
    ssoError === 'no_account'
      ? t('signIn.sso.noAccount')
      : ssoError === 'unverified'
        ? t('signIn.sso.unverified')
        : ssoError === 'mfa_required'
          ? t('signIn.sso.mfa')
          : ssoError
            ? t('signIn.sso.failed')
            : null;
  const onLogin = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    login.mutate();
  };
  return (
    <section className="narrow">
      <h1>{t('signIn.title')}</h1>
      <Notice />
      {ssoMessage && !login.data ? <FormAlert error={null} messages={[ssoMessage]} /> : null}
      <form onSubmit={onLogin} className="form">
        <FormAlert error={loginErrors.apiError} messages={loginErrors.form} />
        <TextField
          label={t('form.email')}
          name="email"
          type="email"
          autoComplete="username"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={loginErrors.fields.email}
        />
        <TextField
          label={t('form.password')}
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={loginErrors.fields.password}
        />
        <button type="submit" className="button primary" disabled={login.isPending}>
          {login.isPending ? t('form.working') : t('signIn.submit')}
        </button>
      </form>
      {unverified ? (
        resend.isSuccess ? (
          <SuccessAlert>
            <p>{t('signIn.resent', { email: resend.variables })}</p>
          </SuccessAlert>
        ) : (
          <p>
            <button
              type="button"
              className="button secondary"
              disabled={resend.isPending}
              onClick={() => resend.mutate(email)}
            >
              {t('signIn.resend')}
            </button>
          </p>
        )
      ) : null}
      <OidcButton />
      <p>
        <Link to="/forgot-password">{t('signIn.forgot')}</Link>
      </p>
      <p>
        <Link to="/sign-up">{t('signIn.noAccount')}</Link>
      </p>
    </section>
  );
}

/** Offered only when the practice has an outside identity provider configured. */
function OidcButton() {
  const { t } = useI18n();
  const oidc = useQuery(oidcQuery);
  if (!oidc.data?.enabled) return null;
  return (
    <div className="oidc">
      <p className="divider">
        <span>{t('signIn.or')}</span>
      </p>
      <a className="button secondary" href="/api/auth/oidc/login">
        {t('signIn.oidc', { provider: oidc.data.display_name ?? 'SSO' })}
      </a>
    </div>
  );
}

export default SignInPage;
