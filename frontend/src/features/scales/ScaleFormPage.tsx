import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useMemo, useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import {
  type ScaleDefinitionRead,
  type ScaleSubmitted,
  scalesSubmitMyScale,
} from '../../api/generated';
import { FormAlert } from '../../components/FormAlert';
import { PageHeading } from '../../components/PageHeading';
import { ErrorState, Loading } from '../../components/States';
import { useFormErrors } from '../../components/useFormErrors';
import { usePageTitle } from '../../components/usePageTitle';
import { useI18n } from '../../i18n';
import { NotFoundPage } from '../../routes/NotFoundPage';
import { CrisisResources } from '../patient/CrisisResources';
import { isScaleCode, type ScaleCode, scaleQuery } from '../patient/queries';

/** One questionnaire (PHQ-9, GAD-7, …), answered item by item. */
export function ScaleFormPage() {
  const { code } = useParams();
  if (!isScaleCode(code)) return <NotFoundPage />;
  return <ScaleForm code={code} />;
}

function ScaleForm({ code }: { code: ScaleCode }) {
  const { t, language } = useI18n();
  const scale = useQuery(scaleQuery(code, language));
  usePageTitle(scale.data?.name ?? t('scales.title'));
  if (scale.isPending) return <Loading />;
  if (scale.isError) {
    return (
      <section>
        <PageHeading>{t('scales.title')}</PageHeading>
        <ErrorState error={scale.error} onRetry={() => void scale.refetch()} />
      </section>
    );
  }
  return <Questionnaire scale={scale.data} />;
}

function Questionnaire({ scale }: { scale: ScaleDefinitionRead }) {
  const { t, language } = useI18n();
  const [params] = useSearchParams();
  const queryClient = useQueryClient();
  const [answers, setAnswers] = useState<Record<number, number>>({});
  const fields = useMemo(() => scale.items.map((i) => `answers.${i.number}`), [scale.items]);
  const submit = useMutation({
    mutationFn: async () =>
      (
        await scalesSubmitMyScale({
          body: {
            scale: scale.code,
            language: scale.language,
            assignment_id: params.get('assignment') || null,
            answers,
          },
        })
      ).data,
    onSuccess: () => {
      for (const key of ['scales', 'trends']) {
        void queryClient.invalidateQueries({ queryKey: [key] });
      }
    },
  });
  const errors = useFormErrors(submit.error, fields);

  // An urgent item (PHQ-9 item 9, thoughts of self-harm) above 0: crisis resources at once,
  // on top of the page, before the form is even sent.
  const urgentNow = scale.urgent_items.some((n) => (answers[n] ?? 0) > 0);

  if (submit.isSuccess) return <Submitted scale={scale} result={submit.data} />;

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    submit.mutate();
  }

  return (
    <section>
      {urgentNow ? <CrisisResources /> : null}
      <p>
        <Link to="/questionnaires">{t('scales.back')}</Link>
      </p>
      <PageHeading>{scale.name}</PageHeading>
      <p>{scale.instructions}</p>
      <form className="form" onSubmit={onSubmit}>
        <FormAlert error={errors.apiError} messages={errors.form} />
        {scale.items.map((item) => {
          const name = `answers.${item.number}`;
          const error = errors.fields[name];
          const errorId = `item-${item.number}-error`;
          return (
            <fieldset
              key={item.number}
              className={error ? 'question field-invalid' : 'question'}
              aria-describedby={error ? errorId : undefined}
            >
              <legend>
                <span className="question-number">{item.number}.</span> {item.text}
              </legend>
              {error ? (
                <p className="field-error" id={errorId}>
                  {error}
                </p>
              ) : null}
              <div className="answer-options">
                {scale.choices.map((choice, index) => (
                  <label key={choice.value} className="answer">
                    <input
                      type="radio"
                      name={name}
                      value={choice.value}
                      required={index === 0}
                      checked={answers[item.number] === choice.value}
                      aria-invalid={error ? true : undefined}
                      onChange={() =>
                        setAnswers((prev) => ({ ...prev, [item.number]: choice.value }))
                      }
                    />
                    <span>{choice.label}</span>
                  </label>
                ))}
              </div>
            </fieldset>
          );
        })}
        <p className="muted" aria-live="polite">
          {t('scales.progress', {
            answered: Object.keys(answers).length,
            total: scale.items.length,
          })}
        </p>
        <button type="submit" className="button primary" disabled={submit.isPending}>
          {submit.isPending ? t('form.working') : t('scales.submit')}
        </button>
      </form>
      <p className="muted">{t('scales.language', { language: t(`language.${language}`) })}</p>
    </section>
  );
}

function Submitted({ scale, result }: { scale: ScaleDefinitionRead; result: ScaleSubmitted }) {
  const { t } = useI18n();
  const r = result.result;
  return (
    <section>
      {result.crisis_resources ? (
        <CrisisResources resources={result.crisis_resources} focus />
      ) : null}
      <PageHeading>{t('scales.thanks', { name: scale.name })}</PageHeading>
      <div className="card" role="status">
        <p className="score">
          {t('scales.score', { total: r.total, max: r.max_total })}
          {r.band_label ? ` · ${r.band_label}` : ''}
        </p>
        {result.care_team_notified ? <p>{t('scales.careTeamNotified')}</p> : null}
      </div>
      <p>
        <Link to="/scores">{t('portal.nav.scores')}</Link> ·{' '}
        <Link to="/questionnaires">{t('scales.back')}</Link>
      </p>
    </section>
  );
}

export default ScaleFormPage;
