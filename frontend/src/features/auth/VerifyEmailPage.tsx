import { useQuery } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import { authVerifyEmail } from '../../api/generated';
import { SuccessAlert } from '../../components/FormAlert';
import { ErrorState, Loading } from '../../components/States';
import { usePageTitle } from '../../components/usePageTitle';
import { useI18n } from '../../i18n';

export function VerifyEmailPage() {
  const { t } = useI18n();
  usePageTitle(t('verify.title'));
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  // A query rather than a mutation: it runs once on arrival, and StrictMode's second mount
  // reuses the same call instead of spending the one-time token twice.
  const verification = useQuery({
    queryKey: ['verify-email', token],
    queryFn: async () => (await authVerifyEmail({ body: { token } })).data,
    enabled: token.length > 0,
    retry: false,
    staleTime: Number.POSITIVE_INFINITY,
    gcTime: Number.POSITIVE_INFINITY,
  });

  return (
    <section className="narrow">
      <h1>{t('verify.title')}</h1>
      {!token ? (
        <div className="alert alert-error" role="alert">
          <p>{t('errors.missingToken')}</p>
        </div>
      ) : verification.isPending ? (
        <Loading label={t('verify.working')} />
      ) : verification.isError ? (
        <ErrorState error={verification.error} title={t('verify.failed')} />
      ) : (
        <>
          <SuccessAlert>
            <p>{t('verify.done')}</p>
          </SuccessAlert>
          <p>
            <Link to="/sign-in" className="button primary">
              {t('verify.continue')}
            </Link>
          </p>
        </>
      )}
    </section>
  );
}

export default VerifyEmailPage;
