import { en } from './en';
import type { Language, MessageKey, Translate } from './index';

/**
 * Texts that arrive from the API as stable codes (a flag's rule id, a note's template, a plan's
 * indication, a consent's kind), shown in the reader's language from the dictionaries. A code
 * this app does not know yet (a rule published after this build) falls back to the server's
 * English words rather than to the bare code.
 */

function isKey(key: string): key is MessageKey {
  return Object.hasOwn(en, key);
}

function byCode(prefix: string, code: string, t: Translate, fallback: string): string {
  const key = `${prefix}${code}`;
  return isKey(key) ? t(key) : fallback;
}

/** A contraindication flag's sentence, by its rule id. */
export function flagText(flag: { rule_id: string; message: string }, t: Translate): string {
  return byCode('screening.rule.', flag.rule_id, t, flag.message);
}

/** A treatment plan's indication (`treatment_resistant_depression` → its name). */
export function indicationName(code: string, t: Translate): string {
  return byCode('treatment.indication.', code, t, code.replaceAll('_', ' '));
}

/** A note template's title, by its code; `fallback` is the server's title. */
export function templateTitle(code: string, fallback: string, t: Translate): string {
  return byCode('notes.templateTitle.', code, t, fallback);
}

export function templateDescription(code: string, fallback: string, t: Translate): string {
  return byCode('notes.templateDescription.', code, t, fallback);
}

/** A required consent, by its kind. */
export function consentName(kind: string, t: Translate): string {
  return byCode('treatment.consent.', kind, t, kind.replaceAll('_', ' '));
}

/**
 * A score's band in the reader's language: the API sends the scale version's own bilingual
 * label beside the band's code; older answers without one show the code in words.
 */
export function bandLabel(
  point: { band: string | null; band_label?: { en: string; es: string } | null },
  language: Language,
): string | null {
  if (!point.band) return null;
  return point.band_label?.[language] ?? point.band.replaceAll('_', ' ');
}
