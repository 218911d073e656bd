from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import Query

from services.api.core.errors import Forbidden, Unauthorized, Unprocessable, responses
from services.api.core.pagination import Pagination
from services.api.core.routing import APIRouter
from services.api.deps import Ctx, CurrentPsychiatrist, ReadSession
from services.api.patients.service import PatientNotFound
from services.api.scheduling.service import EndBeforeStart
from services.api.timeline.schemas import EventKind, TimelinePage
from services.api.timeline.service import DateOutOfRange, TimelineQuery, timeline_service

router = APIRouter(prefix="/api/patients", tags=["timeline"])

Kinds = Annotated[
    list[EventKind] | None,
    Query(description="Only these kinds of event (repeat the parameter for several); default: every kind."),
]
From = Annotated[date | None, Query(alias="from", description="First day (inclusive), in my time zone.")]
To = Annotated[date | None, Query(description="Last day (inclusive), in my time zone.")]


@router.get(
    "/{patient_id:uuid}/timeline",
    response_model=TimelinePage,
    responses=responses(Unauthorized, Forbidden, PatientNotFound, Unprocessable, EndBeforeStart, DateOutOfRange),
)
async def get_patient_timeline(
    patient_id: uuid.UUID,
    session: ReadSession,
    ctx: Ctx,
    actor: CurrentPsychiatrist,
    pagination: Pagination,
    kind: Kinds = None,
    from_: From = None,
    to: To = None,
) -> TimelinePage:
    """A care-team patient's history, newest first: visits, notes, scores, intake, flags, consents, plans, infusions, safety tasks."""
    query = TimelineQuery(kinds=frozenset(kind) if kind else None, first=from_, last=to)
    return await timeline_service.timeline(session, ctx, actor, patient_id, pagination, query)
