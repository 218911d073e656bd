/**
 * The billing codes this practice uses and common diagnoses, for pickers. The API validates
 * every code (and has no endpoint listing them): these lists only save typing.
 */
export const CPT_CODES: ReadonlyArray<readonly [code: string, description: string]> = [
  ['90791', 'Psychiatric diagnostic evaluation, no medical services'],
  ['90792', 'Psychiatric diagnostic evaluation with medical services'],
  ['99202', 'New patient visit, straightforward'],
  ['99203', 'New patient visit, low complexity'],
  ['99204', 'New patient visit, moderate complexity'],
  ['99205', 'New patient visit, high complexity'],
  ['99212', 'Established patient visit, straightforward'],
  ['99213', 'Established patient visit, low complexity'],
  ['99214', 'Established patient visit, moderate complexity'],
  ['99215', 'Established patient visit, high complexity'],
  ['90833', 'Psychotherapy add-on with E/M, 16+ minutes'],
  ['90836', 'Psychotherapy add-on with E/M, 38+ minutes'],
  ['90838', 'Psychotherapy add-on with E/M, 53+ minutes'],
  ['90785', 'Interactive complexity add-on'],
];

export const COMMON_ICD10: ReadonlyArray<readonly [code: string, description: string]> = [
  ['F32.2', 'Major depressive disorder, single episode, severe without psychotic features'],
  ['F33.1', 'Major depressive disorder, recurrent, moderate'],
  ['F33.2', 'Major depressive disorder, recurrent, severe without psychotic features'],
  ['F41.1', 'Generalized anxiety disorder'],
  ['F43.10', 'Post-traumatic stress disorder, unspecified'],
  ['F42.2', 'Mixed obsessional thoughts and acts'],
  ['M79.7', 'Fibromyalgia'],
  ['G90.50', 'Complex regional pain syndrome I, unspecified'],
];

const ICD10 = /^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$/;

/** "f332" → "F33.2"; null while it is not (yet) a well-formed ICD-10-CM code. */
export function normaliseIcd10(code: string): string | null {
  let raw = code.trim().toUpperCase();
  if (!raw.includes('.') && raw.length > 3) raw = `${raw.slice(0, 3)}.${raw.slice(3)}`;
  return ICD10.test(raw) ? raw : null;
}
