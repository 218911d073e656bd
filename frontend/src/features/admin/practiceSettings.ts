import type { PracticeSettingRead, PracticeSettingsPatch } from '../../api/generated';
import type { MessageKey, Translate } from '../../i18n';
import { centsToInput, parseCents } from './money';

/** The practice settings an admin may change (what the API's PATCH body accepts). */
export type SettingKey = keyof PracticeSettingsPatch & string;
export type SectionCode = PracticeSettingRead['section'];
type UnitCode = NonNullable<PracticeSettingRead['unit']>;

export const SECTIONS: readonly SectionCode[] = [
  'cancellation',
  'booking',
  'crisis',
  'screening',
  'infusion',
  'response',
];

/** Every key the form knows, so the API's field errors land next to their fields. */
export const SETTING_KEYS = [
  'cancellation_notice_hours',
  'cancellation_fee_cents',
  'booking_hold_minutes',
  'booking_min_notice_minutes',
  'booking_horizon_days',
  'reminder_offsets_minutes',
  'crisis_line_phone',
  'crisis_resources_text',
  'crisis_resources_text_es',
  'safety_task_due_hours',
  'program_entry_phq9_min',
  'program_entry_gad7_min',
  'program_entry_pcl5_min',
  'hypertension_systolic_mmhg',
  'hypertension_diastolic_mmhg',
  'screening_min_age_years',
  'treatment_resistance_min_trials',
  'infusion_hold_systolic',
  'infusion_hold_diastolic',
  'infusion_dose_min_mg_per_kg',
  'infusion_dose_max_mg_per_kg',
  'infusion_dose_max_mg',
  'phq9_response_drop_percent',
  'phq9_remission_below',
] as const satisfies readonly SettingKey[];

export type KnownSetting = PracticeSettingRead & { key: (typeof SETTING_KEYS)[number] };

/** A setting's value as the API sends and takes it. */
export type SettingValue = PracticeSettingRead['value'];

export function isKnown(setting: PracticeSettingRead): setting is KnownSetting {
  return (SETTING_KEYS as readonly string[]).includes(setting.key);
}

export function labelKey(key: SettingKey): MessageKey {
  return `admin.settings.field.${key}`;
}

function unitKey(unit: UnitCode): MessageKey {
  return `admin.settings.unit.${unit}`;
}

/** Money is typed as an amount ("50.00") and sent in cents. */
export function isMoney(setting: PracticeSettingRead): boolean {
  return setting.unit === 'cents';
}

/** Long texts get a text area. */
export function isLongText(setting: PracticeSettingRead): boolean {
  return setting.kind === 'text' && (setting.max_length ?? 0) > 200;
}

/** A list of whole numbers (reminder offsets), typed as "1440, 60". */
export function isList(setting: PracticeSettingRead): boolean {
  return setting.kind === 'integer_list';
}

/** What an input shows for a value of this setting. */
export function toInput(setting: PracticeSettingRead, value: SettingValue): string {
  if (Array.isArray(value)) return value.join(', ');
  if (isMoney(setting) && typeof value === 'number') return centsToInput(value);
  return String(value);
}

/** "Cancellation notice (hours)": the field's label with its unit. */
export function fieldLabel(setting: KnownSetting, t: Translate): string {
  const label = t(labelKey(setting.key));
  if (isMoney(setting)) return `${label} (${t('admin.settings.unit.amount')})`;
  return setting.unit ? `${label} (${t(unitKey(setting.unit))})` : label;
}

/** A value as the reader sees it, with its unit: "24 hours", "50.00", "0.5 mg/kg". */
export function showValue(setting: PracticeSettingRead, value: SettingValue, t: Translate): string {
  if (Array.isArray(value) && value.length === 0) return t('admin.settings.none');
  const shown = toInput(setting, value);
  if (isMoney(setting) || !setting.unit) return shown;
  return `${shown} ${t(unitKey(setting.unit))}`;
}

/** The limits a value must keep, in words: "Between 0 and 336 hours." */
export function boundsText(setting: PracticeSettingRead, t: Translate): string {
  if (setting.kind === 'text') {
    return t('admin.settings.bounds.text', { max: setting.max_length ?? '' });
  }
  const unit = isMoney(setting) || !setting.unit ? '' : t(unitKey(setting.unit));
  const show = (n: number) => toInput(setting, n);
  const { minimum, maximum } = setting;
  let text: string;
  if (isList(setting) && minimum != null && maximum != null) {
    text = t('admin.settings.bounds.list', {
      count: setting.max_items ?? '',
      min: show(minimum),
      max: show(maximum),
      unit,
    });
  } else if (minimum != null && maximum != null) {
    text = t(
      setting.exclusive_minimum
        ? 'admin.settings.bounds.aboveUpTo'
        : 'admin.settings.bounds.between',
      {
        min: show(minimum),
        max: show(maximum),
        unit,
      },
    );
  } else if (minimum != null) {
    text = t(
      setting.exclusive_minimum ? 'admin.settings.bounds.above' : 'admin.settings.bounds.atLeast',
      {
        min: show(minimum),
        unit,
      },
    );
  } else {
    return '';
  }
  return text.replace(/\s+([.)])/g, '$1').replace(/\s{2,}/g, ' ');
}

export type Parsed =
  | { ok: true; value: SettingValue }
  | { ok: false; error: 'wholeNumber' | 'wholeNumbers' | 'number' | 'amount' | 'empty' };

/** What the admin typed, as the API wants it; the limits themselves are the API's to check. */
export function parseInput(setting: PracticeSettingRead, text: string): Parsed {
  const trimmed = text.trim();
  if (setting.kind === 'text') {
    return trimmed ? { ok: true, value: trimmed } : { ok: false, error: 'empty' };
  }
  if (isList(setting)) {
    // "1440, 60", "1440 60" or "1440;60"; nothing at all is an empty list.
    const parts = trimmed.split(/[\s,;]+/).filter((p) => p.length > 0);
    return parts.every((p) => /^\d+$/.test(p))
      ? { ok: true, value: parts.map((p) => Number.parseInt(p, 10)) }
      : { ok: false, error: 'wholeNumbers' };
  }
  if (isMoney(setting)) {
    const cents = parseCents(trimmed);
    return cents === null ? { ok: false, error: 'amount' } : { ok: true, value: cents };
  }
  if (setting.kind === 'integer') {
    return /^-?\d+$/.test(trimmed)
      ? { ok: true, value: Number.parseInt(trimmed, 10) }
      : { ok: false, error: 'wholeNumber' };
  }
  const value = Number(trimmed.replace(',', '.'));
  return trimmed && Number.isFinite(value) ? { ok: true, value } : { ok: false, error: 'number' };
}
