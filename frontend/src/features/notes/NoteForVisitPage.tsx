import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { Link, useParams } from 'react-router';
import {
  type BookingRead,
  type NoteListItem,
  type NoteRead,
  notesCreateNote,
} from '../../api/generated';
import { FormAlert } from '../../components/FormAlert';
import { PageHeading } from '../../components/PageHeading';
import { ErrorState, Loading } from '../../components/States';
import { useFormErrors } from '../../components/useFormErrors';
import { usePageTitle } from '../../components/usePageTitle';
import { useI18n } from '../../i18n';
import { useLocalizedError } from '../../i18n/problems';
import { templateDescription, templateTitle } from '../../i18n/serverTexts';
import { formatDateTimeIn, visitName } from '../patient/format';
import { NoteEditor } from './NoteEditor';
import {
  noteQuery,
  patientNotesQuery,
  patientProfileQuery,
  templatesQuery,
  visitBookingQuery,
} from './queries';

/** The note for one visit: its draft or signed note, or starting one from a template. */
export function NoteForVisitPage() {
  const { t } = useI18n();
  const { bookingId = '' } = useParams();
  const booking = useQuery(visitBookingQuery(bookingId));
  const patientId = booking.data?.patient_id ?? '';
  const notes = useQuery({ ...patientNotesQuery(patientId), enabled: patientId !== '' });
  const profile = useQuery({ ...patientProfileQuery(patientId), enabled: patientId !== '' });
  const [created, setCreated] = useState<string | null>(null);
  usePageTitle(t('notes.title'));

  if (booking.isPending || (patientId && notes.isPending)) return <Loading />;
  if (booking.isError) {
    return <ErrorState error={booking.error} onRetry={() => void booking.refetch()} />;
  }
  if (notes.isError) return <ErrorState error={notes.error} onRetry={() => void notes.refetch()} />;
  const name = profile.data ? (profile.data.preferred_name ?? profile.data.legal_name) : undefined;
  const existing = pickNote(notes.data?.items ?? [], bookingId);
  const noteId = created ?? existing?.id;
  if (noteId) return <NoteEditor noteId={noteId} patientName={name} />;
  return (
    <section>
      <div className="page-head">
        <PageHeading>{t('notes.startTitle')}</PageHeading>
      </div>
      <VisitLine booking={booking.data} patientName={name} />
      <StartNote
        patientId={patientId}
        bookingId={bookingId}
        visitAt={booking.data.starts_at}
        onCreated={(note) => setCreated(note.id)}
      />
    </section>
  );
}

/** The visit's note: a draft first (there should be one at most), else the latest signed. */
function pickNote(items: NoteListItem[], bookingId: string): NoteListItem | undefined {
  const mine = items.filter((n) => n.consult_id === bookingId);
  return mine.find((n) => n.status === 'draft') ?? mine[0];
}

function VisitLine({
  booking,
  patientName,
}: {
  booking: BookingRead;
  patientName: string | undefined;
}) {
  const { t, language } = useI18n();
  return (
    <p className="lead">
      {t('notes.visitLine', {
        visitType: visitName(booking.visit_type, language),
        time: formatDateTimeIn(booking.starts_at, booking.time_zone, language),
      })}
      {patientName ? ` · ${patientName}` : ''}
    </p>
  );
}

const FIELDS = ['template', 'modality', 'place_of_service'] as const;

function StartNote({
  patientId,
  bookingId,
  visitAt,
  onCreated,
}: {
  patientId: string;
  bookingId: string;
  visitAt: string;
  onCreated: (note: NoteRead) => void;
}) {
  const { t, language } = useI18n();
  const id = useId();
  const queryClient = useQueryClient();
  const templates = useQuery(templatesQuery);
  const [template, setTemplate] = useState('');
  const [modality, setModality] = useState<NoteRead['modality']>('video');
  const create = useMutation({
    mutationFn: async () =>
      (
        await notesCreateNote({
          path: { patient_id: patientId },
          body: {
            template: template as NoteRead['template'],
            consult_id: bookingId,
            visit_at: visitAt,
            modality,
            pull_objective: true,
            // The prompts and the pulled scores and vitals in the language the psychiatrist reads.
            language,
          },
        })
      ).data,
    onSuccess: (note) => {
      queryClient.setQueryData(noteQuery(note.id).queryKey, note);
      void queryClient.invalidateQueries({ queryKey: ['patient-notes', patientId] });
      onCreated(note);
    },
  });
  const errors = useFormErrors(useLocalizedError(create.error), FIELDS);
  if (templates.isPending) return <Loading />;
  if (templates.isError) {
    return <ErrorState error={templates.error} onRetry={() => void templates.refetch()} />;
  }
  return (
    <form
      className="form"
      onSubmit={(event) => {
        event.preventDefault();
        if (template) create.mutate();
      }}
    >
      <FormAlert error={errors.apiError} messages={errors.form} />
      <fieldset className={errors.fields.template ? 'field-invalid' : undefined}>
        <legend>{t('notes.template')}</legend>
        <div className="answer-options template-options">
          {templates.data.map((tpl) => (
            <label key={tpl.code} className="choice">
              <input
                type="radio"
                name={`${id}-template`}
                value={tpl.code}
                checked={template === tpl.code}
                onChange={() => setTemplate(tpl.code)}
              />
              <span className="choice-body">
                <strong>{templateTitle(tpl.code, tpl.title, t)}</strong>
                <span className="muted">{templateDescription(tpl.code, tpl.description, t)}</span>
              </span>
            </label>
          ))}
        </div>
        {errors.fields.template ? <p className="field-error">{errors.fields.template}</p> : null}
      </fieldset>
      <div className="field">
        <label htmlFor={`${id}-modality`}>{t('notes.modality')}</label>
        <select
          id={`${id}-modality`}
          value={modality}
          onChange={(e) => setModality(e.target.value as NoteRead['modality'])}
        >
          <option value="video">{t('notes.modality.video')}</option>
          <option value="audio_only">{t('notes.modality.audio_only')}</option>
          <option value="in_person">{t('notes.modality.in_person')}</option>
        </select>
      </div>
      <div className="actions">
        <button type="submit" className="button primary" disabled={!template || create.isPending}>
          {create.isPending ? t('form.working') : t('notes.start')}
        </button>
        <Link to="/today" className="button secondary">
          {t('notes.back')}
        </Link>
      </div>
    </form>
  );
}

export default NoteForVisitPage;
