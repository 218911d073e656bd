import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState } from 'react';
import {
  type NoteRead,
  type NoteUpdate,
  notesAddNoteAddendum,
  notesExportNotePdf,
  notesPullObjectiveIntoNote,
  notesSignNote,
  notesUpdateNote,
  type VisitSummaryRead,
} from '../../api/generated';
import { ApiError } from '../../api/problem';
import { FormAlert } from '../../components/FormAlert';
import { PageHeading } from '../../components/PageHeading';
import { ErrorState, errorMessage, Loading } from '../../components/States';
import { useFormErrors } from '../../components/useFormErrors';
import { usePageTitle } from '../../components/usePageTitle';
import { type Translate, useI18n } from '../../i18n';
import { type FieldText, useLocalizedError } from '../../i18n/problems';
import { templateTitle } from '../../i18n/serverTexts';
import { Dialog } from '../admin/Dialog';
import { filenameFrom, saveBlob } from '../admin/download';
import { COMMON_ICD10, CPT_CODES, normaliseIcd10 } from './codes';
import { noteQuery } from './queries';
import { type SaveStatus, useAutosave } from './useAutosave';
import './notes.css';

type Section = 'subjective' | 'objective' | 'assessment' | 'plan';
type SummaryPart = NoteRead['summary_sections'][number];
type Modality = NoteRead['modality'];
type Place = NoteRead['place_of_service'];

const SECTIONS: readonly Section[] = ['subjective', 'objective', 'assessment', 'plan'];
const SUMMARY_PARTS: readonly SummaryPart[] = [...SECTIONS, 'diagnoses'];
const MODALITIES: readonly Modality[] = ['video', 'audio_only', 'in_person'];
const PLACES: readonly Place[] = ['10', '02', '11'];

// Why a note cannot be signed: listed without the API's field names in front.
const SIGN_FIELDS = ['assessment', 'plan', 'diagnoses'] as const;

/** Why a note cannot be signed, in the reader's words (billing rules keep the API's). */
const noteFieldText: FieldText = (error, t) => {
  if (error.code !== 'missing') return undefined;
  if (error.field === 'diagnoses') return t('notes.needsDiagnosis');
  if ((SECTIONS as readonly string[]).includes(error.field)) {
    return t('notes.missingSection', { section: t(`notes.section.${error.field as Section}`) });
  }
  return undefined;
};

/** How long after the last keystroke a draft is saved. */
export const AUTOSAVE_DELAY_MS = 1000;

function formatWhen(iso: string, language: string): string {
  return new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'short' }).format(
    new Date(iso),
  );
}

/** A visit note: an autosaving draft for its author, read-only with addenda once signed. */
export function NoteEditor({ noteId, patientName }: { noteId: string; patientName?: string }) {
  const { t } = useI18n();
  const note = useQuery(noteQuery(noteId));
  const title = note.data
    ? templateTitle(note.data.template, note.data.title, t)
    : t('notes.title');
  usePageTitle(title);
  if (note.isPending) return <Loading />;
  if (note.isError) return <ErrorState error={note.error} onRetry={() => void note.refetch()} />;
  return (
    <article className="note">
      <div className="page-head">
        <PageHeading>{title}</PageHeading>
      </div>
      {patientName ? <p className="lead">{t('notes.for', { name: patientName })}</p> : null}
      {note.data.status === 'signed' ? (
        <SignedNote note={note.data} />
      ) : (
        // Reloading after a conflict refetches the note, which remounts the editor fresh.
        <DraftEditor key={note.data.id} note={note.data} />
      )}
    </article>
  );
}

interface DiagnosisRow {
  key: number;
  code: string;
  description: string;
}

