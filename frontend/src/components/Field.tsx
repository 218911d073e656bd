import {
  type InputHTMLAttributes,
  type ReactNode,
  type SelectHTMLAttributes,
  type TextareaHTMLAttributes,
  useId,
} from 'react';

interface FieldShell {
  label: string;
  error?: string | undefined;
  hint?: string | undefined;
}

/** What the shell hands its control: its id and the hint and error it is described by. */
interface ControlProps {
  id: string;
  'aria-invalid': true | undefined;
  'aria-describedby': string | undefined;
}

function describedBy(hintId: string, errorId: string, hint?: string, error?: string) {
  const ids = [hint ? hintId : null, error ? errorId : null].filter(Boolean);
  return ids.length > 0 ? ids.join(' ') : undefined;
}

/** The label, hint and error around one control, with the ids that tie them together. */
function FieldFrame({
  label,
  error,
  hint,
  id,
  control,
}: FieldShell & { id: string | undefined; control: (props: ControlProps) => ReactNode }) {
  const autoId = useId();
  const controlId = id ?? autoId;
  const hintId = `${controlId}-hint`;
  const errorId = `${controlId}-error`;
  return (
    <div className={error ? 'field field-invalid' : 'field'}>
      <label htmlFor={controlId}>{label}</label>
      {hint ? (
        <p className="field-hint" id={hintId}>
          {hint}
        </p>
      ) : null}
      {control({
        id: controlId,
        'aria-invalid': error ? true : undefined,
        'aria-describedby': describedBy(hintId, errorId, hint, error),
      })}
      {error ? (
        <p className="field-error" id={errorId}>
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** A labelled input whose hint and error are announced with it (aria-describedby). */
export function TextField({
  label,
  error,
  hint,
  id,
  ...input
}: FieldShell & InputHTMLAttributes<HTMLInputElement>) {
  return (
    <FieldFrame
      label={label}
      error={error}
      hint={hint}
      id={id}
      control={(control) => <input {...control} {...input} />}
    />
  );
}

/** A labelled textarea, with the same hint and error wiring as TextField. */
export function TextAreaField({
  label,
  error,
  hint,
  id,
  ...textarea
}: FieldShell & TextareaHTMLAttributes<HTMLTextAreaElement>) {
  return (
    <FieldFrame
      label={label}
      error={error}
      hint={hint}
      id={id}
      control={(control) => <textarea {...control} {...textarea} />}
    />
  );
}

export function SelectField({
  label,
  error,
  hint,
  id,
  children,
  ...select
}: FieldShell & SelectHTMLAttributes<HTMLSelectElement> & { children: ReactNode }) {
  return (
    <FieldFrame
      label={label}
      error={error}
      hint={hint}
      id={id}
      control={(control) => (
        <select {...control} {...select}>
          {children}
        </select>
      )}
    />
  );
}
