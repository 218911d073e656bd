import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { adminCreateInvitation, type InvitationRead } from '../../api/generated';
import { SelectField, TextField } from '../../components/Field';
import { FormAlert, SuccessAlert } from '../../components/FormAlert';
import { PageHeading } from '../../components/PageHeading';
import { Empty, ErrorState, Loading } from '../../components/States';
import { useFormErrors } from '../../components/useFormErrors';
import { usePageTitle } from '../../components/usePageTitle';
import { useI18n } from '../../i18n';
import { formatDate } from '../patient/format';
import { PagedList } from './PagedList';
import { adminPsychiatristsQuery, invitationsQuery } from './queries';

/** The practice's psychiatrists with their licences, and inviting new staff. */
export function PsychiatristsPage() {
  const { t, language } = useI18n();
  usePageTitle(t('admin.psychiatrists.title'));
  const psychiatrists = useQuery(adminPsychiatristsQuery);
  return (
    <section>
      <div className="page-head">
        <PageHeading>{t('admin.psychiatrists.title')}</PageHeading>
      </div>
      {psychiatrists.isPending ? (
        <Loading />
      ) : psychiatrists.isError ? (
        <ErrorState error={psychiatrists.error} onRetry={() => void psychiatrists.refetch()} />
      ) : psychiatrists.data.length === 0 ? (
        <Empty>{t('admin.psychiatrists.empty')}</Empty>
      ) : (
        <ul className="list">
          {psychiatrists.data.map((p) => (
            <li key={p.id} className="list-item card">
              <h2 className="list-title">
                <Link to={`/admin/psychiatrists/${p.id}`}>
                  {p.display_name}
                  {p.credentials ? `, ${p.credentials}` : ''}
                </Link>
              </h2>
              <p className="muted">
                {t('admin.psychiatrists.languages', { languages: p.languages.join(', ') })} ·{' '}
                {p.time_zone}
              </p>
              {p.licenses.length === 0 ? (
                <p className="badge warn">{t('admin.licenses.none')}</p>
              ) : (
                <ul className="inline-list" aria-label={t('admin.licenses.title')}>
                  {p.licenses.map((l) => (
                    <li key={l.state}>
                      <span className={l.active ? 'badge ok' : 'badge warn'}>
                        {l.state}{' '}
                        {l.active
                          ? t('admin.licenses.until', { date: formatDate(l.expires_on, language) })
                          : t('admin.licenses.expired', {
                              date: formatDate(l.expires_on, language),
                            })}
                      </span>
                    </li>
                  ))}
                </ul>
              )}
            </li>
          ))}
        </ul>
      )}
      <InviteForm />
      <Invitations />
    </section>
  );
}

const INVITE_FIELDS = ['email', 'full_name', 'role'] as const;

function InviteForm() {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const [email, setEmail] = useState('');
  const [fullName, setFullName] = useState('');
  const [role, setRole] = useState<'psychiatrist' | 'admin'>('psychiatrist');
  const invite = useMutation({
    mutationFn: async () =>
      (
        await adminCreateInvitation({
          body: { email: email.trim(), full_name: fullName.trim(), role },
        })
      ).data,
    onSuccess: () => {
      setEmail('');
      setFullName('');
      void queryClient.invalidateQueries({ queryKey: ['admin', 'invitations'] });
    },
  });
  const errors = useFormErrors(invite.error, INVITE_FIELDS);
  return (
    <section className="card" aria-labelledby="invite-heading">
      <h2 id="invite-heading">{t('admin.invite.title')}</h2>
      <p className="muted">{t('admin.invite.intro')}</p>
      <form
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          invite.mutate();
        }}
      >
        <FormAlert error={errors.apiError} messages={errors.form} />
        {invite.isSuccess ? (
          <SuccessAlert>{t('admin.invite.sent', { email: invite.data.email })}</SuccessAlert>
        ) : null}
        <TextField
          label={t('admin.invite.name')}
          value={fullName}
          required
          autoComplete="off"
          error={errors.fields.full_name}
          onChange={(e) => setFullName(e.target.value)}
        />
        <TextField
          label={t('admin.invite.email')}
          type="email"
          value={email}
          required
          autoComplete="off"
          error={errors.fields.email}
          onChange={(e) => setEmail(e.target.value)}
        />
        <SelectField
          label={t('admin.invite.role')}
          value={role}
          error={errors.fields.role}
          onChange={(e) => setRole(e.target.value === 'admin' ? 'admin' : 'psychiatrist')}
        >
          <option value="psychiatrist">{t('admin.role.psychiatrist')}</option>
          <option value="admin">{t('admin.role.admin')}</option>
        </SelectField>
        <button type="submit" className="button primary" disabled={invite.isPending}>
          {invite.isPending ? t('form.working') : t('admin.invite.submit')}
        </button>
      </form>
    </section>
  );
}

function invitationState(inv: InvitationRead, now: number): 'accepted' | 'expired' | 'pending' {
  if (inv.accepted) return 'accepted';
  return Date.parse(inv.expires_at) < now ? 'expired' : 'pending';
}

function Invitations() {
  const { t } = useI18n();
  const [page, setPage] = useState(1);
  const invitations = useQuery(invitationsQuery(page));
  const now = Date.now();
  return (
    <section className="card" aria-labelledby="invitations-heading">
      <h2 id="invitations-heading">{t('admin.invitations.title')}</h2>
      <PagedList
        query={invitations}
        label={t('admin.invitations.title')}
        empty={t('admin.invitations.empty')}
        page={page}
        onPage={setPage}
        pagesLabel={t('admin.invitations.pages')}
      >
        {(items) => (
          <table className="table data-table">
            <thead>
              <tr>
                <th scope="col">{t('admin.invite.name')}</th>
                <th scope="col">{t('admin.invite.email')}</th>
                <th scope="col">{t('admin.invite.role')}</th>
                <th scope="col">{t('admin.col.status')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((inv) => (
                <tr key={inv.id}>
                  <td data-label={t('admin.invite.name')}>{inv.full_name}</td>
                  <td data-label={t('admin.invite.email')}>{inv.email}</td>
                  <td data-label={t('admin.invite.role')}>
                    {inv.role === 'admin' ? t('admin.role.admin') : t('admin.role.psychiatrist')}
                  </td>
                  <td data-label={t('admin.col.status')}>
                    {t(`admin.invitations.${invitationState(inv, now)}`)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </PagedList>
    </section>
  );
}

export default PsychiatristsPage;