function DraftEditor({ note }: { note: NoteRead }) {
  const { t, language } = useI18n();
  const id = useId();
  const queryClient = useQueryClient();
  const revision = useRef(note.revision);
  const [server, setServer] = useState(note);
  const [text, setText] = useState<Record<Section, string>>({
    subjective: note.subjective,
    objective: note.objective,
    assessment: note.assessment,
    plan: note.plan,
  });
  const [modality, setModality] = useState<Modality>(note.modality);
  const [place, setPlace] = useState<Place>(note.place_of_service);
  const nextKey = useRef(note.diagnoses.length);
  const [diagnoses, setDiagnoses] = useState<DiagnosisRow[]>(
    note.diagnoses.map((d, key) => ({ key, code: d.code, description: d.description })),
  );
  const [codes, setCodes] = useState<string[]>(note.billing_codes);
  const [summaryParts, setSummaryParts] = useState<SummaryPart[]>(note.summary_sections);
  const [instructions, setInstructions] = useState(note.patient_instructions);
  const [signing, setSigning] = useState(false);
  const pendingPlace = useRef(false);

  const accept = (updated: NoteRead) => {
    revision.current = updated.revision;
    setServer(updated);
    queryClient.setQueryData(noteQuery(note.id).queryKey, updated);
  };

  const autosave = useAutosave<NoteUpdate>(async (patch) => {
    const updated = (
      await notesUpdateNote({
        path: { note_id: note.id },
        body: { ...patch, base_revision: revision.current },
      })
    ).data;
    accept(updated);
    // Changing how the visit happened moves the place of service with it (unless chosen).
    if (patch.modality && !pendingPlace.current) setPlace(updated.place_of_service);
    if (patch.place_of_service) pendingPlace.current = false;
  }, AUTOSAVE_DELAY_MS);

  const setDiagnosisRows = (rows: DiagnosisRow[]) => {
    setDiagnoses(rows);
    // Only well-formed codes are saved; a half-typed one waits until it is complete.
    autosave.change({
      diagnoses: rows.flatMap((row) => {
        const code = normaliseIcd10(row.code);
        return code ? [{ code, description: row.description.trim() || null }] : [];
      }),
    });
  };

  const pull = useMutation({
    mutationFn: async () => {
      if (!(await autosave.flush())) throw new Error(t('notes.saveFirst'));
      return (await notesPullObjectiveIntoNote({ path: { note_id: note.id }, query: { language } }))
        .data;
    },
    onSuccess: (updated) => {
      accept(updated);
      setText((prev) => ({ ...prev, objective: updated.objective }));
    },
  });

  const saveError = useLocalizedError(autosave.error, noteFieldText);
  const pullError = useLocalizedError(pull.error);
  const stale =
    autosave.error instanceof ApiError &&
    autosave.error.status === 409 &&
    autosave.error.problem.type.endsWith('/stale-revision');

  return (
    <>
      <SaveIndicator
        status={autosave.status}
        error={saveError}
        savedAt={autosave.savedAt}
        onRetry={() => void autosave.flush()}
        stale={stale}
        onReload={() => void queryClient.resetQueries({ queryKey: noteQuery(note.id).queryKey })}
      />
      <form className="form note-form" onSubmit={(e) => e.preventDefault()}>
        <div className="note-visit">
          <div className="field">
            <label htmlFor={`${id}-modality`}>{t('notes.modality')}</label>
            <select
              id={`${id}-modality`}
              value={modality}
              onChange={(e) => {
                const value = e.target.value as Modality;
                setModality(value);
                autosave.change({ modality: value });
              }}
            >
              {MODALITIES.map((m) => (
                <option key={m} value={m}>
                  {t(`notes.modality.${m}`)}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${id}-place`}>{t('notes.place')}</label>
            <select
              id={`${id}-place`}
              value={place}
              onChange={(e) => {
                const value = e.target.value as Place;
                setPlace(value);
                pendingPlace.current = true;
                autosave.change({ place_of_service: value });
              }}
            >
              {PLACES.map((p) => (
                <option key={p} value={p}>
                  {t(`notes.place.${p}`)}
                </option>
              ))}
            </select>
          </div>
        </div>
        {SECTIONS.map((section) => (
          <div className="field" key={section}>
            <label htmlFor={`${id}-${section}`}>{t(`notes.section.${section}`)}</label>
            <textarea
              id={`${id}-${section}`}
              rows={section === 'subjective' ? 10 : 6}
              value={text[section]}
              onChange={(e) => {
                const value = e.target.value;
                setText((prev) => ({ ...prev, [section]: value }));
                autosave.change({ [section]: value });
              }}
            />
            {section === 'objective' ? (
              <button
                type="button"
                className="button secondary small"
                disabled={pull.isPending}
                onClick={() => pull.mutate()}
              >
                {pull.isPending ? t('form.working') : t('notes.pullObjective')}
              </button>
            ) : null}
            {section === 'objective' && pull.isError ? (
              <p className="field-error" role="alert">
                {errorMessage(pullError, t)}
              </p>
            ) : null}
          </div>
        ))}

        <fieldset className="diagnoses">
          <legend>{t('notes.diagnoses')}</legend>
          <p className="field-hint">{t('notes.diagnosesHint')}</p>
          <datalist id={`${id}-icd`}>
            {COMMON_ICD10.map(([code, description]) => (
              <option key={code} value={code}>
                {description}
              </option>
            ))}
          </datalist>
          {diagnoses.length === 0 ? <p className="muted">{t('notes.noDiagnoses')}</p> : null}
          <ol className="diagnosis-list">
            {diagnoses.map((row, index) => {
              const incomplete = row.code.trim() !== '' && normaliseIcd10(row.code) === null;
              const label = t('notes.diagnosisN', { n: index + 1 });
              return (
                <li key={row.key} className="diagnosis-row">
                  <div className={incomplete ? 'field field-invalid' : 'field'}>
                    <label htmlFor={`${id}-dx-${row.key}`}>
                      {t('notes.icd10', { n: index + 1 })}
                    </label>
                    <input
                      id={`${id}-dx-${row.key}`}
                      list={`${id}-icd`}
                      autoComplete="off"
                      spellCheck={false}
                      value={row.code}
                      aria-invalid={incomplete ? true : undefined}
                      aria-describedby={incomplete ? `${id}-dx-${row.key}-error` : undefined}
                      onChange={(e) =>
                        setDiagnosisRows(
                          diagnoses.map((d) =>
                            d.key === row.key ? { ...d, code: e.target.value } : d,
                          ),
                        )
                      }
                    />
                    {incomplete ? (
                      <p className="field-error" id={`${id}-dx-${row.key}-error`}>
                        {t('notes.icd10Invalid')}
                      </p>
                    ) : null}
                  </div>
                  <div className="field">
                    <label htmlFor={`${id}-dxd-${row.key}`}>
                      {t('notes.diagnosisDescription', { n: index + 1 })}
                    </label>
                    <input
                      id={`${id}-dxd-${row.key}`}
                      value={row.description}
                      placeholder={
                        COMMON_ICD10.find(([c]) => c === normaliseIcd10(row.code))?.[1] ?? ''
                      }
                      onChange={(e) =>
                        setDiagnosisRows(
                          diagnoses.map((d) =>
                            d.key === row.key ? { ...d, description: e.target.value } : d,
                          ),
                        )
                      }
                    />
                  </div>
                  <button
                    type="button"
                    className="button secondary small"
                    onClick={() => setDiagnosisRows(diagnoses.filter((d) => d.key !== row.key))}
                  >
                    {t('notes.remove')}
                    <span className="visually-hidden"> {label}</span>
                  </button>
                </li>
              );
            })}
          </ol>
          <button
            type="button"
            className="button secondary small"
            disabled={diagnoses.length >= 12}
            onClick={() => {
              const key = nextKey.current++;
              setDiagnoses([...diagnoses, { key, code: '', description: '' }]);
              setTimeout(() => document.getElementById(`${id}-dx-${key}`)?.focus(), 0);
            }}
          >
            {t('notes.addDiagnosis')}
          </button>
        </fieldset>

        <fieldset className="billing-codes">
          <legend>{t('notes.billing')}</legend>
          <p className="field-hint">{t('notes.billingHint')}</p>
          <div className="code-grid">
            {CPT_CODES.map(([code, description]) => (
              <label key={code} className="checkbox">
                <input
                  type="checkbox"
                  checked={codes.includes(code)}
                  onChange={(e) => {
                    const next = e.target.checked
                      ? [...codes, code]
                      : codes.filter((c) => c !== code);
                    setCodes(next);
                    autosave.change({ billing_codes: next });
                  }}
                />{' '}
                <strong>{code}</strong> {description}
              </label>
            ))}
          </div>
          {server.billing.length > 0 ? (
            <p className="muted">
              {t('notes.superbillLines', {
                lines: server.billing
                  .map(
                    (b) =>
                      `${b.code}${b.modifiers.length ? `-${b.modifiers.join('-')}` : ''} (POS ${b.place_of_service})`,
                  )
                  .join(', '),
              })}
            </p>
          ) : null}
        </fieldset>

        <fieldset className="summary-parts">
          <legend>{t('notes.summary')}</legend>
          <p className="field-hint">{t('notes.summaryHint')}</p>
          {SUMMARY_PARTS.map((part) => (
            <label key={part} className="checkbox">
              <input
                type="checkbox"
                checked={summaryParts.includes(part)}
                onChange={(e) => {
                  const next = e.target.checked
                    ? SUMMARY_PARTS.filter((p) => p === part || summaryParts.includes(p))
                    : summaryParts.filter((p) => p !== part);
                  setSummaryParts(next);
                  autosave.change({ summary_sections: next });
                }}
              />{' '}
              {t(part === 'diagnoses' ? 'notes.diagnoses' : `notes.section.${part}`)}
            </label>
          ))}
          <div className="field">
            <label htmlFor={`${id}-instructions`}>{t('notes.instructions')}</label>
            <p className="field-hint" id={`${id}-instructions-hint`}>
              {t('notes.instructionsHint')}
            </p>
            <textarea
              id={`${id}-instructions`}
              rows={5}
              aria-describedby={`${id}-instructions-hint`}
              value={instructions}
              onChange={(e) => {
                setInstructions(e.target.value);
                autosave.change({ patient_instructions: e.target.value });
              }}
            />
          </div>
        </fieldset>
      </form>

      <details className="card summary-preview">
        <summary>{t('notes.preview')}</summary>
        <p className="muted">{t('notes.previewNote')}</p>
        <SummaryView summary={server.after_visit_summary} />
      </details>

      <div className="actions">
        <button type="button" className="button primary" onClick={() => setSigning(true)}>
          {t('notes.sign')}
        </button>
      </div>
      <p className="muted">
        {t('notes.draftInfo', { created: formatWhen(note.created_at, language) })}
      </p>
      {signing ? (
        <SignDialog noteId={note.id} flush={autosave.flush} onClose={() => setSigning(false)} />
      ) : null}
    </>
  );
}

function statusText(status: SaveStatus, savedAt: Date | null, t: Translate): string {
  switch (status) {
    case 'pending':
      return t('notes.unsaved');
    case 'saving':
      return t('notes.saving');
    case 'saved':
      return savedAt
        ? t('notes.savedAt', {
            time: savedAt.toLocaleTimeString([], { hour: 'numeric', minute: '2-digit' }),
          })
        : t('notes.saved');
    case 'error':
      return t('notes.saveFailed');
    default:
      return t('notes.autosave');
  }
}

function SaveIndicator({
  status,
  error,
  savedAt,
  onRetry,
  stale,
  onReload,
}: {
  status: SaveStatus;
  error: unknown;
  savedAt: Date | null;
  onRetry: () => void;
  stale: boolean;
  onReload: () => void;
}) {
  const { t } = useI18n();
  const fieldErrors = error instanceof ApiError ? error.problem.errors : [];
  return (
    <div className={`save-indicator save-${status}`}>
      <p role="status" aria-live="polite" data-testid="save-status">
        {statusText(status, savedAt, t)}
      </p>
      {status === 'error' ? (
        <div role="alert" className="alert alert-error">
          <p>{stale ? t('notes.stale') : errorMessage(error, t)}</p>
          {fieldErrors.length > 0 ? (
            <ul>
              {fieldErrors.map((e) => (
                <li key={`${e.field}-${e.message}`}>{e.message}</li>
              ))}
            </ul>
          ) : null}
          {stale ? (
            <button type="button" className="button secondary small" onClick={onReload}>
              {t('notes.reload')}
            </button>
          ) : (
            <button type="button" className="button secondary small" onClick={onRetry}>
              {t('state.retry')}
            </button>
          )}
        </div>
      ) : null}
    </div>
  );
}

function SignDialog({
  noteId,
  flush,
  onClose,
}: {
  noteId: string;
  flush: () => Promise<boolean>;
  onClose: () => void;
}) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const sign = useMutation({
    mutationFn: async () => {
      if (!(await flush())) throw new Error(t('notes.saveFirst'));
      return (await notesSignNote({ path: { note_id: noteId } })).data;
    },
    onSuccess: (signed) => {
      queryClient.setQueryData(noteQuery(noteId).queryKey, signed);
      void queryClient.invalidateQueries({ queryKey: ['patient-notes'] });
      void queryClient.invalidateQueries({ queryKey: ['chart'] });
    },
  });
  const errors = useFormErrors(useLocalizedError(sign.error, noteFieldText), SIGN_FIELDS);
  const reasons = [...SIGN_FIELDS.flatMap((field) => errors.fields[field] ?? []), ...errors.form];
  return (
    <Dialog
      title={t('notes.signTitle')}
      description={<p>{t('notes.signBody')}</p>}
      onClose={onClose}
    >
      <form
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          sign.mutate();
        }}
      >
        <FormAlert error={errors.apiError} messages={reasons} />
        <div className="actions">
          <button type="submit" className="button primary" disabled={sign.isPending}>
            {sign.isPending ? t('form.working') : t('notes.signConfirm')}
          </button>
          <button type="button" className="button secondary" onClick={onClose}>
            {t('notes.keepEditing')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function SummaryView({ summary }: { summary: VisitSummaryRead }) {
  const { t } = useI18n();
  const empty =
    summary.sections.length === 0 &&
    summary.diagnoses.length === 0 &&
    !summary.patient_instructions &&
    summary.addenda.length === 0;
  if (empty) return <p className="muted">{t('notes.previewEmpty')}</p>;
  return (
    <div className="summary-view">
      {summary.sections.map((s) => (
        <section key={s.section}>
          <h3>{s.label}</h3>
          <p className="prewrap">{s.text}</p>
        </section>
      ))}
      {summary.diagnoses.length > 0 ? (
        <section>
          <h3>{t('notes.diagnoses')}</h3>
          <ul>
            {summary.diagnoses.map((d) => (
              <li key={d.code}>
                {d.code} {d.description}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {summary.patient_instructions ? (
        <section>
          <h3>{t('notes.instructions')}</h3>
          <p className="prewrap">{summary.patient_instructions}</p>
        </section>
      ) : null}
      {summary.addenda.map((a) => (
        <section key={a.signed_at}>
          <h3>{t('notes.addendum')}</h3>
          <p className="prewrap">{a.text}</p>
        </section>
      ))}
    </div>
  );
}

function SignedNote({ note }: { note: NoteRead }) {
  const { t, language } = useI18n();
  const [downloading, setDownloading] = useState(false);
  const [pdfError, setPdfError] = useState<unknown>(null);
  const banner = useRef<HTMLDivElement>(null);
  // Just signed: announce it and put focus on the news rather than on a vanished button.
  useEffect(() => {
    if (document.activeElement === document.body) banner.current?.focus();
  }, []);
  const download = async () => {
    setDownloading(true);
    setPdfError(null);
    try {
      const { data, response } = await notesExportNotePdf({
        path: { note_id: note.id },
        parseAs: 'blob',
      });
      const blob = data instanceof Blob ? data : new Blob([String(data)]);
      saveBlob(blob, filenameFrom(response.headers.get('Content-Disposition'), 'visit-note.pdf'));
    } catch (error) {
      setPdfError(error);
    } finally {
      setDownloading(false);
    }
  };
  return (
    <>
      <div className="alert alert-success" role="status" tabIndex={-1} ref={banner}>
        <p>
          {t('notes.signedBy', {
            name: note.signer_name ?? '',
            time: note.signed_at ? formatWhen(note.signed_at, language) : '',
          })}
        </p>
        <p>{t('notes.readOnly')}</p>
        {note.integrity_ok === false ? (
          <p className="field-error">{t('notes.integrityBroken')}</p>
        ) : null}
      </div>
      <dl className="facts">
        <dt>{t('notes.modality')}</dt>
        <dd>{t(`notes.modality.${note.modality}`)}</dd>
        <dt>{t('notes.place')}</dt>
        <dd>{t(`notes.place.${note.place_of_service}`)}</dd>
      </dl>
      {SECTIONS.map((section) => (
        <section key={section} className="note-section">
          <h2>{t(`notes.section.${section}`)}</h2>
          <p className="prewrap">{note[section] || '—'}</p>
        </section>
      ))}
      <section className="note-section">
        <h2>{t('notes.diagnoses')}</h2>
        {note.diagnoses.length === 0 ? (
          <p className="muted">{t('notes.noDiagnoses')}</p>
        ) : (
          <ul>
            {note.diagnoses.map((d) => (
              <li key={d.code}>
                <strong>{d.code}</strong> {d.description}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section className="note-section">
        <h2>{t('notes.billing')}</h2>
        {note.billing.length === 0 ? (
          <p className="muted">—</p>
        ) : (
          <ul>
            {note.billing.map((b) => (
              <li key={b.code}>
                <strong>{b.code}</strong>
                {b.modifiers.length ? `-${b.modifiers.join('-')}` : ''} {b.description} (POS{' '}
                {b.place_of_service})
              </li>
            ))}
          </ul>
        )}
      </section>
      <div className="actions">
        <button
          type="button"
          className="button secondary"
          disabled={downloading}
          onClick={() => void download()}
        >
          {downloading ? t('form.working') : t('notes.pdf')}
        </button>
      </div>
      {pdfError ? <ErrorState error={pdfError} /> : null}
      <Addenda note={note} />
      <section className="card">
        <h2>{t('notes.summaryShared')}</h2>
        <SummaryView summary={note.after_visit_summary} />
      </section>
    </>
  );
}

const ADDENDUM_FIELDS = ['text'] as const;

function Addenda({ note }: { note: NoteRead }) {
  const { t, language } = useI18n();
  const id = useId();
  const queryClient = useQueryClient();
  const [text, setText] = useState('');
  const [share, setShare] = useState(false);
  const add = useMutation({
    mutationFn: async () =>
      (
        await notesAddNoteAddendum({
          path: { note_id: note.id },
          body: { text: text.trim(), include_in_summary: share },
        })
      ).data,
    onSuccess: () => {
      setText('');
      setShare(false);
      void queryClient.invalidateQueries({ queryKey: noteQuery(note.id).queryKey });
    },
  });
  const errors = useFormErrors(useLocalizedError(add.error), ADDENDUM_FIELDS);
  return (
    <section className="card" aria-labelledby={`${id}-addenda`}>
      <h2 id={`${id}-addenda`}>{t('notes.addenda')}</h2>
      {note.addenda.length === 0 ? (
        <p className="muted">{t('notes.noAddenda')}</p>
      ) : (
        <ol className="plain-list addenda">
          {note.addenda.map((a) => (
            <li key={a.id}>
              <p className="muted">
                {t('notes.addendumBy', {
                  name: a.author_name,
                  time: formatWhen(a.signed_at, language),
                })}
                {a.include_in_summary ? ` · ${t('notes.addendumShared')}` : ''}
              </p>
              <p className="prewrap">{a.text}</p>
            </li>
          ))}
        </ol>
      )}
      <form
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          add.mutate();
        }}
      >
        <FormAlert error={errors.apiError} messages={errors.form} />
        <div className={errors.fields.text ? 'field field-invalid' : 'field'}>
          <label htmlFor={`${id}-text`}>{t('notes.addendumText')}</label>
          <textarea
            id={`${id}-text`}
            rows={4}
            value={text}
            required
            aria-invalid={errors.fields.text ? true : undefined}
            aria-describedby={errors.fields.text ? `${id}-text-error` : undefined}
            onChange={(e) => setText(e.target.value)}
          />
          {errors.fields.text ? (
            <p className="field-error" id={`${id}-text-error`}>
              {errors.fields.text}
            </p>
          ) : null}
        </div>
        <label className="checkbox">
          <input type="checkbox" checked={share} onChange={(e) => setShare(e.target.checked)} />{' '}
          {t('notes.addendumShare')}
        </label>
        <div className="actions">
          <button
            type="submit"
            className="button primary"
            disabled={add.isPending || text.trim() === ''}
          >
            {add.isPending ? t('form.working') : t('notes.addAddendum')}
          </button>
        </div>
      </form>
    </section>
  );
}
