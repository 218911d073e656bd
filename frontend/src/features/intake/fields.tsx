import { type ReactNode, useId } from 'react';
import { useI18n } from '../../i18n';

/** A yes/no question as two radio buttons in a fieldset (unanswered until one is picked). */
export function YesNo({
  legend,
  hint,
  value,
  onChange,
  error,
}: {
  legend: string;
  hint?: string | undefined;
  value: boolean | null | undefined;
  onChange: (value: boolean) => void;
  error?: string | undefined;
}) {
  const { t } = useI18n();
  const id = useId();
  const described = [hint ? `${id}-hint` : null, error ? `${id}-error` : null]
    .filter(Boolean)
    .join(' ');
  return (
    <fieldset
      className={error ? 'question field-invalid' : 'question'}
      aria-describedby={described || undefined}
    >
      <legend>{legend}</legend>
      {hint ? (
        <p className="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
      <div className="answer-options inline">
        {[true, false].map((option) => (
          <label key={String(option)} className="answer">
            <input
              type="radio"
              name={id}
              checked={value === option}
              aria-invalid={error ? true : undefined}
              onChange={() => onChange(option)}
            />
            <span>{option ? t('form.yes') : t('form.no')}</span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}

/** Several choices from a fixed list, as checkboxes; none ticked is an answer too ("none"). */
export function CheckboxGroup<V extends string>({
  legend,
  hint,
  options,
  value,
  onChange,
  error,
}: {
  legend: string;
  hint?: string | undefined;
  options: ReadonlyArray<readonly [value: V, label: string]>;
  value: readonly V[];
  onChange: (value: V[]) => void;
  error?: string | undefined;
}) {
  const id = useId();
  const described = [hint ? `${id}-hint` : null, error ? `${id}-error` : null]
    .filter(Boolean)
    .join(' ');
  return (
    <fieldset
      className={error ? 'question field-invalid' : 'question'}
      aria-describedby={described || undefined}
    >
      <legend>{legend}</legend>
      {hint ? (
        <p className="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
      <div className="answer-options">
        {options.map(([option, label]) => (
          <label key={option} className="answer">
            <input
              type="checkbox"
              checked={value.includes(option)}
              aria-invalid={error ? true : undefined}
              onChange={(e) =>
                onChange(e.target.checked ? [...value, option] : value.filter((v) => v !== option))
              }
            />
            <span>{label}</span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}

/** A labelled multi-line text box. */
export function TextArea({
  label,
  hint,
  value,
  onChange,
  error,
  maxLength,
}: {
  label: string;
  hint?: string | undefined;
  value: string;
  onChange: (value: string) => void;
  error?: string | undefined;
  maxLength?: number;
}) {
  const id = useId();
  const described = [hint ? `${id}-hint` : null, error ? `${id}-error` : null]
    .filter(Boolean)
    .join(' ');
  return (
    <div className={error ? 'field field-invalid' : 'field'}>
      <label htmlFor={id}>{label}</label>
      {hint ? (
        <p className="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      <textarea
        id={id}
        rows={3}
        maxLength={maxLength}
        value={value}
        aria-invalid={error ? true : undefined}
        aria-describedby={described || undefined}
        onChange={(e) => onChange(e.target.value)}
      />
      {error ? (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** A list of small records (medications, allergies, past antidepressants): add and remove rows. */
export function Rows<T>({
  legend,
  hint,
  rows,
  onChange,
  blank,
  render,
  addLabel,
  removeLabel,
  error,
}: {
  legend: string;
  hint?: string | undefined;
  rows: T[];
  onChange: (rows: T[]) => void;
  blank: () => T;
  render: (row: T, update: (row: T) => void, index: number) => ReactNode;
  addLabel: string;
  removeLabel: (index: number) => string;
  error?: string | undefined;
}) {
  const id = useId();
  return (
    <fieldset className={error ? 'question field-invalid' : 'question'}>
      <legend>{legend}</legend>
      {hint ? <p className="field-hint">{hint}</p> : null}
      {error ? (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
      {rows.map((row, index) => (
        // Rows have no identity of their own until saved; their position is their key.
        // biome-ignore lint/suspicious/noArrayIndexKey: position is the identity here
        <div key={index} className="row-editor">
          {render(row, (next) => onChange(rows.map((r, i) => (i === index ? next : r))), index)}
          <button
            type="button"
            className="button secondary small"
            onClick={() => onChange(rows.filter((_, i) => i !== index))}
          >
            {removeLabel(index)}
          </button>
        </div>
      ))}
      <button
        type="button"
        className="button secondary small"
        onClick={() => onChange([...rows, blank()])}
      >
        {addLabel}
      </button>
    </fieldset>
  );
}
