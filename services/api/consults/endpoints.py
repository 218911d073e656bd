"""Video consults: join tokens, the pre-call check token, the waiting room, the consult record
and its chat; and the internal endpoint the signaling service reports call events to."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import Depends, Query

from services.api.config import Settings
from services.api.consults import service as svc
from services.api.consults.deps import app_settings, signed_by_signaling, signing_keys
from services.api.consults.schemas import (
    CallEventBatchIn,
    CallEventBatchResult,
    CallEventIn,
    CallEventResult,
    ChatMessageRead,
    ConsultRead,
    JoinTokenRead,
    PatientJoinRequest,
    PrecallTokenRead,
    WaitingRoomEntry,
)
from services.api.consults.service import consult_service
from services.api.core.errors import Forbidden, Unauthorized, Unprocessable, responses
from services.api.core.routing import APIRouter
from services.api.deps import Ctx, CurrentPatient, CurrentPsychiatrist, CurrentUser, WriteSession
from services.common.tokens import SigningKeys

router = APIRouter(prefix="/api/consults", tags=["consults"])
internal_router = APIRouter(prefix="/api/internal", tags=["internal"])

AppSettings = Annotated[Settings, Depends(app_settings)]
Keys = Annotated[SigningKeys, Depends(signing_keys)]
SIGNED_IN = (Unauthorized, Forbidden, Unprocessable)
JOIN_ERRORS = responses(
    *SIGNED_IN, svc.ConsultNotFound, svc.NotYourConsult, svc.JoinWindowClosed, svc.ConsultNotJoinable
)
READ_ERRORS = responses(*SIGNED_IN, svc.ConsultNotFound, svc.NotYourConsult)


@router.get("/waiting-room", response_model=list[WaitingRoomEntry], responses=responses(*SIGNED_IN))
async def waiting_room(
    actor: CurrentPsychiatrist,
    session: WriteSession,
    ctx: Ctx,
    settings: AppSettings,
    day: Annotated[date | None, Query(description="A day in your time zone; today by default.")] = None,
) -> list[WaitingRoomEntry]:
    """Your consults of the day: who is waiting, where they confirmed they are, and licensure warnings."""
    return await consult_service.waiting_room(session, ctx, settings, actor, day=day)


@router.post("/precall-token", response_model=PrecallTokenRead, responses=responses(Unauthorized, Forbidden))
async def precall_token(actor: CurrentUser, settings: AppSettings, keys: Keys) -> PrecallTokenRead:
    """A token for the pre-call check of camera, microphone and network."""
    return consult_service.issue_precall_token(settings, keys, actor)


@router.post("/{booking_id}/patient-join-token", response_model=JoinTokenRead, responses=JOIN_ERRORS)
async def patient_join_token(
    booking_id: uuid.UUID,
    body: PatientJoinRequest,
    actor: CurrentPatient,
    session: WriteSession,
    ctx: Ctx,
    settings: AppSettings,
    keys: Keys,
) -> JoinTokenRead:
    """Confirm where you are and get a join token for your visit's video call."""
    return await consult_service.issue_join_token(
        session, ctx, settings, keys, actor, booking_id, location_state=body.location_state
    )


@router.post("/{booking_id}/psychiatrist-join-token", response_model=JoinTokenRead, responses=JOIN_ERRORS)
async def psychiatrist_join_token(
    booking_id: uuid.UUID,
    actor: CurrentPsychiatrist,
    session: WriteSession,
    ctx: Ctx,
    settings: AppSettings,
    keys: Keys,
) -> JoinTokenRead:
    """Get a join token to host this visit's video call."""
    return await consult_service.issue_join_token(session, ctx, settings, keys, actor, booking_id)


@router.get("/{booking_id}", response_model=ConsultRead, responses=READ_ERRORS)
async def get_consult(
    booking_id: uuid.UUID, actor: CurrentUser, session: WriteSession, ctx: Ctx, settings: AppSettings
) -> ConsultRead:
    """The consult of a visit: status, actual start, end and duration, and the patient's location."""
    return await consult_service.get(session, ctx, settings, actor, booking_id)


@router.get("/{booking_id}/messages", response_model=list[ChatMessageRead], responses=READ_ERRORS)
async def list_consult_messages(
    booking_id: uuid.UUID, actor: CurrentUser, session: WriteSession, ctx: Ctx
) -> list[ChatMessageRead]:
    """The in-call chat of a visit, for its patient and psychiatrist."""
    return await consult_service.messages(session, ctx, actor, booking_id)


@internal_router.post(
    "/call-events",
    response_model=CallEventResult,
    dependencies=[Depends(signed_by_signaling)],
    responses=responses(svc.InternalCallRefused, svc.ConsultNotFound, svc.EventNotForThisConsult, Unprocessable),
)
async def record_call_event(body: CallEventIn, session: WriteSession, ctx: Ctx) -> CallEventResult:
    """Internal: the signaling service reports a call event (signed with the shared secret)."""
    return await consult_service.record_event(session, ctx, body)


@internal_router.post(
    "/call-events/batch",
    response_model=CallEventBatchResult,
    dependencies=[Depends(signed_by_signaling)],
    responses=responses(svc.InternalCallRefused, Unprocessable),
)
async def record_call_events(body: CallEventBatchIn, session: WriteSession, ctx: Ctx) -> CallEventBatchResult:
    """Internal: several call events at once, in order (signed like the single form); one
    outcome per event, so one the API refuses does not hold back the others."""
    return await consult_service.record_events(session, ctx, body)
