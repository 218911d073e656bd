"""Request and response bodies of the consults domain."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal, Self

from pydantic import AwareDatetime, Field, model_validator

from services.api.core.schemas import RequestBody, ResponseBody, USState

SeatRole = Literal["patient", "psychiatrist"]
ConsultStatus = Literal["scheduled", "waiting", "in_progress", "completed"]


class PatientJoinRequest(RequestBody):
    location_state: USState = Field(
        description="The state the patient is in right now: the psychiatrist must be licensed there."
    )


class JoinTokenRead(ResponseBody):
    consult_id: uuid.UUID
    role: SeatRole
    token: str = Field(description="Send it in the first websocket message (`hello`), never in a URL.")
    not_before: datetime
    expires_at: datetime
    signaling_url: str = Field(description="The websocket to open, e.g. wss://…/ws/consults/{consult_id}.")


class PrecallTokenRead(ResponseBody):
    token: str
    expires_at: datetime
    signaling_url: str


class PatientLocation(ResponseBody):
    state: str
    confirmed_at: datetime
    psychiatrist_licensed: bool
    warning: str | None = Field(default=None, description="Set when the psychiatrist holds no valid licence there.")


class ConsultRead(ResponseBody):
    booking_id: uuid.UUID
    status: ConsultStatus
    starts_at: datetime
    ends_at: datetime
    join_opens_at: datetime
    join_closes_at: datetime
    patient_location: PatientLocation | None
    waiting_since: datetime | None
    admitted_at: datetime | None
    started_at: datetime | None
    ended_at: datetime | None
    duration_seconds: int | None
    end_reason: str | None


class WaitingRoomEntry(ResponseBody):
    booking_id: uuid.UUID
    patient_id: uuid.UUID
    patient_name: str
    starts_at: datetime
    ends_at: datetime
    status: ConsultStatus
    waiting_since: datetime | None
    join_open: bool
    patient_location: PatientLocation | None


class ChatMessageRead(ResponseBody):
    id: uuid.UUID
    sender_role: SeatRole
    sender_id: uuid.UUID
    text: str
    sent_at: datetime


class ChatIn(RequestBody):
    id: uuid.UUID
    text: str = Field(min_length=1, max_length=2000)


class CallEventIn(RequestBody):
    """One event from the signaling service (internal, signed)."""

    event_id: uuid.UUID
    consult_id: uuid.UUID
    type: Literal["joined", "admitted", "connected", "left", "ended", "chat"]
    role: SeatRole
    user_id: uuid.UUID
    at: AwareDatetime
    reason: str | None = Field(default=None, max_length=30, pattern=r"^[a-z_]+$")
    chat: ChatIn | None = None

    @model_validator(mode="after")
    def _chat_only_with_chat(self) -> Self:
        if (self.type == "chat") != (self.chat is not None):
            raise ValueError("`chat` is required with type chat and only then")
        return self


class CallEventResult(ResponseBody):
    applied: bool = Field(description="False when this event id was already recorded.")
    status: ConsultStatus


MAX_EVENTS_PER_BATCH = 100


class CallEventBatchIn(RequestBody):
    """Several events from the signaling service, in the order they happened (internal, signed)."""

    events: list[CallEventIn] = Field(min_length=1, max_length=MAX_EVENTS_PER_BATCH)


class CallEventOutcome(ResponseBody):
    event_id: uuid.UUID
    outcome: Literal["applied", "duplicate", "refused"] = Field(
        description="duplicate: this event id was already recorded; refused: see `problem`."
    )
    status: ConsultStatus | None = Field(default=None, description="The consult's status after the event.")
    problem: str | None = Field(
        default=None, description="Why it was refused: the problem type's last segment (e.g. `consult-not-found`)."
    )


class CallEventBatchResult(ResponseBody):
    results: list[CallEventOutcome] = Field(description="One per event, in the order sent.")
