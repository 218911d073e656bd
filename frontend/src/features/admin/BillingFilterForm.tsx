import { useQuery } from '@tanstack/react-query';
import { useId } from 'react';
import { useI18n } from '../../i18n';
import { visitName } from '../patient/format';
import type { BillingFilters } from './billingFilters';
import { adminPsychiatristsQuery, allVisitTypesQuery } from './queries';

/**
 * Filters shared by the payments and refunds lists. Each change applies at once (and goes to
 * the address), so there is no "apply" step to miss; the list announces its new count.
 */
export function BillingFilterForm({
  filters,
  onChange,
  statuses,
  statusLabel,
}: {
  filters: BillingFilters;
  onChange: (next: BillingFilters) => void;
  statuses: readonly string[];
  statusLabel: (status: string) => string;
}) {
  const { t, language } = useI18n();
  const id = useId();
  const psychiatrists = useQuery(adminPsychiatristsQuery);
  const visitTypes = useQuery(allVisitTypesQuery);
  const set = (patch: Partial<BillingFilters>) => onChange({ ...filters, ...patch, page: 1 });
  return (
    <form
      className="filters billing-filters"
      aria-label={t('admin.filters')}
      onSubmit={(e) => e.preventDefault()}
    >
      <div className="field">
        <label htmlFor={`${id}-from`}>{t('admin.filters.from')}</label>
        <input
          id={`${id}-from`}
          type="date"
          value={filters.from}
          onChange={(e) => set({ from: e.target.value })}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-to`}>{t('admin.filters.to')}</label>
        <input
          id={`${id}-to`}
          type="date"
          value={filters.to}
          onChange={(e) => set({ to: e.target.value })}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-psy`}>{t('admin.col.psychiatrist')}</label>
        <select
          id={`${id}-psy`}
          value={filters.psychiatrist}
          onChange={(e) => set({ psychiatrist: e.target.value })}
        >
          <option value="">{t('admin.filters.all')}</option>
          {psychiatrists.data?.map((p) => (
            <option key={p.id} value={p.id}>
              {p.display_name}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-vt`}>{t('admin.col.visitType')}</label>
        <select
          id={`${id}-vt`}
          value={filters.visitType}
          onChange={(e) => set({ visitType: e.target.value })}
        >
          <option value="">{t('admin.filters.all')}</option>
          {visitTypes.data?.map((v) => (
            <option key={v.id} value={v.id}>
              {visitName(v, language)}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-status`}>{t('admin.col.status')}</label>
        <select
          id={`${id}-status`}
          value={filters.status}
          onChange={(e) => set({ status: e.target.value })}
        >
          <option value="">{t('admin.filters.all')}</option>
          {statuses.map((s) => (
            <option key={s} value={s}>
              {statusLabel(s)}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-mode`}>{t('admin.filters.mode')}</label>
        <select
          id={`${id}-mode`}
          value={filters.mode}
          onChange={(e) => set({ mode: e.target.value })}
        >
          <option value="">{t('admin.filters.mode.both')}</option>
          <option value="live">{t('admin.filters.mode.live')}</option>
          <option value="test">{t('admin.filters.mode.test')}</option>
        </select>
      </div>
    </form>
  );
}
