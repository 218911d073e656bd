from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import Path, Query
from pydantic import AwareDatetime, StringConstraints

from services.api.clinicians.service import NotYourProfile, PsychiatristNotFound
from services.api.config import Settings
from services.api.core.context import Actor
from services.api.core.errors import BadRequest, Forbidden, Unauthorized, Unprocessable, responses
from services.api.core.pagination import Page, Pagination
from services.api.core.routing import APIRouter
from services.api.deps import (
    Ctx,
    CurrentAdmin,
    CurrentPatient,
    CurrentStaff,
    CurrentUser,
    EffectiveSettings,
    ReadSession,
    WriteSession,
)
from services.api.patients.service import PatientNotFound
from services.api.scheduling import flows as fl
from services.api.scheduling import service as svc
from services.api.scheduling.flows import BookingView, booking_flows
from services.api.scheduling.models import AvailabilityOverride, AvailabilityRule, TimeOff, VisitType
from services.api.scheduling.notify import join_url
from services.api.scheduling.schemas import (
    WEEKDAYS,
    AvailabilityRead,
    AvailabilityRuleRead,
    BookingCancel,
    BookingCreate,
    BookingRead,
    BookingReschedule,
    BookingStatus,
    CancellationDecisionRead,
    OverridePut,
    OverrideRead,
    RuleCreate,
    ScheduleSettingsPut,
    ScheduleSettingsRead,
    SlotRead,
    SlotSearchResult,
    TimeOffCreate,
    TimeOffRead,
    VisitTypeCreate,
    VisitTypeRead,
    VisitTypeUpdate,
)
from services.api.scheduling.service import availability_service, slot_service, visit_type_service
from services.api.scheduling.slots import parse_windows

visit_types_router = APIRouter(prefix="/api", tags=["visit-types"])
availability_router = APIRouter(prefix="/api/psychiatrists/{psychiatrist_id}/availability", tags=["availability"])
scheduling_router = APIRouter(prefix="/api/scheduling", tags=["scheduling"])
bookings_router = APIRouter(prefix="/api/bookings", tags=["bookings"])

SIGNED_IN = (Unauthorized, Forbidden, Unprocessable)
WITH_BODY = (*SIGNED_IN, BadRequest)  # a body that is not JSON at all is a 400
EDIT = responses(*SIGNED_IN, NotYourProfile, PsychiatristNotFound)
EDIT_BODY = responses(*WITH_BODY, NotYourProfile, PsychiatristNotFound)
LanguageCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2}$", to_lower=True)]


# --- visit types ---------------------------------------------------------------------------
@visit_types_router.get("/visit-types", response_model=list[VisitTypeRead], responses=responses(*SIGNED_IN))
async def list_visit_types(
    actor: CurrentUser,
    session: ReadSession,
    include_inactive: Annotated[bool, Query(description="Admins: also retired visit types.")] = False,
) -> list[VisitType]:
    """The visit types patients can book."""
    return list(await visit_type_service.list(session, include_inactive=include_inactive and actor.role == "admin"))


@visit_types_router.post(
    "/admin/visit-types",
    status_code=201,
    response_model=VisitTypeRead,
    responses=responses(*WITH_BODY, svc.VisitTypeCodeTaken),
)
async def create_visit_type(body: VisitTypeCreate, actor: CurrentAdmin, session: WriteSession, ctx: Ctx) -> VisitType:
    """Add a visit type (duration, price, who may book it, what it needs first)."""
    return await visit_type_service.create(session, ctx, body)


@visit_types_router.patch(
    "/admin/visit-types/{visit_type_id}",
    response_model=VisitTypeRead,
    responses=responses(*WITH_BODY, svc.VisitTypeNotFound),
)
async def update_visit_type(
    visit_type_id: uuid.UUID, body: VisitTypeUpdate, actor: CurrentAdmin, session: WriteSession, ctx: Ctx
) -> VisitType:
    """Change a visit type; existing bookings keep the price and length they were booked with."""
    return await visit_type_service.update(session, ctx, visit_type_id, body)


# --- availability --------------------------------------------------------------------------
def _rule(r: AvailabilityRule) -> AvailabilityRuleRead:
    return AvailabilityRuleRead(id=r.id, weekday=WEEKDAYS[r.weekday], start=r.start_time, end=r.end_time)


def _override(o: AvailabilityOverride) -> OverrideRead:
    return OverrideRead(
        id=o.id,
        on_date=o.on_date,
        windows=[(w.start, w.end) for w in parse_windows(o.windows)],
        reason=o.reason,
    )


