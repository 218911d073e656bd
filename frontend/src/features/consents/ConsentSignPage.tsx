import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { type ConsentDocumentRead, consentsSignConsent } from '../../api/generated';
import { TextField } from '../../components/Field';
import { FormAlert } from '../../components/FormAlert';
import { PageHeading } from '../../components/PageHeading';
import { ErrorState, Loading } from '../../components/States';
import { useFormErrors } from '../../components/useFormErrors';
import { usePageTitle } from '../../components/usePageTitle';
import { useI18n } from '../../i18n';
import { NotFoundPage } from '../../routes/NotFoundPage';
import { formatDate } from '../patient/format';
import { type ConsentKind, consentDocumentQuery, myConsentsQuery } from '../patient/queries';

const FIELDS = ['typed_name', 'agree'] as const;

function isKind(value: unknown): value is ConsentKind {
  return value === 'telehealth' || value === 'ketamine_treatment';
}

/** Read a consent in full, then sign it by typing one's name. */
export function ConsentSignPage() {
  const { kind } = useParams();
  if (!isKind(kind)) return <NotFoundPage />;
  return <ConsentSign kind={kind} />;
}

function ConsentSign({ kind }: { kind: ConsentKind }) {
  const { t, language } = useI18n();
  const document = useQuery(consentDocumentQuery(kind, language));
  const consents = useQuery(myConsentsQuery);
  usePageTitle(document.data?.title ?? t('consents.title'));
  const status = consents.data?.status.find((c) => c.kind === kind);

  return (
    <section>
      <p>
        <Link to="/consents">{t('consents.back')}</Link>
      </p>
      {document.isPending ? (
        <Loading />
      ) : document.isError ? (
        <>
          <PageHeading>{t('consents.title')}</PageHeading>
          <ErrorState error={document.error} onRetry={() => void document.refetch()} />
        </>
      ) : (
        <>
          <PageHeading>{document.data.title}</PageHeading>
          <p className="muted">
            {t('consents.version', {
              version: document.data.version,
              date: formatDate(document.data.effective_on, language),
            })}
          </p>
          <article className="card consent-text" aria-label={document.data.title}>
            {document.data.body.split(/\n{2,}/).map((paragraph, index) => (
              // Paragraphs of a fixed text: their order never changes.
              // biome-ignore lint/suspicious/noArrayIndexKey: static text
              <p key={index}>{paragraph}</p>
            ))}
          </article>
          {status?.signed_current && status.current_version === document.data.version ? (
            <p className="alert alert-success" role="status">
              {t('consents.alreadySigned')}
            </p>
          ) : (
            <SignForm document={document.data} />
          )}
        </>
      )}
    </section>
  );
}

function SignForm({ document }: { document: ConsentDocumentRead }) {
  const { t } = useI18n();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [typedName, setTypedName] = useState('');
  const [agree, setAgree] = useState(false);
  const sign = useMutation({
    mutationFn: async () =>
      (
        await consentsSignConsent({
          path: { kind: document.kind },
          body: {
            agree: true,
            language: document.language,
            text_sha256: document.text_sha256,
            typed_name: typedName,
            version: document.version,
          },
        })
      ).data,
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['consents'] });
      navigate('/consents', { state: { notice: 'consents.signedNotice' } });
    },
  });
  const errors = useFormErrors(sign.error, FIELDS);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    sign.mutate();
  }

  return (
    <form className="form card" onSubmit={onSubmit} aria-labelledby="sign-title">
      <h2 id="sign-title">{t('consents.signTitle')}</h2>
      <FormAlert error={errors.apiError} messages={errors.form} />
      <div className={errors.fields.agree ? 'field field-invalid' : 'field'}>
        <label className="checkbox">
          <input
            type="checkbox"
            checked={agree}
            required
            aria-invalid={errors.fields.agree ? true : undefined}
            onChange={(e) => setAgree(e.target.checked)}
          />
          <span>{t('consents.agree')}</span>
        </label>
        {errors.fields.agree ? <p className="field-error">{errors.fields.agree}</p> : null}
      </div>
      <TextField
        label={t('consents.typedName')}
        hint={t('consents.typedNameHint')}
        autoComplete="name"
        required
        maxLength={200}
        value={typedName}
        onChange={(e) => setTypedName(e.target.value)}
        error={errors.fields.typed_name}
      />
      <button type="submit" className="button primary" disabled={sign.isPending}>
        {sign.isPending ? t('form.working') : t('consents.sign')}
      </button>
    </form>
  );
}

export default ConsentSignPage;
