import { useQuery } from '@tanstack/react-query';
import { useEffect, useId, useState } from 'react';
import { useSearchParams } from 'react-router';
import { PageHeading } from '../../components/PageHeading';
import { ErrorState, Loading } from '../../components/States';
import { usePageTitle } from '../../components/usePageTitle';
import { useI18n } from '../../i18n';
import {
  type AuditFilters,
  buildAuditQuery,
  COMMON_ACTIONS,
  isUuid,
  readAuditFilters,
  writeAuditFilters,
} from './auditFilters';
import { PagedList } from './PagedList';
import { auditChainQuery, auditQuery } from './queries';

/** The audit log, newest first, with filters in the address, and the hash chain's health. */
export function AuditPage() {
  const { t } = useI18n();
  usePageTitle(t('admin.audit.title'));
  const [params, setParams] = useSearchParams();
  const filters = readAuditFilters(params);
  const entries = useQuery(auditQuery(buildAuditQuery(filters)));
  const apply = (next: AuditFilters) => setParams(writeAuditFilters(next));

  return (
    <section>
      <div className="page-head">
        <PageHeading>{t('admin.audit.title')}</PageHeading>
      </div>
      <p className="muted">{t('admin.audit.intro')}</p>
      <ChainStatusCard />
      <AuditFilterForm filters={filters} onApply={apply} />
      <PagedList
        query={entries}
        label={t('admin.audit.title')}
        empty={t('admin.audit.empty')}
        count={(total) => t('admin.audit.count', { total })}
        page={filters.page}
        onPage={(page) => apply({ ...filters, page })}
        pagesLabel={t('admin.audit.pages')}
      >
        {(items) => (
          <table className="table data-table audit-table">
            <thead>
              <tr>
                <th scope="col">{t('admin.audit.at')}</th>
                <th scope="col">{t('admin.audit.action')}</th>
                <th scope="col">{t('admin.audit.actor')}</th>
                <th scope="col">{t('admin.col.patient')}</th>
                <th scope="col">{t('admin.audit.subject')}</th>
                <th scope="col">{t('admin.audit.detail')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((entry) => (
                <tr key={entry.id}>
                  <td data-label={t('admin.audit.at')}>
                    <time dateTime={entry.at}>{new Date(entry.at).toLocaleString()}</time>
                  </td>
                  <td data-label={t('admin.audit.action')}>
                    <code>{entry.action}</code>
                  </td>
                  <td data-label={t('admin.audit.actor')}>
                    {entry.actor_id ? (
                      <button
                        type="button"
                        className="link-button"
                        onClick={() => apply({ ...filters, actor: entry.actor_id ?? '', page: 1 })}
                      >
                        <span className="visually-hidden">{t('admin.audit.filterActor')} </span>
                        {entry.actor_role ? `${entry.actor_role} ` : ''}
                        <code>{entry.actor_id.slice(0, 8)}</code>
                      </button>
                    ) : (
                      (entry.actor_role ?? t('admin.audit.system'))
                    )}
                    {entry.ip ? <span className="row-note">{entry.ip}</span> : null}
                  </td>
                  <td data-label={t('admin.col.patient')}>
                    {entry.patient_id ? (
                      <button
                        type="button"
                        className="link-button"
                        onClick={() =>
                          apply({ ...filters, patient: entry.patient_id ?? '', page: 1 })
                        }
                      >
                        <span className="visually-hidden">{t('admin.audit.filterPatient')} </span>
                        <code>{entry.patient_id.slice(0, 8)}</code>
                      </button>
                    ) : (
                      '—'
                    )}
                  </td>
                  <td data-label={t('admin.audit.subject')}>
                    {entry.subject_type}
                    {entry.subject_id ? <code className="row-note">{entry.subject_id}</code> : null}
                  </td>
                  <td data-label={t('admin.audit.detail')}>
                    {Object.keys(entry.detail).length > 0 ? (
                      <details>
                        <summary>{t('admin.audit.showDetail')}</summary>
                        <pre className="audit-detail">{JSON.stringify(entry.detail, null, 2)}</pre>
                      </details>
                    ) : (
                      '—'
                    )}
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

function AuditFilterForm({
  filters,
  onApply,
}: {
  filters: AuditFilters;
  onApply: (next: AuditFilters) => void;
}) {
  const { t } = useI18n();
  const id = useId();
  const [draft, setDraft] = useState(filters);
  const [invalid, setInvalid] = useState<{ actor?: boolean; patient?: boolean }>({});
  // The address is the truth: following a link or "filter by this actor" updates the form.
  const key = writeAuditFilters(filters).toString();
  // biome-ignore lint/correctness/useExhaustiveDependencies: resync only when the address changes
  useEffect(() => setDraft(filters), [key]);

  const field = (name: 'action' | 'actor' | 'patient' | 'since' | 'until') => ({
    id: `${id}-${name}`,
    value: draft[name],
    onChange: (e: { target: { value: string } }) => setDraft({ ...draft, [name]: e.target.value }),
  });

  return (
    <form
      className="filters audit-filters"
      aria-label={t('admin.filters')}
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        const bad = {
          actor: draft.actor.trim() !== '' && !isUuid(draft.actor),
          patient: draft.patient.trim() !== '' && !isUuid(draft.patient),
        };
        setInvalid(bad);
        if (bad.actor || bad.patient) {
          document.getElementById(`${id}-${bad.actor ? 'actor' : 'patient'}`)?.focus();
          return;
        }
        onApply({ ...draft, page: 1 });
      }}
    >
      <div className="field">
        <label htmlFor={`${id}-action`}>{t('admin.audit.action')}</label>
        <input list={`${id}-actions`} autoComplete="off" {...field('action')} />
        <datalist id={`${id}-actions`}>
          {COMMON_ACTIONS.map((a) => (
            <option key={a} value={a} />
          ))}
        </datalist>
      </div>
      {(['actor', 'patient'] as const).map((name) => (
        <div key={name} className={invalid[name] ? 'field field-invalid' : 'field'}>
          <label htmlFor={`${id}-${name}`}>
            {t(name === 'actor' ? 'admin.audit.actorId' : 'admin.audit.patientId')}
          </label>
          <input
            autoComplete="off"
            spellCheck={false}
            aria-invalid={invalid[name] ? true : undefined}
            aria-describedby={invalid[name] ? `${id}-${name}-error` : undefined}
            {...field(name)}
          />
          {invalid[name] ? (
            <p className="field-error" id={`${id}-${name}-error`}>
              {t('admin.audit.badId')}
            </p>
          ) : null}
        </div>
      ))}
      <div className="field">
        <label htmlFor={`${id}-since`}>{t('admin.filters.from')}</label>
        <input type="date" {...field('since')} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-until`}>{t('admin.filters.to')}</label>
        <input type="date" {...field('until')} />
      </div>
      <div className="actions">
        <button type="submit" className="button primary">
          {t('admin.filters.apply')}
        </button>
        <button
          type="button"
          className="button secondary"
          onClick={() => {
            setInvalid({});
            onApply({ action: '', actor: '', patient: '', since: '', until: '', page: 1 });
          }}
        >
          {t('admin.filters.clear')}
        </button>
      </div>
    </form>
  );
}

function ChainStatusCard() {
  const { t } = useI18n();
  const [asked, setAsked] = useState(false);
  const chain = useQuery({ ...auditChainQuery, enabled: asked });
  return (
    <section className="card" aria-labelledby="chain-heading">
      <h2 id="chain-heading">{t('admin.audit.chain')}</h2>
      <p className="muted">{t('admin.audit.chainIntro')}</p>
      <div aria-live="polite">
        {!asked ? null : chain.isFetching ? (
          <Loading label={t('admin.audit.verifying')} />
        ) : chain.isError ? (
          <ErrorState error={chain.error} />
        ) : chain.data?.ok ? (
          <p className="badge ok">{t('admin.audit.chainOk', { checked: chain.data.checked })}</p>
        ) : chain.data ? (
          <p className="alert alert-error">
            {t('admin.audit.chainBroken', {
              checked: chain.data.checked,
              id: chain.data.first_bad_id ?? '—',
              reason: chain.data.reason ?? '',
            })}
          </p>
        ) : null}
      </div>
      <button
        type="button"
        className="button secondary"
        disabled={chain.isFetching}
        onClick={() => (asked ? void chain.refetch() : setAsked(true))}
      >
        {t('admin.audit.verify')}
      </button>
    </section>
  );
}

export default AuditPage;
