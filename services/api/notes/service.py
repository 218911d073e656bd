"""Visit notes: drafts only their author edits, a signature that locks them (content hash,
signer, time), signed addenda, superbill codes, and the after-visit summary the patient sees."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from services.api.audit import service as audit
from services.api.core.context import Actor, RequestContext
from services.api.core.errors import Conflict, FieldError, Forbidden, NotFound, Unprocessable
from services.api.core.pagination import Page, PageParams
from services.api.notes.codes import COMMON_ICD10, CPT, MODALITY_MODIFIERS, billing_problems
from services.api.notes.models import NoteAddendum, VisitNote
from services.api.notes.repository import note_repository as repo
from services.api.notes.schemas import (
    AddendumCreate,
    AddendumRead,
    BillingLine,
    Diagnosis,
    NoteCreate,
    NoteListItem,
    NoteRead,
    NoteUpdate,
    SummaryAddendum,
    SummarySection,
    TemplateRead,
    VisitSummaryRead,
)
from services.api.notes.templates import SECTIONS, TEMPLATES, TemplateCode
from services.api.patients.models import Patient
from services.api.patients.service import patient_service
from services.api.scales.models import ScaleResult
from services.api.scales.service import scale_service
from services.api.treatment.service import treatment_service
from services.api.treatment.trends import SCALE_LABELS, band_label
from services.common.clock import utcnow

SECTION_LABELS = {
    "subjective": "Subjective",
    "objective": "Objective",
    "assessment": "Assessment",
    "plan": "Plan",
    "diagnoses": "Diagnoses",
}
# What a Spanish-speaking patient reads in an after-visit summary.
SECTION_LABELS_ES = {
    "subjective": "Lo que nos contó",
    "objective": "Exploración",
    "assessment": "Valoración",
    "plan": "Plan",
    "diagnoses": "Diagnósticos",
}
TITLES_ES = {
    TemplateCode.free_consult: "Consulta gratuita",
    TemplateCode.initial_evaluation: "Evaluación psiquiátrica inicial",
    TemplateCode.follow_up: "Consulta de seguimiento",
    TemplateCode.infusion_session: "Sesión de infusión",
}
DEFAULT_PLACE = {"video": "10", "audio_only": "10", "in_person": "11"}

# The objective section's scores and vitals, in the language the psychiatrist writes in.
SNAPSHOT_WORDS = {
    "en": {
        "scores": "Latest scores:",
        "no_scores": "- none on record",
        "no_vitals": "Latest vitals: none on record",
        "vitals": "Latest vitals (infusion #{sequence}, {timepoint}, {at}): BP {bp}, HR {hr}, SpO2 {spo2}%, "
        "weight {weight} kg",
    },
    "es": {
        "scores": "Últimas puntuaciones:",
        "no_scores": "- ninguna registrada",
        "no_vitals": "Últimos signos vitales: ninguno registrado",
        "vitals": "Últimos signos vitales (infusión n.º {sequence}, {timepoint}, {at}): PA {bp}, FC {hr}, "
        "SpO2 {spo2} %, peso {weight} kg",
    },
}
TIMEPOINTS_ES = {
    "pre": "antes de la infusión",
    "min_15": "15 min",
    "min_30": "30 min",
    "min_45": "45 min",
    "end": "final",
    "discharge": "alta",
}
SCALE_LABELS_ES = {**SCALE_LABELS, "pain_nrs": "Dolor (escala numérica)"}


# --- errors -----------------------------------------------------------------------------------------
class NoteNotFound(NotFound):
    title = "Visit note not found"


class NoteLocked(Conflict):
    title = "A signed note cannot be changed or deleted: add an addendum"
    type_slug = "note-locked"


class NotNoteAuthor(Forbidden):
    title = "Only the author of a draft may edit, sign or discard it"
    type_slug = "not-note-author"


class StaleRevision(Conflict):
    title = "The note changed since you loaded it"
    type_slug = "stale-revision"


class NoteNotSigned(Conflict):
    title = "The note is still a draft"
    type_slug = "note-not-signed"


class NoteIncomplete(Unprocessable):
    title = "The note cannot be signed yet"
    type_slug = "note-incomplete"


# --- hashing ------------------------------------------------------------------------------------------
def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value is not None else None


def _digest(content: dict[str, Any]) -> str:
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def note_content(note: VisitNote) -> dict[str, Any]:
    """Everything a signature vouches for."""
    return {
        "id": str(note.id),
        "patient_id": str(note.patient_id),
        "consult_id": str(note.consult_id) if note.consult_id else None,
        "author_id": str(note.author_id),
        "template": note.template,
        "visit_at": _iso(note.visit_at),
        "modality": note.modality,
        "place_of_service": note.place_of_service,
        "subjective": note.subjective,
        "objective": note.objective,
        "assessment": note.assessment,
        "plan": note.plan,
        "diagnoses": note.diagnoses,
        "billing_codes": note.billing_codes,
        "summary_sections": note.summary_sections,
        "patient_instructions": note.patient_instructions,
        "signed_by": str(note.signed_by) if note.signed_by else None,
        "signer_name": note.signer_name,
        "signed_at": _iso(note.signed_at),
    }


def note_hash(note: VisitNote) -> str:
    return _digest(note_content(note))


def addendum_hash(note: VisitNote, addendum: NoteAddendum) -> str:
    """An addendum's hash covers its note's hash, so the two stay bound together."""
    return _digest(
        {
            "note_id": str(note.id),
            "note_hash": note.content_hash,
            "id": str(addendum.id),
            "author_id": str(addendum.author_id),
            "author_name": addendum.author_name,
            "text": addendum.text,
            "include_in_summary": addendum.include_in_summary,
            "signed_at": _iso(addendum.signed_at),
        }
    )


# --- reads --------------------------------------------------------------------------------------------
def _diagnoses(note: VisitNote) -> list[Diagnosis]:
    return [Diagnosis(code=str(d.get("code", "")), description=str(d.get("description", ""))) for d in note.diagnoses]


def billing_lines(note: VisitNote) -> list[BillingLine]:
    modifiers = MODALITY_MODIFIERS.get(note.modality, [])
    return [
        BillingLine(
            code=code,
            description=CPT[code].description if code in CPT else "",
            modifiers=list(modifiers),
            place_of_service=note.place_of_service,
        )
        for code in note.billing_codes
    ]


def visit_summary(note: VisitNote, addenda: Sequence[NoteAddendum], language: str = "en") -> VisitSummaryRead:
    """The shared parts of a signed note, titled and labelled in the patient's language."""
    shared = set(note.summary_sections)
    code = TemplateCode(note.template)
    spanish = language == "es"
    labels = SECTION_LABELS_ES if spanish else SECTION_LABELS
    return VisitSummaryRead(
        note_id=note.id,
        title=TITLES_ES[code] if spanish else TEMPLATES[code].title,
        visit_at=note.visit_at,
        psychiatrist=note.signer_name,
        signed_at=note.signed_at,
        sections=[SummarySection(section=s, label=labels[s], text=getattr(note, s)) for s in SECTIONS if s in shared],
        diagnoses=_diagnoses(note) if "diagnoses" in shared else [],
        patient_instructions=note.patient_instructions,
        addenda=[SummaryAddendum(signed_at=a.signed_at, text=a.text) for a in addenda if a.include_in_summary],
    )


