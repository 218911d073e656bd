import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { Link } from 'react-router';
import { type SafetyTaskRead, safetyAcknowledgeSafetyTask } from '../../api/generated';
import { FormAlert } from '../../components/FormAlert';
import { PageHeading } from '../../components/PageHeading';
import { Empty, ErrorState, Loading } from '../../components/States';
import { useFormErrors } from '../../components/useFormErrors';
import { usePageTitle } from '../../components/usePageTitle';
import { type MessageKey, useI18n } from '../../i18n';
import { useLocalizedError } from '../../i18n/problems';
import { Pagination } from '../patient/Pagination';
import { inboxOrder, type SafetyFilter, safetyTasksQuery } from './queries';

const FILTERS: ReadonlyArray<readonly [SafetyFilter, MessageKey]> = [
  ['open', 'safety.filter.open'],
  ['acknowledged', 'safety.filter.acknowledged'],
  ['all', 'safety.filter.all'],
];

const KINDS: Record<string, MessageKey> = {
  phq9_item9: 'safety.kind.phq9_item9',
  intake_suicidal_ideation: 'safety.kind.intake_suicidal_ideation',
};

const browserZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

function when(iso: string, language: string): string {
  return new Intl.DateTimeFormat(language, {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone: browserZone(),
  }).format(new Date(iso));
}

/** Safety tasks routed to me: thoughts of self-harm (PHQ-9 item 9) first, then the rest. */
export function SafetyInboxPage() {
  const { t } = useI18n();
  usePageTitle(t('safety.title'));
  const [filter, setFilter] = useState<SafetyFilter>('open');
  const [page, setPage] = useState(1);
  const tasks = useQuery(safetyTasksQuery(filter, page));
  return (
    <section>
      <PageHeading>{t('safety.title')}</PageHeading>
      <fieldset className="choices inline">
        <legend>{t('safety.filter')}</legend>
        {FILTERS.map(([value, label]) => (
          <label key={value} className="choice-inline">
            <input
              type="radio"
              name="safety-filter"
              value={value}
              checked={filter === value}
              onChange={() => {
                setFilter(value);
                setPage(1);
              }}
            />{' '}
            {t(label)}
          </label>
        ))}
      </fieldset>
      {tasks.isPending ? (
        <Loading />
      ) : tasks.isError ? (
        <ErrorState error={tasks.error} onRetry={() => void tasks.refetch()} />
      ) : tasks.data.items.length === 0 ? (
        <Empty>{filter === 'open' ? t('safety.emptyOpen') : t('safety.empty')}</Empty>
      ) : (
        <>
          <ol className="list safety-inbox" aria-label={t('safety.listLabel')}>
            {inboxOrder(tasks.data.items).map((task) => (
              <li key={task.id}>
                <SafetyTaskCard task={task} />
              </li>
            ))}
          </ol>
          <Pagination
            page={page}
            limit={tasks.data.limit}
            total={tasks.data.total}
            onPage={setPage}
            label={t('safety.pages')}
          />
        </>
      )}
    </section>
  );
}

/** What triggered the task, in words: "Item 9 answered 2 of 3; total 19 of 27". */
function triggerText(task: SafetyTaskRead, t: ReturnType<typeof useI18n>['t']): string | null {
  const detail = task.detail as { total?: unknown; items?: unknown; scale?: unknown };
  const items = typeof detail.items === 'object' && detail.items !== null ? detail.items : {};
  const item9 = (items as Record<string, unknown>)['9'];
  const parts: string[] = [];
  if (typeof item9 === 'number') parts.push(t('safety.item9Answer', { value: item9 }));
  if (typeof detail.total === 'number') parts.push(t('safety.total', { total: detail.total }));
  return parts.length > 0 ? parts.join(' · ') : null;
}

export function SafetyTaskCard({ task, level = 2 }: { task: SafetyTaskRead; level?: 2 | 3 }) {
  const { t, language } = useI18n();
  const Heading = level === 3 ? 'h3' : 'h2';
  const titleId = useId();
  const kind = KINDS[task.kind];
  const trigger = triggerText(task, t);
  const urgent = task.kind === 'phq9_item9';
  return (
    <article
      className={urgent ? 'entry urgent' : 'entry'}
      aria-labelledby={titleId}
      data-kind={task.kind}
    >
      <Heading id={titleId}>
        {task.patient_name}: {kind ? t(kind) : task.kind}{' '}
        {task.status === 'open' && task.overdue ? (
          <span className="badge danger">{t('safety.overdue')}</span>
        ) : null}
        {task.status === 'acknowledged' ? (
          <span className="badge ok">{t('safety.acknowledged')}</span>
        ) : null}
      </Heading>
      {trigger ? <p>{trigger}</p> : null}
      <p className="muted">
        {t('safety.opened', { time: when(task.created_at, language) })}
        {task.status === 'open'
          ? ` · ${t('safety.due', { time: when(task.due_at, language) })}`
          : ''}
      </p>
      <p>
        {task.patient_phone ? (
          <a href={`tel:${task.patient_phone}`}>
            {t('safety.call', { phone: task.patient_phone })}
          </a>
        ) : (
          t('safety.noPhone')
        )}{' '}
        · <Link to={`/my-patients/${task.patient_id}`}>{t('safety.openChart')}</Link>
      </p>
      {task.status === 'acknowledged' ? (
        <p>
          {t('safety.acknowledgedNote', {
            time: task.acknowledged_at ? when(task.acknowledged_at, language) : '',
            note: task.acknowledgement_note ?? '',
          })}
        </p>
      ) : (
        <AcknowledgeForm task={task} />
      )}
    </article>
  );
}

const ACK_FIELDS = ['note'] as const;

function AcknowledgeForm({ task }: { task: SafetyTaskRead }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const noteId = useId();
  const [note, setNote] = useState('');
  const ack = useMutation({
    mutationFn: async () =>
      (await safetyAcknowledgeSafetyTask({ path: { task_id: task.id }, body: { note } })).data,
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['safety-tasks'] });
      void queryClient.invalidateQueries({ queryKey: ['chart', task.patient_id, 'safety'] });
    },
  });
  const errors = useFormErrors(useLocalizedError(ack.error), ACK_FIELDS);
  return (
    <form
      className="form"
      onSubmit={(event) => {
        event.preventDefault();
        ack.mutate();
      }}
    >
      <FormAlert error={errors.apiError} messages={errors.form} />
      <div className="field">
        <label htmlFor={noteId}>{t('safety.note')}</label>
        <textarea
          id={noteId}
          required
          rows={3}
          value={note}
          onChange={(e) => setNote(e.target.value)}
          aria-invalid={errors.fields.note ? true : undefined}
          aria-describedby={errors.fields.note ? `${noteId}-error` : `${noteId}-hint`}
        />
        <p className="hint" id={`${noteId}-hint`}>
          {t('safety.noteHint')}
        </p>
        {errors.fields.note ? (
          <p className="field-error" id={`${noteId}-error`}>
            {errors.fields.note}
          </p>
        ) : null}
      </div>
      <button type="submit" className="button primary" disabled={ack.isPending}>
        {ack.isPending ? t('form.working') : t('safety.acknowledge')}
      </button>
    </form>
  );
}

export default SafetyInboxPage;
