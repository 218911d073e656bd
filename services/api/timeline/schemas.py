"""A patient's timeline: typed events, one class per source, told apart by `kind`."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal, get_args

from pydantic import Field

from services.api.consents.documents import ConsentKind
from services.api.core.pagination import Page
from services.api.core.schemas import ResponseBody
from services.api.notes.templates import TemplateCode
from services.api.safety.schemas import TaskKind, TaskStatus
from services.api.scales.definitions import ScaleCode
from services.api.scheduling.schemas import BookingStatus
from services.api.screening.schemas import FlagStatus, Severity
from services.api.treatment.schemas import Indication, PlanStatus

VisitKind = Literal["visit_booked", "visit_rescheduled", "visit_cancelled", "visit_no_show", "visit_completed"]
NoteKind = Literal["note_signed", "note_addendum"]
ScaleKind = Literal["scale_submitted"]
IntakeKind = Literal["intake_submitted"]
FlagKind = Literal["flag_raised", "flag_reviewed"]
ConsentEventKind = Literal["consent_signed"]
PlanKind = Literal["plan_created", "plan_status_changed"]
InfusionKind = Literal["infusion_session"]
SafetyKind = Literal["safety_task_opened", "safety_task_acknowledged"]

EventKind = Literal[
    "visit_booked",
    "visit_rescheduled",
    "visit_cancelled",
    "visit_no_show",
    "visit_completed",
    "note_signed",
    "note_addendum",
    "scale_submitted",
    "intake_submitted",
    "flag_raised",
    "flag_reviewed",
    "consent_signed",
    "plan_created",
    "plan_status_changed",
    "infusion_session",
    "safety_task_opened",
    "safety_task_acknowledged",
]
EVENT_KINDS: tuple[str, ...] = get_args(EventKind)


class _Event(ResponseBody):
    id: str = Field(description="Stable key of this event within the timeline (kind and source row).")
    at: datetime = Field(description="When it happened (UTC).")
    actor_name: str | None = Field(
        description="Who did it, when the record says: who cancelled, signed, reviewed, created or acknowledged."
    )


class VisitTypeRef(ResponseBody):
    id: uuid.UUID
    name: str
    name_es: str | None
    is_infusion: bool


class VisitEvent(_Event):
    """A booking was made, moved, cancelled, missed, or its video visit ended."""

    kind: VisitKind
    booking_id: uuid.UUID
    starts_at: datetime = Field(description="When the visit is (now: a moved visit shows its current time).")
    ends_at: datetime
    status: BookingStatus = Field(description="The booking's status now.")
    visit_type: VisitTypeRef
    psychiatrist_id: uuid.UUID
    psychiatrist_name: str
    cancelled_by_role: str | None = Field(description="On `visit_cancelled`: patient, psychiatrist, admin or system.")
    cancel_reason: str | None = Field(description="On `visit_cancelled`, when one was given.")
    duration_seconds: int | None = Field(description="On `visit_completed`: how long the call lasted.")


class NoteEvent(_Event):
    """A visit note was signed, or an addendum was added to a signed note."""

    kind: NoteKind
    note_id: uuid.UUID
    template: TemplateCode
    visit_at: datetime
    booking_id: uuid.UUID | None = Field(description="The visit the note is for, when there is one.")
    addendum_id: uuid.UUID | None = Field(description="On `note_addendum`.")


class ScaleEvent(_Event):
    """A questionnaire result was recorded (by the patient or entered by a clinician)."""

    kind: ScaleKind
    result_id: uuid.UUID
    scale: ScaleCode
    total: int
    max_total: int
    band: str | None = Field(description="Severity band code, e.g. `moderately_severe`.")
    urgent: bool = Field(description="An urgent item (PHQ-9 item 9, self-harm) was answered above 0.")
    entered_by: Literal["patient", "clinician"]
    corrects_earlier: bool = Field(description="This result corrects (supersedes) an earlier one.")
    superseded: bool = Field(description="A later result corrects this one.")


class IntakeEvent(_Event):
    """The patient submitted an intake."""

    kind: IntakeKind
    intake_id: uuid.UUID
    form_version: str
    flags_raised: int = Field(description="Contraindication flags this intake raised.")


class FlagEvent(_Event):
    """A contraindication flag was raised by an intake, or reviewed (cleared or overridden)."""

    kind: FlagKind
    flag_id: uuid.UUID
    rule_id: str
    severity: Severity
    message: str
    status: FlagStatus = Field(description="The flag's status now.")
    review_reason: str | None = Field(description="On `flag_reviewed`.")


class ConsentEvent(_Event):
    """The patient signed a version of a consent document."""

    kind: ConsentEventKind
    consent_id: uuid.UUID
    consent_kind: ConsentKind
    version: str
    language: str


class PlanEvent(_Event):
    """A treatment plan was proposed, or moved between statuses."""

    kind: PlanKind
    plan_id: uuid.UUID
    indication: Indication
    induction_infusions: int
    status: PlanStatus = Field(description="The plan's status now.")
    from_status: PlanStatus | None = Field(description="On `plan_status_changed`.")
    to_status: PlanStatus | None = Field(description="On `plan_status_changed`.")
    reason: str | None = Field(description="On `plan_status_changed`, when one was given.")


class InfusionEvent(_Event):
    """An infusion session was started (or held before starting)."""

    kind: InfusionKind
    session_id: uuid.UUID
    plan_id: uuid.UUID
    sequence: int
    phase: Literal["induction", "maintenance"]
    status: Literal["in_progress", "held", "completed"]
    dose_mg: float
    cadss6_score: int | None
    serious_event: bool


class SafetyEvent(_Event):
    """A safety task was opened for the care team, or acknowledged by a psychiatrist."""

    kind: SafetyKind
    task_id: uuid.UUID
    task_kind: TaskKind
    status: TaskStatus = Field(description="The task's status now.")
    due_at: datetime


TimelineEvent = Annotated[
    VisitEvent
    | NoteEvent
    | ScaleEvent
    | IntakeEvent
    | FlagEvent
    | ConsentEvent
    | PlanEvent
    | InfusionEvent
    | SafetyEvent,
    Field(discriminator="kind"),
]


class TimelinePage(Page[TimelineEvent]):
    time_zone: str = Field(description="The viewer's time zone (the psychiatrist's): group days in it.")