def _addendum_read(a: NoteAddendum) -> AddendumRead:
    return AddendumRead(
        id=a.id,
        author_id=a.author_id,
        author_name=a.author_name,
        text=a.text,
        include_in_summary=a.include_in_summary,
        signed_at=a.signed_at,
        content_hash=a.content_hash,
    )


def note_read(note: VisitNote, addenda: Sequence[NoteAddendum], patient_language: str = "en") -> NoteRead:
    integrity: bool | None = None
    if note.status == "signed":
        integrity = note.content_hash == note_hash(note) and all(
            a.content_hash == addendum_hash(note, a) for a in addenda
        )
    return NoteRead(
        id=note.id,
        patient_id=note.patient_id,
        consult_id=note.consult_id,
        author_id=note.author_id,
        template=TemplateCode(note.template),
        title=TEMPLATES[TemplateCode(note.template)].title,
        status=note.status,
        visit_at=note.visit_at,
        modality=note.modality,
        place_of_service=note.place_of_service,
        subjective=note.subjective,
        objective=note.objective,
        assessment=note.assessment,
        plan=note.plan,
        diagnoses=_diagnoses(note),
        billing_codes=list(note.billing_codes),
        billing=billing_lines(note),
        summary_sections=list(note.summary_sections),
        patient_instructions=note.patient_instructions,
        revision=note.revision,
        created_at=note.created_at,
        updated_at=note.updated_at,
        signed_at=note.signed_at,
        signed_by=note.signed_by,
        signer_name=note.signer_name,
        content_hash=note.content_hash,
        integrity_ok=integrity,
        addenda=[_addendum_read(a) for a in addenda],
        # Exactly what the patient will see: in the patient's language, whoever reads the note.
        after_visit_summary=visit_summary(note, addenda, patient_language),
    )


