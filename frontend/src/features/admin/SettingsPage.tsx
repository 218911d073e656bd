import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import {
  type PracticeSettingsPatch,
  type PracticeSettingsRead,
  practiceUpdatePracticeSettings,
} from '../../api/generated';
import { practiceQuery } from '../../api/queries';
import { FormAlert, SuccessAlert } from '../../components/FormAlert';
import { PageHeading } from '../../components/PageHeading';
import { ErrorState, Loading } from '../../components/States';
import { useFormErrors } from '../../components/useFormErrors';
import { usePageTitle } from '../../components/usePageTitle';
import { type Language, type Translate, useI18n } from '../../i18n';
import { formatDateTimeIn } from '../patient/format';
import {
  boundsText,
  fieldLabel,
  isKnown,
  isList,
  isLongText,
  isMoney,
  type KnownSetting,
  type Parsed,
  parseInput,
  SECTIONS,
  SETTING_KEYS,
  type SectionCode,
  type SettingKey,
  type SettingValue,
  showValue,
  toInput,
} from './practiceSettings';
import { practiceSettingsKey, practiceSettingsQuery } from './queries';

type Inputs = Partial<Record<SettingKey, string>>;
type Outcome = { kind: 'saved' } | { kind: 'reset'; key: SettingKey } | { kind: 'unchanged' };

const LOCAL_ERRORS = {
  wholeNumber: 'admin.settings.invalid.wholeNumber',
  wholeNumbers: 'admin.settings.invalid.wholeNumbers',
  number: 'admin.settings.invalid.number',
  amount: 'admin.settings.invalid.amount',
  empty: 'admin.settings.invalid.empty',
} as const;

function inputsFrom(data: PracticeSettingsRead): Inputs {
  const out: Inputs = {};
  for (const s of data.settings) if (isKnown(s)) out[s.key] = toInput(s, s.value);
  return out;
}

/**
 * Practice settings: the cancellation policy, booking, crisis resources and clinical thresholds
 * the practice uses. The API's environment gives each one its default; what an admin saves here
 * replaces it (for every API instance and the worker) until it is reset.
 */
export function SettingsPage() {
  const { t } = useI18n();
  usePageTitle(t('admin.settings.title'));
  const settings = useQuery(practiceSettingsQuery);
  const practice = useQuery(practiceQuery);
  return (
    <section>
      <div className="page-head">
        <PageHeading>{t('admin.settings.title')}</PageHeading>
      </div>
      <p className="muted">{t('admin.settings.intro')}</p>
      {settings.isPending ? (
        <Loading />
      ) : settings.isError ? (
        <ErrorState error={settings.error} onRetry={() => void settings.refetch()} />
      ) : (
        <SettingsForm data={settings.data} />
      )}
      {practice.data ? (
        <section className="card" aria-labelledby="practice-heading">
          <h2 id="practice-heading">{t('admin.settings.practice')}</h2>
          <dl className="facts">
            <dt>{t('admin.settings.name')}</dt>
            <dd>{practice.data.name}</dd>
            <dt>{t('admin.settings.environment')}</dt>
            <dd>{practice.data.environment}</dd>
          </dl>
          <p className="muted">{t('admin.settings.fromEnvironment')}</p>
        </section>
      ) : null}
    </section>
  );
}

function SettingsForm({ data }: { data: PracticeSettingsRead }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const [inputs, setInputs] = useState<Inputs>(() => inputsFrom(data));
  const [localErrors, setLocalErrors] = useState<Partial<Record<SettingKey, string>>>({});
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const known = data.settings.filter(isKnown);

  const save = useMutation({
    mutationFn: async ({ body }: { body: PracticeSettingsPatch; outcome: Outcome }) =>
      (await practiceUpdatePracticeSettings({ body })).data,
    onSuccess: (fresh, { body, outcome: done }) => {
      queryClient.setQueryData(practiceSettingsKey, fresh);
      // The crisis texts show on the home page too.
      void queryClient.invalidateQueries({ queryKey: practiceQuery.queryKey });
      const saved = inputsFrom(fresh);
      setInputs((now) => {
        const next = { ...now };
        for (const key of Object.keys(body) as SettingKey[]) next[key] = saved[key];
        return next;
      });
      setOutcome(done);
    },
  });
  const errors = useFormErrors(save.error, SETTING_KEYS);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setOutcome(null);
    const body: Record<string, SettingValue> = {};
    const found: Partial<Record<SettingKey, string>> = {};
    for (const s of known) {
      const text = inputs[s.key] ?? '';
      if (text === toInput(s, s.value)) continue;
      const parsed: Parsed = parseInput(s, text);
      if (parsed.ok) body[s.key] = parsed.value;
      else found[s.key] = t(LOCAL_ERRORS[parsed.error]);
    }
    setLocalErrors(found);
    if (Object.keys(found).length > 0) {
      save.reset();
      // Focus the first field refused here, as the form alert does for the API's errors.
      const first = known.find((s) => found[s.key]);
      if (first) document.getElementById(`setting-${first.key}`)?.focus();
      return;
    }
    if (Object.keys(body).length === 0) {
      save.reset();
      setOutcome({ kind: 'unchanged' });
      return;
    }
    save.mutate({ body: body as PracticeSettingsPatch, outcome: { kind: 'saved' } });
  };

  const resetOne = (key: SettingKey) => {
    setOutcome(null);
    setLocalErrors({});
    save.mutate({
      body: { [key]: null } as PracticeSettingsPatch,
      outcome: { kind: 'reset', key },
    });
  };

  const bySection = (section: SectionCode) => known.filter((s) => s.section === section);
  const resetSetting =
    outcome?.kind === 'reset' ? known.find((s) => s.key === outcome.key) : undefined;

  return (
    <form className="form settings-form" noValidate onSubmit={submit}>
      <FormAlert error={errors.apiError} messages={errors.form} />
      {SECTIONS.map((section) =>
        bySection(section).length > 0 ? (
          <fieldset key={section} className="card settings-section">
            <legend>
              <h2>{t(`admin.settings.section.${section}`)}</h2>
            </legend>
            <p className="muted">{t(`admin.settings.section.${section}.intro`)}</p>
            {bySection(section).map((s) => (
              <SettingField
                key={s.key}
                setting={s}
                value={inputs[s.key] ?? ''}
                error={localErrors[s.key] ?? errors.fields[s.key]}
                busy={save.isPending}
                notice={
                  resetSetting?.key === s.key
                    ? t('admin.settings.resetDone', { name: fieldLabel(s, t) })
                    : undefined
                }
                onChange={(text) => setInputs((now) => ({ ...now, [s.key]: text }))}
                onReset={() => resetOne(s.key)}
              />
            ))}
          </fieldset>
        ) : null,
      )}
      {/* Next to the button that was pressed, where the admin is looking. */}
      {outcome?.kind === 'saved' ? (
        <SuccessAlert>
          <p>{t('admin.settings.saved')}</p>
        </SuccessAlert>
      ) : null}
      {outcome?.kind === 'unchanged' ? (
        <p className="state" role="status">
          {t('admin.settings.nothingChanged')}
        </p>
      ) : null}
      <div className="actions">
        <button type="submit" className="button primary" disabled={save.isPending}>
          {save.isPending ? t('form.working') : t('admin.settings.save')}
        </button>
      </div>
    </form>
  );
}

