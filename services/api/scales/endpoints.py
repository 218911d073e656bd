from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query

from services.api.core.errors import BadRequest, Forbidden, Unauthorized, Unprocessable, responses
from services.api.core.pagination import Page, Pagination
from services.api.core.routing import APIRouter
from services.api.deps import (
    Ctx,
    CurrentPatient,
    CurrentPsychiatrist,
    CurrentUser,
    EffectiveSettings,
    ReadSession,
    WriteSession,
)
from services.api.patients.fields import Language
from services.api.patients.service import PatientNotFound
from services.api.scales.definitions import ScaleCode
from services.api.scales.schemas import (
    AssignmentCreate,
    AssignmentRead,
    ClinicianScaleEntry,
    ScaleAnswers,
    ScaleDefinitionRead,
    ScaleResultRead,
    ScaleSubmitted,
)
from services.api.scales.service import (
    AssignmentAlreadyCompleted,
    AssignmentNotFound,
    ResultAlreadySuperseded,
    ResultNotFound,
    ScaleAnswersInvalid,
    ScaleNotFound,
    scale_service,
)

router = APIRouter(prefix="/api/scales", tags=["scales"])
chart_router = APIRouter(prefix="/api/patients", tags=["scales"])

# A body that is not JSON at all (or not UTF-8) is a 400; one that is, but invalid, a 422.
BODY = responses(BadRequest, Unprocessable)
SIGNED_IN = responses(Unauthorized, Forbidden, Unprocessable)
CHART = responses(Unauthorized, Forbidden, PatientNotFound, Unprocessable)
RECORDING = responses(ScaleAnswersInvalid, AssignmentNotFound, AssignmentAlreadyCompleted)

ScaleFilter = Annotated[ScaleCode | None, Query(description="Only this scale.")]
WithSuperseded = Annotated[bool, Query(description="Include results a later correction replaced.")]


@router.get("", response_model=list[ScaleDefinitionRead], responses=SIGNED_IN)
async def list_scales(actor: CurrentUser, language: Language = "en") -> list[ScaleDefinitionRead]:
    """The questionnaires in use now, with items, answer labels and bands in one language."""
    return scale_service.definitions(language)


@router.get("/{code}", response_model=ScaleDefinitionRead, responses=SIGNED_IN | responses(ScaleNotFound))
async def get_scale(
    code: ScaleCode,
    actor: CurrentUser,
    language: Language = "en",
    version: Annotated[str | None, Query(max_length=20, description="An earlier version (default: current).")] = None,
) -> ScaleDefinitionRead:
    """One questionnaire, current or an earlier version."""
    return scale_service.definition(code, language, version)


@chart_router.post(
    "/me/scales/results", status_code=201, response_model=ScaleSubmitted, responses=SIGNED_IN | BODY | RECORDING
)
async def submit_my_scale(
    body: ScaleAnswers, settings: EffectiveSettings, session: WriteSession, ctx: Ctx, actor: CurrentPatient
) -> ScaleSubmitted:
    """Answer a questionnaire; if an answer means I may be at risk, the reply carries crisis resources."""
    return await scale_service.record(session, ctx, actor, actor.user_id, body, settings)


@chart_router.get("/me/scales/results", response_model=Page[ScaleResultRead], responses=SIGNED_IN)
async def list_my_scale_results(
    settings: EffectiveSettings,
    session: ReadSession,
    ctx: Ctx,
    actor: CurrentPatient,
    pagination: Pagination,
    scale: ScaleFilter = None,
    include_superseded: WithSuperseded = False,
) -> Page[ScaleResultRead]:
    """My scores, oldest first."""
    items, total = await scale_service.list_results(
        session,
        ctx,
        actor,
        actor.user_id,
        settings,
        scale=scale,
        include_superseded=include_superseded,
        offset=pagination.offset,
        limit=pagination.limit,
    )
    return Page(items=items, total=total, page=pagination.page, limit=pagination.limit)


@chart_router.get("/me/scales/due", response_model=list[AssignmentRead], responses=SIGNED_IN)
async def list_my_due_scales(session: ReadSession, ctx: Ctx, actor: CurrentPatient) -> list[AssignmentRead]:
    """Questionnaires my psychiatrist asked me to fill in, soonest due first."""
    return await scale_service.assignments(session, ctx, actor, actor.user_id, open_only=True)


@chart_router.post(
    "/{patient_id:uuid}/scales/results",
    status_code=201,
    response_model=ScaleSubmitted,
    responses=CHART | BODY | RECORDING | responses(ResultNotFound, ResultAlreadySuperseded),
)
async def enter_patient_scale(
    patient_id: uuid.UUID,
    body: ClinicianScaleEntry,
    settings: EffectiveSettings,
    session: WriteSession,
    ctx: Ctx,
    actor: CurrentPsychiatrist,
) -> ScaleSubmitted:
    """Enter a result for a care-team patient (in a visit or an infusion), or correct an earlier one."""
    return await scale_service.record(session, ctx, actor, patient_id, body, settings)


@chart_router.get("/{patient_id:uuid}/scales/results", response_model=Page[ScaleResultRead], responses=CHART)
async def list_patient_scale_results(
    patient_id: uuid.UUID,
    settings: EffectiveSettings,
    session: ReadSession,
    ctx: Ctx,
    actor: CurrentPsychiatrist,
    pagination: Pagination,
    scale: ScaleFilter = None,
    include_superseded: WithSuperseded = False,
) -> Page[ScaleResultRead]:
    """A care-team patient's scores, oldest first."""
    items, total = await scale_service.list_results(
        session,
        ctx,
        actor,
        patient_id,
        settings,
        scale=scale,
        include_superseded=include_superseded,
        offset=pagination.offset,
        limit=pagination.limit,
    )
    return Page(items=items, total=total, page=pagination.page, limit=pagination.limit)


@chart_router.post(
    "/{patient_id:uuid}/scales/assignments", status_code=201, response_model=AssignmentRead, responses=CHART | BODY
)
async def assign_scale(
    patient_id: uuid.UUID, body: AssignmentCreate, session: WriteSession, ctx: Ctx, actor: CurrentPsychiatrist
) -> AssignmentRead:
    """Ask a care-team patient to fill in a questionnaire by a date."""
    return await scale_service.assign(session, ctx, actor, patient_id, body)


@chart_router.get("/{patient_id:uuid}/scales/assignments", response_model=list[AssignmentRead], responses=CHART)
async def list_scale_assignments(
    patient_id: uuid.UUID,
    session: ReadSession,
    ctx: Ctx,
    actor: CurrentPsychiatrist,
    open_only: Annotated[bool, Query(description="Only requests not yet answered.")] = False,
) -> list[AssignmentRead]:
    """Questionnaires sent to a care-team patient, soonest due first."""
    return await scale_service.assignments(session, ctx, actor, patient_id, open_only=open_only)