def _list_item(note: VisitNote, addenda: int) -> NoteListItem:
    return NoteListItem(
        id=note.id,
        patient_id=note.patient_id,
        consult_id=note.consult_id,
        author_id=note.author_id,
        template=TemplateCode(note.template),
        title=TEMPLATES[TemplateCode(note.template)].title,
        status=note.status,
        visit_at=note.visit_at,
        signed_at=note.signed_at,
        signer_name=note.signer_name,
        addenda=addenda,
    )


class NoteService:
    def templates(self) -> list[TemplateRead]:
        return [
            TemplateRead(
                code=t.code,
                title=t.title,
                description=t.description,
                prompts=dict(t.prompts),
                suggested_codes=list(t.suggested_codes),
            )
            for t in TEMPLATES.values()
        ]

    # --- access -------------------------------------------------------------------------------------
    async def _note_for(
        self, session: AsyncSession, actor: Actor, note_id: uuid.UUID, *, for_update: bool = False
    ) -> tuple[VisitNote, Patient]:
        note = await repo.note(session, note_id, for_update=for_update)
        return await patient_service.ensure_may_view_record(session, actor, note, NoteNotFound)

    async def _draft_of_author(
        self, session: AsyncSession, actor: Actor, note_id: uuid.UUID
    ) -> tuple[VisitNote, Patient]:
        note, patient = await self._note_for(session, actor, note_id, for_update=True)
        if note.status == "signed":
            raise NoteLocked(f"This note was signed by {note.signer_name}; add an addendum instead.")
        if note.author_id != actor.user_id:
            raise NotNoteAuthor("This draft belongs to another psychiatrist; only its author may change or sign it.")
        return note, patient

    async def _read(self, session: AsyncSession, note: VisitNote, patient: Patient) -> NoteRead:
        return note_read(note, (await repo.addenda(session, [note.id]))[note.id], patient.language)

    # --- objective data -----------------------------------------------------------------------------
    async def objective_snapshot(self, session: AsyncSession, patient: Patient, language: str = "en") -> str:
        """The latest score of each scale and the latest infusion vitals, as text in `language`."""
        spanish = language == "es"
        words = SNAPSHOT_WORDS["es" if spanish else "en"]
        zone = ZoneInfo(patient.time_zone)
        latest: dict[str, ScaleResult] = {}
        for result in await scale_service.results_for(session, patient.user_id):
            latest[result.scale] = result  # oldest first: the last one wins
        lines = [words["scores"]]
        if not latest:
            lines.append(words["no_scores"])
        for scale in sorted(latest):
            r = latest[scale]
            band_text = r.band.replace("_", " ") if r.band else ""
            if spanish and r.band:
                named = band_label(scale, r.scale_version, r.band)
                band_text = named.es if named else band_text
            band = f" ({band_text})" if band_text else ""
            label = (SCALE_LABELS_ES if spanish else SCALE_LABELS).get(scale, scale)
            lines.append(f"- {label} {r.total}{band}, {r.entered_at.astimezone(zone):%Y-%m-%d}")
        vitals = await treatment_service.latest_vitals(session, patient.user_id)
        if vitals is None:
            lines.append(words["no_vitals"])
        else:
            timepoint = TIMEPOINTS_ES.get(vitals.timepoint, vitals.timepoint) if spanish else vitals.timepoint
            lines.append(
                words["vitals"].format(
                    sequence=vitals.session_sequence,
                    timepoint=timepoint.replace("_", " "),
                    at=f"{vitals.at.astimezone(zone):%Y-%m-%d %H:%M}",
                    bp=f"{vitals.systolic}/{vitals.diastolic}",
                    hr=vitals.heart_rate,
                    spo2=vitals.spo2,
                    weight=f"{vitals.weight_kg:.1f}",
                )
            )
        return "\n".join(lines) + "\n"

    # --- drafts ---------------------------------------------------------------------------------------
    async def create(
        self, session: AsyncSession, ctx: RequestContext, actor: Actor, patient_id: uuid.UUID, body: NoteCreate
    ) -> NoteRead:
        patient = await patient_service.ensure_may_view_chart(session, actor, patient_id)
        template = TEMPLATES[body.template]
        prompts = template.prompts_in(body.language)
        place = body.place_of_service or DEFAULT_PLACE[body.modality]
        problems = billing_problems([], body.modality, place)
        if problems:
            field, message = problems[0]
            raise Unprocessable.on_field(f"body.{field}", message, "place_of_service")
        objective = prompts.get("objective", "")
        if body.pull_objective:
            objective += await self.objective_snapshot(session, patient, body.language)
        now = utcnow()
        note = VisitNote(
            patient_id=patient_id,
            consult_id=body.consult_id,
            author_id=actor.user_id,
            template=body.template.value,
            status="draft",
            visit_at=body.visit_at or now,
            modality=body.modality,
            place_of_service=place,
            subjective=prompts.get("subjective", ""),
            objective=objective,
            assessment=prompts.get("assessment", ""),
            plan=prompts.get("plan", ""),
            diagnoses=[],
            billing_codes=list(template.suggested_codes),
            summary_sections=[],
            patient_instructions="",
            revision=1,
            created_at=now,
            updated_at=now,
        )
        session.add(note)
        await session.flush()
        audit.record(
            session,
            ctx,
            action="visit_note.created",
            subject_type="visit_note",
            subject_id=note.id,
            patient_id=patient_id,
            detail={"template": note.template, "consult_id": str(note.consult_id) if note.consult_id else None},
        )
        return note_read(note, [], patient.language)

    async def update(
        self, session: AsyncSession, ctx: RequestContext, actor: Actor, note_id: uuid.UUID, body: NoteUpdate
    ) -> NoteRead:
        note, patient = await self._draft_of_author(session, actor, note_id)
        if body.base_revision is not None and body.base_revision != note.revision:
            raise StaleRevision(
                f"You edited revision {body.base_revision}; the draft is at {note.revision}. Reload it first."
            )
        fields = body.model_fields_set - {"base_revision"}
        changed: list[str] = []

        def put(name: str, value: Any) -> None:
            if getattr(note, name) != value:
                setattr(note, name, value)
                changed.append(name)

        for name in sorted(fields):
            value = getattr(body, name)
            if name == "consult_id":
                put(name, value)  # null unlinks the consult
            elif value is None:
                continue  # null leaves fields that always hold a value as they are
            elif name == "template":
                put(name, value.value)
            elif name == "diagnoses":
                put(
                    name,
                    [{"code": d.code, "description": d.description or COMMON_ICD10.get(d.code, "")} for d in value],
                )
            elif name == "summary_sections":
                put(name, list(dict.fromkeys(value)))
            elif name == "billing_codes":
                put(name, list(value))  # a duplicate is reported when signing
            else:
                put(name, value)
        if "modality" in changed and "place_of_service" not in fields:
            put("place_of_service", DEFAULT_PLACE[note.modality])
        problems = billing_problems([], note.modality, note.place_of_service)
        if problems:
            field, message = problems[0]
            raise Unprocessable.on_field(f"body.{field}", message, "place_of_service")
        if changed:
            note.revision += 1
            note.updated_at = utcnow()
            await session.flush()
        audit.record(
            session,
            ctx,
            action="visit_note.updated",
            subject_type="visit_note",
            subject_id=note.id,
            patient_id=note.patient_id,
            detail={"fields": sorted(set(changed)), "revision": note.revision},
        )
        return await self._read(session, note, patient)

    async def pull_objective(
        self, session: AsyncSession, ctx: RequestContext, actor: Actor, note_id: uuid.UUID, language: str = "en"
    ) -> NoteRead:
        note, patient = await self._draft_of_author(session, actor, note_id)
        snapshot = await self.objective_snapshot(session, patient, language)
        separator = "" if not note.objective or note.objective.endswith("\n") else "\n"
        note.objective = f"{note.objective}{separator}{snapshot}"
        note.revision += 1
        note.updated_at = utcnow()
        await session.flush()
        audit.record(
            session,
            ctx,
            action="visit_note.objective_pulled",
            subject_type="visit_note",
            subject_id=note.id,
            patient_id=note.patient_id,
        )
        return await self._read(session, note, patient)

    async def discard(self, session: AsyncSession, ctx: RequestContext, actor: Actor, note_id: uuid.UUID) -> None:
        note, _ = await self._draft_of_author(session, actor, note_id)
        await session.delete(note)
        await session.flush()
        audit.record(
            session,
            ctx,
            action="visit_note.draft_discarded",
            subject_type="visit_note",
            subject_id=note_id,
            patient_id=note.patient_id,
        )

    # --- signing --------------------------------------------------------------------------------------
    def _sign_problems(self, note: VisitNote) -> list[FieldError]:
        template = TEMPLATES[TemplateCode(note.template)]
        errors: list[FieldError] = []
        for section in ("assessment", "plan"):
            text = getattr(note, section).strip()
            if not text or template.is_prompt(section, text):
                errors.append(FieldError(field=section, message=f"Write the {section} before signing.", code="missing"))
        if note.billing_codes and not note.diagnoses:
            errors.append(
                FieldError(field="diagnoses", message="A billed visit needs at least one diagnosis.", code="missing")
            )
        for field, message in billing_problems(list(note.billing_codes), note.modality, note.place_of_service):
            errors.append(FieldError(field=field, message=message, code="billing"))
        return errors

    async def sign(self, session: AsyncSession, ctx: RequestContext, actor: Actor, note_id: uuid.UUID) -> NoteRead:
        note, patient = await self._draft_of_author(session, actor, note_id)
        problems = self._sign_problems(note)
        if problems:
            raise NoteIncomplete("; ".join(p.message for p in problems), errors=problems)
        note.status = "signed"
        note.signed_at = utcnow()
        note.signed_by = actor.user_id
        note.signer_name = await repo.display_name(session, actor.user_id)
        note.updated_at = note.signed_at
        note.content_hash = note_hash(note)
        await session.flush()
        audit.record(
            session,
            ctx,
            action="visit_note.signed",
            subject_type="visit_note",
            subject_id=note.id,
            patient_id=note.patient_id,
            detail={"content_hash": note.content_hash, "billing_codes": list(note.billing_codes)},
        )
        return await self._read(session, note, patient)

    async def add_addendum(
        self, session: AsyncSession, ctx: RequestContext, actor: Actor, note_id: uuid.UUID, body: AddendumCreate
    ) -> AddendumRead:
        note, _ = await self._note_for(session, actor, note_id, for_update=True)
        if note.status != "signed":
            raise NoteNotSigned("Edit the draft itself; addenda are for signed notes.")
        addendum = NoteAddendum(
            id=uuid.uuid4(),
            note_id=note.id,
            author_id=actor.user_id,
            author_name=await repo.display_name(session, actor.user_id),
            text=body.text,
            include_in_summary=body.include_in_summary,
            signed_at=utcnow(),
        )
        addendum.content_hash = addendum_hash(note, addendum)
        session.add(addendum)
        await session.flush()
        audit.record(
            session,
            ctx,
            action="visit_note.addendum_signed",
            subject_type="visit_note",
            subject_id=note.id,
            patient_id=note.patient_id,
            detail={"addendum_id": str(addendum.id), "content_hash": addendum.content_hash},
        )
        return _addendum_read(addendum)

    # --- reads ----------------------------------------------------------------------------------------
    async def get(self, session: AsyncSession, ctx: RequestContext, actor: Actor, note_id: uuid.UUID) -> NoteRead:
        note, patient = await self._note_for(session, actor, note_id)
        audit.record(
            session,
            ctx,
            action="visit_note.read",
            subject_type="visit_note",
            subject_id=note.id,
            patient_id=note.patient_id,
        )
        return await self._read(session, note, patient)

    async def list_for_patient(
        self, session: AsyncSession, ctx: RequestContext, actor: Actor, patient_id: uuid.UUID, page: PageParams
    ) -> Page[NoteListItem]:
        await patient_service.ensure_may_view_chart(session, actor, patient_id)
        rows, total = await repo.notes_for_patient(
            session, patient_id, signed_only=False, offset=page.offset, limit=page.limit
        )
        addenda = await repo.addenda(session, [n.id for n in rows])
        audit.record(session, ctx, action="visit_note.listed", subject_type="visit_note", patient_id=patient_id)
        return Page(
            items=[_list_item(n, len(addenda[n.id])) for n in rows], total=total, page=page.page, limit=page.limit
        )

    async def export_pdf(
        self, session: AsyncSession, ctx: RequestContext, actor: Actor, note_id: uuid.UUID, practice_name: str
    ) -> bytes:
        from services.api.notes.pdf import render_note  # fpdf loads only when a PDF is asked for

        note, patient = await self._note_for(session, actor, note_id)
        if note.status != "signed":
            raise NoteNotSigned("Only a signed note exports as PDF.")
        read = await self._read(session, note, patient)
        audit.record(
            session,
            ctx,
            action="visit_note.exported",
            subject_type="visit_note",
            subject_id=note.id,
            patient_id=note.patient_id,
            detail={"format": "pdf"},
        )
        return render_note(
            read,
            practice_name=practice_name,
            patient_name=await repo.full_name(session, note.patient_id),
            date_of_birth=patient.date_of_birth,
            zone=ZoneInfo(patient.time_zone),
        )

    # --- the patient's side -----------------------------------------------------------------------------
    async def my_summaries(
        self, session: AsyncSession, ctx: RequestContext, actor: Actor, page: PageParams
    ) -> Page[VisitSummaryRead]:
        patient = await patient_service.ensure_may_view_chart(session, actor, actor.user_id)
        rows, total = await repo.notes_for_patient(
            session, actor.user_id, signed_only=True, offset=page.offset, limit=page.limit
        )
        addenda = await repo.addenda(session, [n.id for n in rows])
        audit.record(session, ctx, action="visit_summary.listed", subject_type="visit_note", patient_id=actor.user_id)
        return Page(
            items=[visit_summary(n, addenda[n.id], patient.language) for n in rows],
            total=total,
            page=page.page,
            limit=page.limit,
        )

    async def my_summary(
        self, session: AsyncSession, ctx: RequestContext, actor: Actor, note_id: uuid.UUID
    ) -> VisitSummaryRead:
        patient = await patient_service.ensure_may_view_chart(session, actor, actor.user_id)
        note = await repo.note(session, note_id)
        # Another patient's note, a draft and a missing id look alike: no probing.
        if note is None or note.patient_id != actor.user_id or note.status != "signed":
            raise NoteNotFound()
        audit.record(
            session,
            ctx,
            action="visit_summary.read",
            subject_type="visit_note",
            subject_id=note.id,
            patient_id=note.patient_id,
        )
        return visit_summary(note, (await repo.addenda(session, [note.id]))[note.id], patient.language)


note_service = NoteService()
