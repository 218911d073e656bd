import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import {
  authChangePassword,
  authLogout,
  authRevokeOtherSessions,
  authRevokeSession,
  type Me,
  type SessionRead,
} from '../../api/generated';
import { meQuery, sessionsQuery } from '../../api/queries';
import { markSignedOut, setSessionUser } from '../../api/session';
import { TextField } from '../../components/Field';
import { FormAlert, SuccessAlert } from '../../components/FormAlert';
import { Notice } from '../../components/Notice';
import { Empty, ErrorState, Loading } from '../../components/States';
import { useFormErrors } from '../../components/useFormErrors';
import { usePageTitle } from '../../components/usePageTitle';
import { type MessageKey, type Translate, useI18n } from '../../i18n';
import { formatDateTime } from '../auth/format';
import { NewPasswordFields } from '../auth/NewPasswordFields';
import { describeUserAgent } from './userAgent';

export function AccountPage() {
  const { t } = useI18n();
  usePageTitle(t('account.title'));
  const navigate = useNavigate();
  const me = useQuery(meQuery);
  const logout = useMutation({
    mutationFn: async () => {
      await authLogout();
    },
    // Signed out locally whatever the server said: the user asked to leave.
    onSettled: () => {
      markSignedOut();
      navigate('/', { replace: true });
    },
  });

  return (
    <section className="account">
      <div className="page-head">
        <h1>{t('account.title')}</h1>
        <button
          type="button"
          className="button secondary"
          onClick={() => logout.mutate()}
          disabled={logout.isPending}
        >
          {t('account.signOut')}
        </button>
      </div>
      <Notice />
      {me.isPending ? (
        <Loading />
      ) : me.isError ? (
        <ErrorState error={me.error} onRetry={() => void me.refetch()} />
      ) : (
        <Profile me={me.data} />
      )}
      <Sessions />
      <ChangePassword />
    </section>
  );
}

function roleLabel(role: Me['role']): MessageKey {
  return `role.${role}`;
}

function Profile({ me }: { me: Me }) {
  const { t } = useI18n();
  // Keep the header's idea of the user in step with what the server says now.
  useEffect(() => setSessionUser(me), [me]);
  return (
    <section aria-labelledby="profile-title" className="card">
      <h2 id="profile-title">{t('account.profile')}</h2>
      <dl className="facts">
        <dt>{t('account.name')}</dt>
        <dd>{me.full_name}</dd>
        <dt>{t('account.email')}</dt>
        <dd>
          {me.email}{' '}
          <span className={me.email_verified ? 'badge ok' : 'badge warn'}>
            {me.email_verified ? t('account.emailVerified') : t('account.emailUnverified')}
          </span>
        </dd>
        <dt>{t('account.role')}</dt>
        <dd>{t(roleLabel(me.role))}</dd>
        <dt>{t('account.mfa')}</dt>
        <dd>
          {me.mfa_enabled ? t('account.mfaOn') : t('account.mfaOff')}
          {!me.mfa_enabled ? (
            <>
              {me.mfa_required ? <p className="muted">{t('account.mfaRequired')}</p> : null}
              <p>
                <Link to="/mfa/setup">{t('account.mfaSetUp')}</Link>
              </p>
            </>
          ) : null}
        </dd>
      </dl>
    </section>
  );
}

function deviceName(session: SessionRead, t: Translate): string {
  const ua = session.user_agent?.trim();
  if (!ua) return t('account.sessionUnknownDevice');
  const known = describeUserAgent(ua);
  return known ? t('account.sessionDevice', known) : ua;
}

