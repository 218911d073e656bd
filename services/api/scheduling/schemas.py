from __future__ import annotations

import uuid
from datetime import date, datetime, time
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field, StringConstraints, field_validator, model_validator

from services.api.core.schemas import RequestBody, ResponseBody

Eligibility = Literal["any", "new", "established"]
BookingStatus = Literal["held", "confirmed", "cancelled", "expired", "released", "no_show"]
Code = Annotated[str, StringConstraints(min_length=2, max_length=40, pattern=r"^[a-z0-9][a-z0-9\-]*$")]
Currency = Annotated[str, StringConstraints(min_length=3, max_length=3, pattern=r"^[a-zA-Z]{3}$")]
Reason = Annotated[str, StringConstraints(min_length=1, max_length=200)]
LongReason = Annotated[str, StringConstraints(min_length=1, max_length=300)]

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


# --- visit types ---------------------------------------------------------------------------
class VisitTypeCreate(RequestBody):
    code: Code = Field(description="Stable short name, e.g. `free-consult`.")
    name: Annotated[str, StringConstraints(min_length=1, max_length=120)]
    name_es: Annotated[str, StringConstraints(min_length=1, max_length=120)] | None = None
    description: Annotated[str, StringConstraints(max_length=2000)] = ""
    duration_minutes: int = Field(ge=5, le=480)
    price_cents: int = Field(ge=0, le=10_000_000)
    currency: Currency = "usd"
    eligibility: Eligibility = Field(default="any", description="Who may book: any patient, new or established.")
    requires_intake: bool = False
    requires_consents: bool = False
    is_infusion: bool = Field(default=False, description="Bookings get the pre-infusion instructions.")
    active: bool = True

    _currency = field_validator("currency")(lambda v: v.lower())


class VisitTypeUpdate(RequestBody):
    name: Annotated[str, StringConstraints(min_length=1, max_length=120)] | None = None
    name_es: Annotated[str, StringConstraints(min_length=1, max_length=120)] | None = None
    description: Annotated[str, StringConstraints(max_length=2000)] | None = None
    duration_minutes: int | None = Field(default=None, ge=5, le=480)
    price_cents: int | None = Field(default=None, ge=0, le=10_000_000)
    currency: Currency | None = None
    eligibility: Eligibility | None = None
    requires_intake: bool | None = None
    requires_consents: bool | None = None
    is_infusion: bool | None = None
    active: bool | None = None


class VisitTypeRead(ResponseBody):
    id: uuid.UUID
    code: str
    name: str
    name_es: str | None
    description: str
    duration_minutes: int
    price_cents: int
    currency: str
    eligibility: Eligibility
    requires_intake: bool
    requires_consents: bool
    is_infusion: bool
    active: bool


# --- availability --------------------------------------------------------------------------
class TimeWindow(RequestBody):
    start: time = Field(description="Local wall time in the psychiatrist's zone, e.g. 09:00.")
    end: time

    @model_validator(mode="after")
    def _ordered(self) -> TimeWindow:
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("Give local wall times without an offset (they are in the psychiatrist's time zone).")
        if self.end <= self.start:
            raise ValueError("The end is before the start: a window must end after it starts.")
        return self


class RuleCreate(TimeWindow):
    weekday: Weekday


class AvailabilityRuleRead(ResponseBody):
    id: uuid.UUID
    weekday: Weekday
    start: time
    end: time


class OverridePut(RequestBody):
    windows: list[TimeWindow] = Field(
        default_factory=list, max_length=12, description="The day's hours; empty means not available that day."
    )
    reason: Reason | None = None


class OverrideRead(ResponseBody):
    id: uuid.UUID
    on_date: date
    windows: list[tuple[time, time]]
    reason: str | None


class TimeOffCreate(RequestBody):
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    reason: Reason | None = None

    @model_validator(mode="after")
    def _ordered(self) -> TimeOffCreate:
        if self.ends_at <= self.starts_at:
            raise ValueError("The end is before the start: time off must end after it starts.")
        return self


class TimeOffRead(ResponseBody):
    id: uuid.UUID
    starts_at: datetime
    ends_at: datetime
    reason: str | None


class ScheduleSettingsPut(RequestBody):
    buffer_minutes: int = Field(default=0, ge=0, le=240, description="Free time kept after each visit.")
    slot_step_minutes: int = Field(default=15, ge=5, le=240, description="Offered start times are this far apart.")
    min_notice_minutes: int | None = Field(
        default=None, ge=0, le=60 * 24 * 30, description="Empty: the practice's setting."
    )
    horizon_days: int | None = Field(default=None, ge=1, le=366, description="Empty: the practice's setting.")


class ScheduleSettingsRead(ResponseBody):
    buffer_minutes: int
    slot_step_minutes: int
    min_notice_minutes: int
    horizon_days: int
    min_notice_is_default: bool
    horizon_is_default: bool


class AvailabilityRead(ResponseBody):
    psychiatrist_id: uuid.UUID
    time_zone: str
    settings: ScheduleSettingsRead
    rules: list[AvailabilityRuleRead]
    overrides: list[OverrideRead]
    time_off: list[TimeOffRead]


# --- slots ---------------------------------------------------------------------------------
class SlotRead(ResponseBody):
    psychiatrist_id: uuid.UUID
    psychiatrist_name: str
    starts_at: datetime = Field(description="In the patient's time zone (the offset says which).")
    ends_at: datetime


class SlotSearchResult(ResponseBody):
    time_zone: str = Field(description="The patient's time zone, in which the slots are given.")
    visit_type_id: uuid.UUID
    slots: list[SlotRead]


# --- bookings ------------------------------------------------------------------------------
class BookingCreate(RequestBody):
    visit_type_id: uuid.UUID
    psychiatrist_id: uuid.UUID
    starts_at: AwareDatetime = Field(description="A start time from the slot search, with its offset.")


class BookingReschedule(RequestBody):
    starts_at: AwareDatetime


class BookingCancel(RequestBody):
    reason: LongReason | None = None


class CancellationDecisionRead(ResponseBody):
    by: Literal["patient", "staff"]
    full_refund: bool
    refund_cents: int = Field(description="What the payments domain refunds.")
    fee_cents: int
    currency: str
    full_refund_until: datetime | None = Field(description="Patients cancelling before this get a full refund.")
    reason: str = Field(description="Which rule decided: a short code.")


class BookingRead(ResponseBody):
    id: uuid.UUID
    status: BookingStatus
    patient_id: uuid.UUID
    psychiatrist_id: uuid.UUID
    psychiatrist_name: str
    visit_type: VisitTypeRead
    starts_at: datetime = Field(description="In `time_zone` (the viewer's zone).")
    ends_at: datetime
    time_zone: str
    hold_expires_at: datetime | None
    price_cents: int
    currency: str
    join_url: str | None
    cancellation_policy: CancellationDecisionRead | None = Field(
        description="What cancelling now by this viewer would mean; empty once the visit cannot be cancelled."
    )
    cancellation: CancellationDecisionRead | None = Field(description="The decision taken when it was cancelled.")
    cancelled_at: datetime | None
    no_show_at: datetime | None
    created_at: datetime


__all__ = ["WEEKDAYS"]
