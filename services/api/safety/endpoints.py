from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import Query

from services.api.core.errors import BadRequest, Forbidden, Unauthorized, Unprocessable, responses
from services.api.core.pagination import Page, Pagination
from services.api.core.routing import APIRouter
from services.api.deps import Ctx, CurrentAdmin, CurrentPsychiatrist, ReadSession, WriteSession
from services.api.patients.service import PatientNotFound
from services.api.safety.schemas import Acknowledge, SafetyCounts, SafetyTaskRead
from services.api.safety.service import SafetyTaskAlreadyAcknowledged, SafetyTaskNotFound, safety_service

router = APIRouter(prefix="/api/safety", tags=["safety"])
chart_router = APIRouter(prefix="/api/patients", tags=["safety"])
admin_router = APIRouter(prefix="/api/admin/safety", tags=["admin"])

# A body that is not JSON at all (or not UTF-8) is a 400; one that is, but invalid, a 422.
BODY = responses(BadRequest, Unprocessable)
SIGNED_IN = responses(Unauthorized, Forbidden, Unprocessable)


@router.get("/tasks", response_model=Page[SafetyTaskRead], responses=SIGNED_IN)
async def list_safety_tasks(
    session: ReadSession,
    ctx: Ctx,
    actor: CurrentPsychiatrist,
    pagination: Pagination,
    status: Annotated[Literal["open", "acknowledged", "all"], Query()] = "open",
) -> Page[SafetyTaskRead]:
    """My safety inbox: self-harm answers first, then by age; open until acknowledged with a note."""
    items, total = await safety_service.inbox(
        session,
        ctx,
        actor,
        status=None if status == "all" else status,
        offset=pagination.offset,
        limit=pagination.limit,
    )
    return Page(items=items, total=total, page=pagination.page, limit=pagination.limit)


@router.post(
    "/tasks/{task_id:uuid}/acknowledge",
    response_model=SafetyTaskRead,
    responses=SIGNED_IN | BODY | responses(SafetyTaskNotFound, SafetyTaskAlreadyAcknowledged),
)
async def acknowledge_safety_task(
    task_id: uuid.UUID, body: Acknowledge, session: WriteSession, ctx: Ctx, actor: CurrentPsychiatrist
) -> SafetyTaskRead:
    """Close a safety task with a note saying what was done."""
    return await safety_service.acknowledge(session, ctx, actor, task_id, body.note)


@chart_router.get(
    "/{patient_id:uuid}/safety/tasks",
    response_model=list[SafetyTaskRead],
    responses=SIGNED_IN | responses(PatientNotFound),
)
async def list_patient_safety_tasks(
    patient_id: uuid.UUID, session: ReadSession, ctx: Ctx, actor: CurrentPsychiatrist
) -> list[SafetyTaskRead]:
    """Every safety task of a care-team patient, newest first."""
    return await safety_service.for_patient(session, ctx, actor, patient_id)


@admin_router.get("/summary", response_model=SafetyCounts, responses=responses(Unauthorized, Forbidden))
async def safety_summary(session: ReadSession, actor: CurrentAdmin) -> SafetyCounts:
    """How many safety tasks are open, overdue and acknowledged (counts only, no patients)."""
    return await safety_service.counts(session)
