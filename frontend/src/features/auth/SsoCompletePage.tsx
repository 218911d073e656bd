import { useEffect } from 'react';
import { useNavigate } from 'react-router';
import { refreshSession } from '../../api/http';
import { getSession } from '../../api/session';
import { homePath } from '../../components/RequireAuth';
import { usePageTitle } from '../../components/usePageTitle';
import { useI18n } from '../../i18n';

/** Where single sign-on lands: the refresh cookie is set, so swap it for an access token. */
export default function SsoCompletePage() {
  const { t } = useI18n();
  const navigate = useNavigate();
  usePageTitle(t('signIn.sso.completing'));
  useEffect(() => {
    let cancelled = false;
    refreshSession().then(
      (ok) => {
        if (!cancelled)
          navigate(ok ? homePath(getSession().user?.role) : '/sign-in?sso_error=failed', {
            replace: true,
          });
      },
      () => {
        if (!cancelled) navigate('/sign-in?sso_error=failed', { replace: true });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [navigate]);
  return (
    <section className="narrow" aria-busy="true">
      <p role="status">{t('signIn.sso.completing')}</p>
    </section>
  );
}
