import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import {
  type VisitTypeCreate,
  type VisitTypeRead,
  visitTypesCreateVisitType,
  visitTypesUpdateVisitType,
} from '../../api/generated';
import { SelectField, TextField } from '../../components/Field';
import { FormAlert, SuccessAlert } from '../../components/FormAlert';
import { PageHeading } from '../../components/PageHeading';
import { Empty, ErrorState, Loading } from '../../components/States';
import { useFormErrors } from '../../components/useFormErrors';
import { usePageTitle } from '../../components/usePageTitle';
import { useI18n } from '../../i18n';
import { formatMoney } from '../patient/format';
import { Dialog } from './Dialog';
import { ListRegion } from './ListRegion';
import { centsToInput, parseCents } from './money';
import { allVisitTypesQuery } from './queries';

type Eligibility = VisitTypeRead['eligibility'];

/** Visit types and their prices: add one, change one (booked visits keep their price). */
export function VisitTypesPage() {
  const { t, language } = useI18n();
  usePageTitle(t('admin.visitTypes.title'));
  const visitTypes = useQuery(allVisitTypesQuery);
  const [editing, setEditing] = useState<VisitTypeRead | 'new' | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  return (
    <section>
      <div className="page-head">
        <PageHeading>{t('admin.visitTypes.title')}</PageHeading>
      </div>
      <p className="muted">{t('admin.visitTypes.intro')}</p>
      <div className="actions">
        <button
          type="button"
          className="button primary"
          onClick={() => {
            setSaved(null);
            setEditing('new');
          }}
        >
          {t('admin.visitTypes.new')}
        </button>
      </div>
      {saved ? <SuccessAlert>{t('admin.visitTypes.saved', { name: saved })}</SuccessAlert> : null}
      {visitTypes.isPending ? (
        <Loading />
      ) : visitTypes.isError ? (
        <ErrorState error={visitTypes.error} onRetry={() => void visitTypes.refetch()} />
      ) : visitTypes.data.length === 0 ? (
        <Empty>{t('admin.visitTypes.empty')}</Empty>
      ) : (
        <ListRegion label={t('admin.visitTypes.title')}>
          <table className="table data-table">
            <thead>
              <tr>
                <th scope="col">{t('admin.visitTypes.name')}</th>
                <th scope="col">{t('admin.visitTypes.duration')}</th>
                <th scope="col">{t('admin.visitTypes.price')}</th>
                <th scope="col">{t('admin.visitTypes.eligibility')}</th>
                <th scope="col">{t('admin.col.status')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('admin.col.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {visitTypes.data.map((vt) => (
                <tr key={vt.id}>
                  <td data-label={t('admin.visitTypes.name')}>
                    {vt.name}
                    {vt.name_es ? (
                      <span className="row-note" lang="es">
                        {vt.name_es}
                      </span>
                    ) : null}
                    <code className="row-note">{vt.code}</code>
                  </td>
                  <td data-label={t('admin.visitTypes.duration')}>
                    {t('admin.minutes', { minutes: vt.duration_minutes })}
                  </td>
                  <td data-label={t('admin.visitTypes.price')}>
                    {vt.price_cents === 0
                      ? t('admin.visitTypes.free')
                      : formatMoney(vt.price_cents, vt.currency, language)}
                  </td>
                  <td data-label={t('admin.visitTypes.eligibility')}>
                    {t(`admin.eligibility.${vt.eligibility}`)}
                    {vt.is_infusion ? (
                      <span className="row-note">{t('admin.visitTypes.infusion')}</span>
                    ) : null}
                  </td>
                  <td data-label={t('admin.col.status')}>
                    <span className={vt.active ? 'badge ok' : 'badge muted'}>
                      {vt.active ? t('admin.visitTypes.active') : t('admin.visitTypes.retired')}
                    </span>
                  </td>
                  <td>
                    <button
                      type="button"
                      className="button secondary small"
                      onClick={() => {
                        setSaved(null);
                        setEditing(vt);
                      }}
                    >
                      {t('admin.edit')}
                      <span className="visually-hidden"> {vt.name}</span>
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </ListRegion>
      )}
      {editing ? (
        <VisitTypeDialog
          visitType={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={(vt) => {
            setSaved(vt.name);
            setEditing(null);
          }}
        />
      ) : null}
    </section>
  );
}

const FIELDS = [
  'code',
  'name',
  'name_es',
  'description',
  'duration_minutes',
  'price_cents',
  'currency',
  'eligibility',
] as const;

function VisitTypeDialog({
  visitType,
  onClose,
  onSaved,
}: {
  visitType: VisitTypeRead | null;
  onClose: () => void;
  onSaved: (vt: VisitTypeRead) => void;
}) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const [code, setCode] = useState(visitType?.code ?? '');
  const [name, setName] = useState(visitType?.name ?? '');
  const [nameEs, setNameEs] = useState(visitType?.name_es ?? '');
  const [description, setDescription] = useState(visitType?.description ?? '');
  const [duration, setDuration] = useState(String(visitType?.duration_minutes ?? 30));
  const [price, setPrice] = useState(visitType ? centsToInput(visitType.price_cents) : '');
  const [eligibility, setEligibility] = useState<Eligibility>(visitType?.eligibility ?? 'any');
  const [isInfusion, setIsInfusion] = useState(visitType?.is_infusion ?? false);
  const [requiresIntake, setRequiresIntake] = useState(visitType?.requires_intake ?? true);
  const [requiresConsents, setRequiresConsents] = useState(visitType?.requires_consents ?? true);
  const [active, setActive] = useState(visitType?.active ?? true);
  const [priceError, setPriceError] = useState<string | null>(null);

  const save = useMutation({
    mutationFn: async (priceCents: number) => {
      const body = {
        name: name.trim(),
        name_es: nameEs.trim() || null,
        description: description.trim(),
        duration_minutes: Number.parseInt(duration, 10),
        price_cents: priceCents,
        eligibility,
        is_infusion: isInfusion,
        requires_intake: requiresIntake,
        requires_consents: requiresConsents,
        active,
      };
      if (visitType) {
        return (await visitTypesUpdateVisitType({ path: { visit_type_id: visitType.id }, body }))
          .data;
      }
      const created: VisitTypeCreate = { ...body, code: code.trim() };
      return (await visitTypesCreateVisitType({ body: created })).data;
    },
    onSuccess: (vt) => {
      void queryClient.invalidateQueries({ queryKey: ['admin', 'visit-types'] });
      void queryClient.invalidateQueries({ queryKey: ['visit-types'] });
      onSaved(vt);
    },
  });
  const errors = useFormErrors(save.error, FIELDS);

  return (
    <Dialog
      title={
        visitType
          ? t('admin.visitTypes.editTitle', { name: visitType.name })
          : t('admin.visitTypes.new')
      }
      description={visitType ? <p>{t('admin.visitTypes.priceNote')}</p> : undefined}
      onClose={onClose}
    >
      <form
        className="form"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          const cents = parseCents(price);
          if (cents === null) {
            setPriceError(t('admin.visitTypes.priceInvalid'));
            return;
          }
          setPriceError(null);
          save.mutate(cents);
        }}
      >
        <FormAlert error={errors.apiError} messages={errors.form} />
        {visitType ? null : (
          <TextField
            label={t('admin.visitTypes.code')}
            hint={t('admin.visitTypes.codeHint')}
            value={code}
            required
            autoComplete="off"
            error={errors.fields.code}
            onChange={(e) => setCode(e.target.value)}
          />
        )}
        <TextField
          label={t('admin.visitTypes.name')}
          value={name}
          required
          error={errors.fields.name}
          onChange={(e) => setName(e.target.value)}
        />
        <TextField
          label={t('admin.visitTypes.nameEs')}
          value={nameEs}
          lang="es"
          error={errors.fields.name_es}
          onChange={(e) => setNameEs(e.target.value)}
        />
        <TextField
          label={t('admin.visitTypes.description')}
          value={description}
          error={errors.fields.description}
          onChange={(e) => setDescription(e.target.value)}
        />
        <TextField
          label={t('admin.visitTypes.durationLabel')}
          type="number"
          min={5}
          step={5}
          value={duration}
          required
          error={errors.fields.duration_minutes}
          onChange={(e) => setDuration(e.target.value)}
        />
        <TextField
          label={t('admin.visitTypes.priceLabel', {
            currency: (visitType?.currency ?? 'usd').toUpperCase(),
          })}
          hint={t('admin.visitTypes.priceHint')}
          inputMode="decimal"
          value={price}
          required
          error={priceError ?? errors.fields.price_cents}
          onChange={(e) => setPrice(e.target.value)}
        />
        <SelectField
          label={t('admin.visitTypes.eligibility')}
          value={eligibility}
          error={errors.fields.eligibility}
          onChange={(e) => setEligibility(e.target.value as Eligibility)}
        >
          <option value="any">{t('admin.eligibility.any')}</option>
          <option value="new">{t('admin.eligibility.new')}</option>
          <option value="established">{t('admin.eligibility.established')}</option>
        </SelectField>
        <fieldset>
          <legend>{t('admin.visitTypes.options')}</legend>
          {(
            [
              [isInfusion, setIsInfusion, 'admin.visitTypes.infusion'],
              [requiresIntake, setRequiresIntake, 'admin.visitTypes.requiresIntake'],
              [requiresConsents, setRequiresConsents, 'admin.visitTypes.requiresConsents'],
              [active, setActive, 'admin.visitTypes.bookable'],
            ] as const
          ).map(([value, setter, label]) => (
            <label key={label} className="checkbox">
              <input type="checkbox" checked={value} onChange={(e) => setter(e.target.checked)} />{' '}
              {t(label)}
            </label>
          ))}
        </fieldset>
        <div className="actions">
          <button type="submit" className="button primary" disabled={save.isPending}>
            {save.isPending ? t('form.working') : t('admin.save')}
          </button>
          <button type="button" className="button secondary" onClick={onClose}>
            {t('admin.cancel')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

export default VisitTypesPage;