function changedLine(setting: KnownSetting, t: Translate, language: Language): string | null {
  const change = setting.changed;
  if (!change) return null;
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const params = {
    name: change.name ?? t('admin.settings.someone'),
    when: formatDateTimeIn(change.at, zone, language),
  };
  return setting.overridden
    ? t('admin.settings.changedBy', params)
    : t('admin.settings.resetBy', params);
}

function SettingField({
  setting,
  value,
  error,
  busy,
  notice,
  onChange,
  onReset,
}: {
  setting: KnownSetting;
  value: string;
  error: string | undefined;
  busy: boolean;
  notice: string | undefined;
  onChange: (text: string) => void;
  onReset: () => void;
}) {
  const { t, language } = useI18n();
  const id = `setting-${setting.key}`;
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const label = fieldLabel(setting, t);
  const described = [hintId, error ? errorId : null].filter(Boolean).join(' ');
  const changed = changedLine(setting, t, language);
  const textLang =
    setting.key === 'crisis_resources_text_es'
      ? 'es'
      : setting.key === 'crisis_resources_text'
        ? 'en'
        : undefined;
  const common = {
    id,
    value,
    'aria-invalid': error ? true : undefined,
    'aria-describedby': described,
    lang: textLang,
    onChange: (e: { target: { value: string } }) => onChange(e.target.value),
  };
  return (
    <div className={error ? 'field field-invalid setting' : 'field setting'}>
      <label htmlFor={id}>{label}</label>
      <div className="field-hint setting-hint" id={hintId}>
        <p>{boundsText(setting, t)}</p>
        {setting.kind === 'text' && isLongText(setting) ? null : (
          <p>{t('admin.settings.default', { value: showValue(setting, setting.default, t) })}</p>
        )}
        {setting.key === 'reminder_offsets_minutes' ? (
          <p>{t('admin.settings.hint.reminder_offsets_minutes')}</p>
        ) : null}
        {changed ? <p>{changed}</p> : null}
      </div>
      {isLongText(setting) ? (
        <textarea rows={4} maxLength={setting.max_length ?? undefined} {...common} />
      ) : setting.kind === 'text' ? (
        <input
          type="text"
          maxLength={setting.max_length ?? undefined}
          autoComplete="off"
          {...common}
        />
      ) : isList(setting) ? (
        <input type="text" className="setting-list" autoComplete="off" {...common} />
      ) : isMoney(setting) ? (
        <input type="text" inputMode="decimal" autoComplete="off" {...common} />
      ) : (
        <input
          type="number"
          inputMode={setting.kind === 'integer' ? 'numeric' : 'decimal'}
          step={setting.kind === 'integer' ? 1 : 'any'}
          min={setting.exclusive_minimum ? undefined : (setting.minimum ?? undefined)}
          max={setting.maximum ?? undefined}
          {...common}
        />
      )}
      {error ? (
        <p className="field-error" id={errorId}>
          {error}
        </p>
      ) : null}
      {isLongText(setting) ? (
        <details className="setting-default">
          <summary>{t('admin.settings.defaultText')}</summary>
          <p lang={textLang}>{String(setting.default)}</p>
        </details>
      ) : null}
      {notice ? (
        <SuccessAlert>
          <p>{notice}</p>
        </SuccessAlert>
      ) : null}
      {setting.overridden ? (
        <button
          type="button"
          className="button secondary small"
          // Which field it resets, for screen readers; starts with the visible words.
          aria-label={`${t('admin.settings.reset')}: ${label}`}
          disabled={busy}
          onClick={onReset}
        >
          {t('admin.settings.reset')}
        </button>
      ) : null}
    </div>
  );
}

export default SettingsPage;