function Sessions() {
  const { t, language } = useI18n();
  const queryClient = useQueryClient();
  const sessions = useQuery(sessionsQuery);
  const revoke = useMutation({
    mutationFn: async (id: string) => {
      await authRevokeSession({ path: { session_id: id } });
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['sessions'] }),
  });
  const revokeOthers = useMutation({
    mutationFn: async () => (await authRevokeOtherSessions()).data,
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['sessions'] }),
  });
  const others = sessions.data?.filter((s) => !s.current).length ?? 0;

  return (
    <section aria-labelledby="sessions-title" className="card">
      <h2 id="sessions-title">{t('account.sessions')}</h2>
      {revoke.isError ? <ErrorState error={revoke.error} /> : null}
      {revokeOthers.isError ? <ErrorState error={revokeOthers.error} /> : null}
      {revokeOthers.isSuccess ? (
        <SuccessAlert>
          <p>{t('account.revokedOthers', { count: revokeOthers.data.revoked })}</p>
        </SuccessAlert>
      ) : null}
      {sessions.isPending ? (
        <Loading />
      ) : sessions.isError ? (
        <ErrorState error={sessions.error} onRetry={() => void sessions.refetch()} />
      ) : sessions.data.length === 0 ? (
        <Empty>{t('account.sessionsEmpty')}</Empty>
      ) : (
        <>
          <ul className="list sessions">
            {sessions.data.map((s) => {
              const device = deviceName(s, t);
              return (
                <li key={s.id} className="list-item">
                  <div className="list-main">
                    <p className="device" title={s.user_agent ?? undefined}>
                      {device}
                      {s.current ? (
                        <span className="badge ok">{t('account.sessionCurrent')}</span>
                      ) : null}
                    </p>
                    <p className="muted">
                      {s.ip ? `${s.ip} · ` : ''}
                      {t('account.sessionStarted', {
                        date: formatDateTime(s.created_at, language),
                      })}
                      {' · '}
                      {t('account.sessionLastSeen', {
                        date: formatDateTime(s.last_seen_at, language),
                      })}
                    </p>
                  </div>
                  {!s.current ? (
                    <button
                      type="button"
                      className="button secondary small"
                      aria-label={t('account.sessionRevokeLabel', { device })}
                      disabled={revoke.isPending && revoke.variables === s.id}
                      onClick={() => revoke.mutate(s.id)}
                    >
                      {t('account.sessionRevoke')}
                    </button>
                  ) : null}
                </li>
              );
            })}
          </ul>
          {others > 0 ? (
            <button
              type="button"
              className="button secondary"
              disabled={revokeOthers.isPending}
              onClick={() => revokeOthers.mutate()}
            >
              {t('account.revokeOthers')}
            </button>
          ) : null}
        </>
      )}
    </section>
  );
}

const PASSWORD_FIELDS = ['current_password', 'new_password'] as const;

function ChangePassword() {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const [current, setCurrent] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const change = useMutation({
    mutationFn: async () =>
      (
        await authChangePassword({
          body: { current_password: current, new_password: password },
        })
      ).data,
    onSuccess: () => {
      setCurrent('');
      setPassword('');
      setConfirm('');
      // Changing the password may end the other sessions.
      void queryClient.invalidateQueries({ queryKey: ['sessions'] });
    },
  });
  const errors = useFormErrors(change.error, PASSWORD_FIELDS);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const differ = password !== confirm;
    setMismatch(differ);
    if (!differ) change.mutate();
  }

  return (
    <section aria-labelledby="password-title" className="card">
      <h2 id="password-title">{t('account.changePassword')}</h2>
      {change.isSuccess ? (
        <SuccessAlert>
          <p>{t('account.passwordChanged')}</p>
        </SuccessAlert>
      ) : null}
      <form onSubmit={onSubmit} className="form">
        <FormAlert error={errors.apiError} messages={errors.form} />
        <TextField
          label={t('form.currentPassword')}
          name="current_password"
          type="password"
          autoComplete="current-password"
          required
          value={current}
          onChange={(e) => setCurrent(e.target.value)}
          error={errors.fields.current_password}
        />
        <NewPasswordFields
          password={password}
          confirm={confirm}
          onPassword={setPassword}
          onConfirm={setConfirm}
          error={errors.fields.new_password}
          mismatch={mismatch}
        />
        <button type="submit" className="button primary" disabled={change.isPending}>
          {change.isPending ? t('form.working') : t('account.changePasswordSubmit')}
        </button>
      </form>
    </section>
  );
}

export default AccountPage;