def _time_off(t: TimeOff, zone: str) -> TimeOffRead:
    z = ZoneInfo(zone)
    return TimeOffRead(id=t.id, starts_at=t.starts_at.astimezone(z), ends_at=t.ends_at.astimezone(z), reason=t.reason)


@availability_router.get("", response_model=AvailabilityRead, responses=EDIT)
async def get_availability(
    psychiatrist_id: uuid.UUID, actor: CurrentStaff, session: ReadSession, settings: EffectiveSettings
) -> AvailabilityRead:
    """Weekly hours, upcoming overrides and time off, and booking knobs (own, or anyone's for admins)."""
    v = await availability_service.view(session, settings, actor, psychiatrist_id)
    return AvailabilityRead(
        psychiatrist_id=psychiatrist_id,
        time_zone=v.profile.time_zone,
        settings=ScheduleSettingsRead(
            buffer_minutes=int(v.knobs.buffer.total_seconds() // 60),
            slot_step_minutes=int(v.knobs.step.total_seconds() // 60),
            min_notice_minutes=int(v.knobs.min_notice.total_seconds() // 60),
            horizon_days=v.knobs.horizon.days,
            min_notice_is_default=v.knobs.min_notice_is_default,
            horizon_is_default=v.knobs.horizon_is_default,
        ),
        rules=[_rule(r) for r in v.rules],
        overrides=[_override(o) for o in v.overrides],
        time_off=[_time_off(t, v.profile.time_zone) for t in v.time_off],
    )


@availability_router.put("/settings", status_code=204, responses=EDIT_BODY)
async def put_schedule_settings(
    psychiatrist_id: uuid.UUID, body: ScheduleSettingsPut, actor: CurrentStaff, session: WriteSession, ctx: Ctx
) -> None:
    """Buffer between visits, slot grid, minimum notice and booking horizon."""
    await availability_service.put_settings(session, ctx, actor, psychiatrist_id, body)


@availability_router.post(
    "/rules",
    status_code=201,
    response_model=AvailabilityRuleRead,
    responses=responses(*WITH_BODY, NotYourProfile, PsychiatristNotFound, svc.OverlappingAvailability),
)
async def add_availability_rule(
    psychiatrist_id: uuid.UUID, body: RuleCreate, actor: CurrentStaff, session: WriteSession, ctx: Ctx
) -> AvailabilityRuleRead:
    """Add weekly hours on one weekday, in the psychiatrist's time zone."""
    return _rule(await availability_service.add_rule(session, ctx, actor, psychiatrist_id, body))


@availability_router.delete(
    "/rules/{rule_id}",
    status_code=204,
    responses=responses(*SIGNED_IN, NotYourProfile, PsychiatristNotFound, svc.RuleNotFound),
)
async def delete_availability_rule(
    psychiatrist_id: uuid.UUID, rule_id: uuid.UUID, actor: CurrentStaff, session: WriteSession, ctx: Ctx
) -> None:
    """Remove weekly hours (booked visits stay booked)."""
    await availability_service.delete_rule(session, ctx, actor, psychiatrist_id, rule_id)


@availability_router.put(
    "/overrides/{on_date}",
    response_model=OverrideRead,
    responses=responses(*WITH_BODY, NotYourProfile, PsychiatristNotFound, svc.OverlappingAvailability),
)
async def put_availability_override(
    psychiatrist_id: uuid.UUID,
    on_date: Annotated[date, Path(description="The local date in the psychiatrist's zone.")],
    body: OverridePut,
    actor: CurrentStaff,
    session: WriteSession,
    ctx: Ctx,
) -> OverrideRead:
    """Set one date's hours instead of the weekly ones (no windows: away that day)."""
    return _override(await availability_service.put_override(session, ctx, actor, psychiatrist_id, on_date, body))


@availability_router.delete(
    "/overrides/{on_date}",
    status_code=204,
    responses=responses(*SIGNED_IN, NotYourProfile, PsychiatristNotFound, svc.OverrideNotFound),
)
async def delete_availability_override(
    psychiatrist_id: uuid.UUID, on_date: date, actor: CurrentStaff, session: WriteSession, ctx: Ctx
) -> None:
    """Go back to the weekly hours on a date."""
    await availability_service.delete_override(session, ctx, actor, psychiatrist_id, on_date)


@availability_router.post("/time-off", status_code=201, response_model=TimeOffRead, responses=EDIT_BODY)
async def add_time_off(
    psychiatrist_id: uuid.UUID, body: TimeOffCreate, actor: CurrentStaff, session: WriteSession, ctx: Ctx
) -> TimeOffRead:
    """Block a period (vacation, conference): no slots are offered in it."""
    entry = await availability_service.add_time_off(session, ctx, actor, psychiatrist_id, body)
    return _time_off(entry, "UTC")


@availability_router.delete(
    "/time-off/{time_off_id}",
    status_code=204,
    responses=responses(*SIGNED_IN, NotYourProfile, PsychiatristNotFound, svc.TimeOffNotFound),
)
async def delete_time_off(
    psychiatrist_id: uuid.UUID, time_off_id: uuid.UUID, actor: CurrentStaff, session: WriteSession, ctx: Ctx
) -> None:
    """Remove a period of time off."""
    await availability_service.delete_time_off(session, ctx, actor, psychiatrist_id, time_off_id)


# --- slot search ---------------------------------------------------------------------------
@scheduling_router.get(
    "/slots",
    response_model=SlotSearchResult,
    responses=responses(
        *SIGNED_IN,
        svc.VisitTypeNotFound,
        PatientNotFound,
        PsychiatristNotFound,
        svc.VisitTypeNotAllowed,
        svc.EndBeforeStart,
    ),
)
async def search_slots(
    actor: CurrentPatient,
    session: ReadSession,
    ctx: Ctx,
    settings: EffectiveSettings,
    visit_type_id: uuid.UUID,
    from_: Annotated[date, Query(alias="from", description="First day, in your time zone.")],
    to: Annotated[date, Query(description="Last day (inclusive), in your time zone; at most 31 days after `from`.")],
    language: Annotated[LanguageCode | None, Query(description="Only psychiatrists speaking this language.")] = None,
    psychiatrist_id: uuid.UUID | None = None,
) -> SlotSearchResult:
    """Open times for a visit type, with psychiatrists licensed in your state, in your time zone."""
    patient, slots = await slot_service.search(
        session,
        ctx,
        settings,
        actor,
        visit_type_id=visit_type_id,
        first=from_,
        last=to,
        language=language,
        psychiatrist_id=psychiatrist_id,
    )
    return SlotSearchResult(
        time_zone=patient.time_zone,
        visit_type_id=visit_type_id,
        slots=[
            SlotRead(
                psychiatrist_id=s.psychiatrist_id,
                psychiatrist_name=s.psychiatrist_name,
                starts_at=s.starts_at,
                ends_at=s.ends_at,
            )
            for s in slots
        ],
    )


# --- bookings ------------------------------------------------------------------------------
def _booking_read(view: BookingView, actor: Actor, settings: Settings) -> BookingRead:
    b = view.booking
    zone = svc.viewer_zone(actor, patient_zone=view.patient_zone, psychiatrist_zone=view.psychiatrist_zone)
    z = ZoneInfo(zone)
    policy = booking_flows.decision_for(settings, actor, b)
    stored = svc.stored_decision(b)
    return BookingRead(
        id=b.id,
        status=b.status,
        patient_id=b.patient_id,
        psychiatrist_id=b.psychiatrist_id,
        psychiatrist_name=view.psychiatrist_name,
        visit_type=VisitTypeRead.model_validate(view.visit_type),
        starts_at=b.starts_at.astimezone(z),
        ends_at=b.ends_at.astimezone(z),
        time_zone=zone,
        hold_expires_at=b.hold_expires_at.astimezone(z) if b.hold_expires_at and b.status == "held" else None,
        price_cents=b.price_cents,
        currency=b.currency,
        join_url=join_url(settings, b) if b.status == "confirmed" else None,
        cancellation_policy=CancellationDecisionRead(**svc.decision_dict(policy, zone)) if policy else None,
        cancellation=CancellationDecisionRead(**svc.decision_dict(stored, zone)) if stored else None,
        cancelled_at=b.cancelled_at.astimezone(z) if b.cancelled_at else None,
        no_show_at=b.no_show_at.astimezone(z) if b.no_show_at else None,
        created_at=b.created_at.astimezone(z),
    )


BOOK_ERRORS = responses(
    *WITH_BODY,
    PatientNotFound,
    svc.VisitTypeNotFound,
    PsychiatristNotFound,
    svc.VisitTypeNotAllowed,
    fl.SlotTaken,
    fl.PatientAlreadyBooked,
    fl.IntakeIncomplete,
    fl.ConsentsUnsigned,
    svc.SlotInPast,
    svc.TooSoon,
    svc.BeyondHorizon,
    svc.NotLicensedInState,
    svc.NotAnOpenTime,
)


@bookings_router.post("", status_code=201, response_model=BookingRead, responses=BOOK_ERRORS)
async def book_visit(
    body: BookingCreate, actor: CurrentPatient, session: WriteSession, ctx: Ctx, settings: EffectiveSettings
) -> BookingRead:
    """Book an open time: a free visit is confirmed at once, a paid one is held until payment."""
    view = await booking_flows.book(
        session,
        ctx,
        settings,
        actor,
        visit_type_id=body.visit_type_id,
        psychiatrist_id=body.psychiatrist_id,
        starts_at=body.starts_at,
    )
    return _booking_read(view, actor, settings)


@bookings_router.get("", response_model=Page[BookingRead], responses=responses(*SIGNED_IN))
async def list_bookings(
    actor: CurrentUser,
    session: ReadSession,
    ctx: Ctx,
    settings: EffectiveSettings,
    page: Pagination,
    status: BookingStatus | None = None,
    since: Annotated[AwareDatetime | None, Query(description="Visits starting at or after this time.")] = None,
    until: Annotated[AwareDatetime | None, Query(description="Visits starting before this time.")] = None,
) -> Page[BookingRead]:
    """Your visits: a patient's own, a psychiatrist's schedule, or every booking for admins."""
    views, total = await booking_flows.list(
        session, ctx, actor, status=status, since=since, until=until, offset=page.offset, limit=page.limit
    )
    return Page(items=[_booking_read(v, actor, settings) for v in views], total=total, page=page.page, limit=page.limit)


@bookings_router.get(
    "/{booking_id}", response_model=BookingRead, responses=responses(*SIGNED_IN, fl.BookingNotFound, fl.NotYourBooking)
)
async def get_booking(
    booking_id: uuid.UUID, actor: CurrentUser, session: ReadSession, ctx: Ctx, settings: EffectiveSettings
) -> BookingRead:
    """One booking, with what cancelling it now would refund."""
    return _booking_read(await booking_flows.get(session, ctx, actor, booking_id), actor, settings)


CHANGE_ERRORS = (*SIGNED_IN, fl.BookingNotFound, fl.NotYourBooking, fl.BookingClosed)


@bookings_router.post(
    "/{booking_id}/reschedule",
    response_model=BookingRead,
    responses=responses(
        *CHANGE_ERRORS,
        BadRequest,
        fl.SlotTaken,
        fl.PatientAlreadyBooked,
        svc.SlotInPast,
        svc.TooSoon,
        svc.BeyondHorizon,
        svc.NotLicensedInState,
        svc.NotAnOpenTime,
    ),
)
async def reschedule_booking(
    booking_id: uuid.UUID,
    body: BookingReschedule,
    actor: CurrentUser,
    session: WriteSession,
    ctx: Ctx,
    settings: EffectiveSettings,
) -> BookingRead:
    """Move a visit to another open time with the same psychiatrist; its payment stays with it."""
    view = await booking_flows.reschedule(session, ctx, settings, actor, booking_id, starts_at=body.starts_at)
    return _booking_read(view, actor, settings)


@bookings_router.post(
    "/{booking_id}/cancel", response_model=BookingRead, responses=responses(*CHANGE_ERRORS, BadRequest)
)
async def cancel_booking(
    booking_id: uuid.UUID,
    body: BookingCancel,
    actor: CurrentUser,
    session: WriteSession,
    ctx: Ctx,
    settings: EffectiveSettings,
) -> BookingRead:
    """Cancel a visit; the answer carries the refund the cancellation policy grants."""
    view = await booking_flows.cancel(session, ctx, settings, actor, booking_id, reason=body.reason)
    return _booking_read(view, actor, settings)


@bookings_router.post(
    "/{booking_id}/no-show",
    response_model=BookingRead,
    responses=responses(*CHANGE_ERRORS, fl.VisitNotStarted),
)
async def mark_no_show(
    booking_id: uuid.UUID, actor: CurrentStaff, session: WriteSession, ctx: Ctx, settings: EffectiveSettings
) -> BookingRead:
    """Record that the patient did not come (the visit's psychiatrist or an admin)."""
    view = await booking_flows.mark_no_show(session, ctx, actor, booking_id)
    return _booking_read(view, actor, settings)


ROUTERS = [visit_types_router, availability_router, scheduling_router, bookings_router]

__all__ = ["ROUTERS", "datetime"]
