import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { Link } from 'react-router';
import {
  type FlagReview,
  type PlanBlocker,
  screeningReviewScreeningFlag,
} from '../../api/generated';
import { TextAreaField } from '../../components/Field';
import { FormAlert, SuccessAlert } from '../../components/FormAlert';
import { ErrorState, Loading } from '../../components/States';
import { useFormErrors } from '../../components/useFormErrors';
import { type MessageKey, useI18n } from '../../i18n';
import { useLocalizedError } from '../../i18n/problems';
import { consentName, flagText } from '../../i18n/serverTexts';
import { readinessQuery } from './queries';

const SEVERITY_LABEL: Record<NonNullable<PlanBlocker['severity']>, MessageKey> = {
  urgent: 'chart.severity.urgent',
  high: 'chart.severity.high',
  moderate: 'chart.severity.moderate',
};

/**
 * What keeps a plan of this patient from becoming active, each with what to do about it: an
 * unreviewed contraindication flag is reviewed right here; an unsigned consent is the
 * patient's to sign. `planId` is the plan on screen (its own activeness is no obstacle).
 */
export function Readiness({
  patientId,
  planId,
  level = 2,
}: {
  patientId: string;
  planId?: string;
  level?: 2 | 3;
}) {
  const { t } = useI18n();
  const H = level === 3 ? 'h3' : 'h2';
  const titleId = useId();
  const readiness = useQuery(readinessQuery(patientId));
  const [reviewed, setReviewed] = useState(false);
  const data = readiness.data;
  const otherActive =
    data?.active_plan_id && data.active_plan_id !== planId ? data.active_plan_id : null;
  return (
    <section className="readiness" aria-labelledby={titleId}>
      <H id={titleId}>{t('treatment.readiness.title')}</H>
      {reviewed ? <SuccessAlert>{t('treatment.review.done')}</SuccessAlert> : null}
      {readiness.isPending ? (
        <Loading />
      ) : readiness.isError ? (
        <ErrorState error={readiness.error} onRetry={() => void readiness.refetch()} />
      ) : (
        <>
          {data && data.blockers.length === 0 && !otherActive ? (
            <p>{t('treatment.readiness.ready')}</p>
          ) : null}
          {data && data.blockers.length > 0 ? (
            <ul className="list blockers">
              {data.blockers.map((b) => (
                <li key={`${b.kind}-${b.flag_id ?? b.code}`} className="entry">
                  <Blocker blocker={b} patientId={patientId} onReviewed={() => setReviewed(true)} />
                </li>
              ))}
            </ul>
          ) : null}
          {otherActive ? (
            <p>
              {t('treatment.readiness.activePlan')}{' '}
              <Link to={`/my-patients/${patientId}/plans/${otherActive}`}>
                {t('treatment.readiness.openActive')}
              </Link>
            </p>
          ) : null}
        </>
      )}
    </section>
  );
}

function Blocker({
  blocker,
  patientId,
  onReviewed,
}: {
  blocker: PlanBlocker;
  patientId: string;
  onReviewed: () => void;
}) {
  const { t } = useI18n();
  const textId = useId();
  if (blocker.kind === 'unsigned_consent') {
    return (
      <>
        <p>
          <strong>
            {t('treatment.readiness.consent', { consent: consentName(blocker.code, t) })}
          </strong>
        </p>
        <p className="muted">{t('treatment.readiness.consentTodo')}</p>
      </>
    );
  }
  // A rule this build does not know: its id in words beats the API's generic sentence.
  const flag = flagText({ rule_id: blocker.code, message: blocker.code.replaceAll('_', ' ') }, t);
  return (
    <>
      <p id={textId}>
        {blocker.severity ? (
          <span className={blocker.severity === 'moderate' ? 'badge warn' : 'badge danger'}>
            {t(SEVERITY_LABEL[blocker.severity])}
          </span>
        ) : null}{' '}
        <strong>{t('treatment.readiness.flag', { flag })}</strong>
      </p>
      <p className="muted">{t('treatment.readiness.flagTodo')}</p>
      {blocker.flag_id ? (
        <ReviewFlag
          patientId={patientId}
          flagId={blocker.flag_id}
          describedBy={textId}
          onReviewed={onReviewed}
        />
      ) : null}
    </>
  );
}

const REVIEW_FIELDS = ['decision', 'reason'] as const;

/** Clear or override one flag with a written reason, without leaving the page. */
function ReviewFlag({
  patientId,
  flagId,
  describedBy,
  onReviewed,
}: {
  patientId: string;
  flagId: string;
  describedBy: string;
  onReviewed: () => void;
}) {
  const { t } = useI18n();
  const id = useId();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [decision, setDecision] = useState<FlagReview['decision'] | ''>('');
  const [reason, setReason] = useState('');
  const opener = useRef<HTMLButtonElement>(null);
  const firstChoice = useRef<HTMLInputElement>(null);
  const wasOpen = useRef(false);
  useEffect(() => {
    if (open) firstChoice.current?.focus();
    else if (wasOpen.current) opener.current?.focus();
    wasOpen.current = open;
  }, [open]);
  const review = useMutation({
    mutationFn: async () =>
      (
        await screeningReviewScreeningFlag({
          path: { patient_id: patientId, flag_id: flagId },
          body: { decision: decision as FlagReview['decision'], reason: reason.trim() },
        })
      ).data,
    onSuccess: async () => {
      onReviewed();
      // The flags on the chart and the readiness list both change.
      await queryClient.invalidateQueries({ queryKey: ['chart', patientId] });
    },
  });
  const errors = useFormErrors(useLocalizedError(review.error), REVIEW_FIELDS);
  if (!open) {
    return (
      <button
        type="button"
        className="button secondary small"
        ref={opener}
        aria-describedby={describedBy}
        onClick={() => setOpen(true)}
      >
        {t('treatment.review.open')}
      </button>
    );
  }
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    review.mutate();
  };
  return (
    <form className="form review-form" onSubmit={submit} noValidate aria-describedby={describedBy}>
      <FormAlert error={errors.apiError} messages={errors.form} />
      <fieldset
        className={errors.fields.decision ? 'field-invalid' : undefined}
        aria-describedby={errors.fields.decision ? `${id}-decision-error` : undefined}
      >
        <legend>{t('treatment.review.decision')}</legend>
        <label className="choice">
          <input
            ref={firstChoice}
            type="radio"
            name={`${id}-decision`}
            checked={decision === 'clear'}
            onChange={() => setDecision('clear')}
          />{' '}
          {t('treatment.review.clear')}
        </label>
        <label className="choice">
          <input
            type="radio"
            name={`${id}-decision`}
            checked={decision === 'override'}
            onChange={() => setDecision('override')}
          />{' '}
          {t('treatment.review.override')}
        </label>
        {errors.fields.decision ? (
          <p className="field-error" id={`${id}-decision-error`}>
            {errors.fields.decision}
          </p>
        ) : null}
      </fieldset>
      <TextAreaField
        id={`${id}-reason`}
        label={t('treatment.review.reason')}
        hint={t('treatment.review.reasonHint')}
        rows={3}
        required
        value={reason}
        error={errors.fields.reason}
        onChange={(e) => setReason(e.target.value)}
      />
      <div className="actions">
        <button
          type="submit"
          className="button primary"
          disabled={review.isPending || decision === ''}
        >
          {review.isPending ? t('form.working') : t('treatment.review.submit')}
        </button>
        <button type="button" className="button secondary" onClick={() => setOpen(false)}>
          {t('treatment.review.cancel')}
        </button>
      </div>
    </form>
  );
}
