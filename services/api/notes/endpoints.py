from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import Query, Response

from services.api.core.errors import BadRequest, Forbidden, Unauthorized, Unprocessable, responses
from services.api.core.pagination import Page, Pagination
from services.api.core.routing import APIRouter
from services.api.deps import AppSettings, Ctx, CurrentPatient, CurrentPsychiatrist, ReadSession, WriteSession
from services.api.notes import service as svc
from services.api.notes.schemas import (
    AddendumCreate,
    AddendumRead,
    NoteCreate,
    NoteListItem,
    NoteRead,
    NoteUpdate,
    TemplateRead,
    VisitSummaryRead,
)
from services.api.notes.service import note_service
from services.api.notes.templates import PromptLanguage
from services.api.patients.service import PatientNotFound

router = APIRouter(prefix="/api", tags=["notes"])
summaries_router = APIRouter(prefix="/api/patients/me/visit-summaries", tags=["visit-summaries"])

SIGNED_IN = (Unauthorized, Forbidden, Unprocessable)
WITH_BODY = (*SIGNED_IN, BadRequest)  # BadRequest: a body that is not JSON at all
NOTE = (*SIGNED_IN, svc.NoteNotFound, PatientNotFound)
DRAFT = (*NOTE, svc.NoteLocked, svc.NotNoteAuthor)

PDF_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The signed note as a PDF document.",
        "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
    }
}


@router.get("/notes/templates", response_model=list[TemplateRead], responses=responses(Unauthorized, Forbidden))
async def list_note_templates(actor: CurrentPsychiatrist) -> list[TemplateRead]:
    """The note templates (free consult, initial evaluation, follow-up, infusion) and their SOAP prompts."""
    return note_service.templates()


@router.get(
    "/patients/{patient_id:uuid}/notes",
    response_model=Page[NoteListItem],
    responses=responses(*SIGNED_IN, PatientNotFound),
)
async def list_patient_notes(
    patient_id: uuid.UUID, session: ReadSession, ctx: Ctx, actor: CurrentPsychiatrist, pagination: Pagination
) -> Page[NoteListItem]:
    """A patient's visit notes (drafts and signed), newest visit first."""
    return await note_service.list_for_patient(session, ctx, actor, patient_id, pagination)


@router.post(
    "/patients/{patient_id:uuid}/notes",
    status_code=201,
    response_model=NoteRead,
    responses=responses(*WITH_BODY, PatientNotFound),
)
async def create_note(
    patient_id: uuid.UUID, body: NoteCreate, session: WriteSession, ctx: Ctx, actor: CurrentPsychiatrist
) -> NoteRead:
    """Start a draft from a template; the objective section can carry the latest scores and vitals."""
    return await note_service.create(session, ctx, actor, patient_id, body)


@router.get("/notes/{note_id}", response_model=NoteRead, responses=responses(*NOTE))
async def get_note(note_id: uuid.UUID, session: ReadSession, ctx: Ctx, actor: CurrentPsychiatrist) -> NoteRead:
    """One visit note with its addenda, superbill lines and the after-visit summary preview."""
    return await note_service.get(session, ctx, actor, note_id)


@router.patch("/notes/{note_id}", response_model=NoteRead, responses=responses(*DRAFT, BadRequest, svc.StaleRevision))
async def update_note(
    note_id: uuid.UUID, body: NoteUpdate, session: WriteSession, ctx: Ctx, actor: CurrentPsychiatrist
) -> NoteRead:
    """Autosave a draft (its author only); a signed note is locked."""
    return await note_service.update(session, ctx, actor, note_id, body)


@router.delete("/notes/{note_id}", status_code=204, responses=responses(*DRAFT))
async def discard_note(note_id: uuid.UUID, session: WriteSession, ctx: Ctx, actor: CurrentPsychiatrist) -> Response:
    """Discard a draft (its author only); a signed note is never deleted."""
    await note_service.discard(session, ctx, actor, note_id)
    return Response(status_code=204)


@router.post("/notes/{note_id}/objective", response_model=NoteRead, responses=responses(*DRAFT))
async def pull_objective_into_note(
    note_id: uuid.UUID,
    session: WriteSession,
    ctx: Ctx,
    actor: CurrentPsychiatrist,
    language: Annotated[PromptLanguage, Query(description="The language the lines are written in.")] = "en",
) -> NoteRead:
    """Add the latest scores and vitals to the draft's objective section."""
    return await note_service.pull_objective(session, ctx, actor, note_id, language)


@router.post("/notes/{note_id}/sign", response_model=NoteRead, responses=responses(*DRAFT, svc.NoteIncomplete))
async def sign_note(note_id: uuid.UUID, session: WriteSession, ctx: Ctx, actor: CurrentPsychiatrist) -> NoteRead:
    """Sign a draft (its author only): the note is locked with a content hash, signer and time."""
    return await note_service.sign(session, ctx, actor, note_id)


@router.post(
    "/notes/{note_id}/addenda",
    status_code=201,
    response_model=AddendumRead,
    responses=responses(*NOTE, BadRequest, svc.NoteNotSigned),
)
async def add_note_addendum(
    note_id: uuid.UUID, body: AddendumCreate, session: WriteSession, ctx: Ctx, actor: CurrentPsychiatrist
) -> AddendumRead:
    """Add a signed addendum to a signed note."""
    return await note_service.add_addendum(session, ctx, actor, note_id, body)


@router.get(
    "/notes/{note_id}/pdf",
    response_class=Response,
    responses=PDF_RESPONSE | responses(*NOTE, svc.NoteNotSigned),
)
async def export_note_pdf(
    note_id: uuid.UUID, session: ReadSession, ctx: Ctx, actor: CurrentPsychiatrist, settings: AppSettings
) -> Response:
    """A signed note as a PDF (with its addenda and signature)."""
    pdf = await note_service.export_pdf(session, ctx, actor, note_id, settings.practice_name)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="visit-note-{note_id}.pdf"',
            "Cache-Control": "no-store",
        },
    )


@summaries_router.get("", response_model=Page[VisitSummaryRead], responses=responses(*SIGNED_IN, PatientNotFound))
async def list_my_visit_summaries(
    session: ReadSession, ctx: Ctx, actor: CurrentPatient, pagination: Pagination
) -> Page[VisitSummaryRead]:
    """My after-visit summaries, newest first (what my psychiatrist chose to share)."""
    return await note_service.my_summaries(session, ctx, actor, pagination)


@summaries_router.get(
    "/{note_id}", response_model=VisitSummaryRead, responses=responses(*SIGNED_IN, svc.NoteNotFound, PatientNotFound)
)
async def get_my_visit_summary(
    note_id: uuid.UUID, session: ReadSession, ctx: Ctx, actor: CurrentPatient
) -> VisitSummaryRead:
    """One of my after-visit summaries."""
    return await note_service.my_summary(session, ctx, actor, note_id)
