"""Scheduling rules: visit types, availability, slot search and the cancellation policy.

The booking lifecycle (book, confirm, reschedule, cancel, no-show), which also reaches the
patients, screening, consents and notifications domains, lives in `flows.py`.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from services.api.audit import service as audit
from services.api.clinicians.models import PsychiatristProfile
from services.api.clinicians.service import clinician_service
from services.api.config import Settings
from services.api.core.context import Actor, RequestContext, Role
from services.api.core.errors import Conflict, FieldError, Forbidden, NotFound, Unprocessable
from services.api.patients.models import Patient
from services.api.patients.service import patient_service
from services.api.scheduling.models import (
    AvailabilityOverride,
    AvailabilityRule,
    Booking,
    ScheduleSettings,
    TimeOff,
    VisitType,
)
from services.api.scheduling.repository import AvailabilityRows
from services.api.scheduling.repository import scheduling_repository as repo
from services.api.scheduling.schemas import (
    WEEKDAYS,
    OverridePut,
    RuleCreate,
    ScheduleSettingsPut,
    TimeOffCreate,
    VisitTypeCreate,
    VisitTypeUpdate,
)
from services.api.scheduling.slots import Span, Window, expand, parse_windows, windows_overlap
from services.common.clock import utcnow

MAX_SEARCH_DAYS = 31


# --- errors: each names the problem --------------------------------------------------------
class VisitTypeNotFound(NotFound):
    title = "Visit type not found"
    type_slug = "visit-type-not-found"


class VisitTypeCodeTaken(Conflict):
    title = "A visit type with this code already exists"
    type_slug = "visit-type-code-taken"


class VisitTypeNotAllowed(Forbidden):
    title = "You cannot book this visit type"
    type_slug = "visit-type-not-allowed"


class NotLicensedInState(Unprocessable):
    title = "This psychiatrist is not licensed in your state"
    type_slug = "not-licensed-in-state"


class SlotInPast(Unprocessable):
    title = "This time is in the past"
    type_slug = "slot-in-past"


class TooSoon(Unprocessable):
    title = "This time is too soon to book"
    type_slug = "slot-too-soon"


class BeyondHorizon(Unprocessable):
    title = "This time is too far ahead to book"
    type_slug = "slot-beyond-horizon"


class NotAnOpenTime(Unprocessable):
    title = "This is not one of the psychiatrist's open times"
    type_slug = "not-an-open-time"


class EndBeforeStart(Unprocessable):
    title = "The end is before the start"
    type_slug = "end-before-start"


class RangeTooLong(Unprocessable):
    title = "The date range is too long"
    type_slug = "range-too-long"


class OverlappingAvailability(Unprocessable):
    title = "This availability overlaps hours already set"
    type_slug = "overlapping-availability"


class RuleNotFound(NotFound):
    title = "Availability rule not found"
    type_slug = "rule-not-found"


class OverrideNotFound(NotFound):
    title = "No override on this date"
    type_slug = "override-not-found"


class TimeOffNotFound(NotFound):
    title = "Time off not found"
    type_slug = "time-off-not-found"


def _field(cls: type[Unprocessable], field: str, message: str, code: str) -> Unprocessable:
    return cls(message, errors=[FieldError(field=field, message=message, code=code)])


# --- effective knobs -----------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Knobs:
    buffer: timedelta
    step: timedelta
    min_notice: timedelta
    horizon: timedelta
    min_notice_is_default: bool
    horizon_is_default: bool


def knobs(settings: Settings, own: ScheduleSettings | None) -> Knobs:
    notice = own.min_notice_minutes if own and own.min_notice_minutes is not None else None
    horizon = own.horizon_days if own and own.horizon_days is not None else None
    return Knobs(
        buffer=timedelta(minutes=own.buffer_minutes if own else 0),
        step=timedelta(minutes=own.slot_step_minutes if own else 15),
        min_notice=timedelta(minutes=notice if notice is not None else settings.booking_min_notice_minutes),
        horizon=timedelta(days=horizon if horizon is not None else settings.booking_horizon_days),
        min_notice_is_default=notice is None,
        horizon_is_default=horizon is None,
    )


# --- the cancellation policy ---------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class CancellationDecision:
    """What a cancellation means for money: the payments domain refunds `refund_cents`."""

    by: Literal["patient", "staff"]
    full_refund: bool
    refund_cents: int
    fee_cents: int
    currency: str
    full_refund_until: datetime | None
    reason: str  # nothing_paid | notice_met | late_cancellation | cancelled_by_practice


def cancellation_decision(settings: Settings, booking: Booking, *, by_role: str, at: datetime) -> CancellationDecision:
    """The practice's policy. Only a confirmed booking has been paid for (payment confirms a hold).

    Patients cancelling at least `cancellation_notice_hours` ahead get everything back; later,
    the fee is kept (never more than the price). The practice cancelling always refunds in full.
    """
    paid = booking.price_cents if booking.status == "confirmed" else 0
    deadline = booking.starts_at - timedelta(hours=settings.cancellation_notice_hours)
    if by_role in (Role.psychiatrist, Role.admin):
        return CancellationDecision("staff", True, paid, 0, booking.currency, None, "cancelled_by_practice")
    if paid == 0:
        return CancellationDecision("patient", True, 0, 0, booking.currency, deadline, "nothing_paid")
    if at <= deadline:
        return CancellationDecision("patient", True, paid, 0, booking.currency, deadline, "notice_met")
    fee = min(settings.cancellation_fee_cents, paid)
    return CancellationDecision("patient", fee == 0, paid - fee, fee, booking.currency, deadline, "late_cancellation")


def stored_decision(booking: Booking) -> CancellationDecision | None:
    if booking.status != "cancelled" or booking.refund_cents is None:
        return None
    by: Literal["patient", "staff"] = "patient" if booking.cancelled_by_role == Role.patient else "staff"
    return CancellationDecision(
        by,
        (booking.fee_cents or 0) == 0,
        booking.refund_cents,
        booking.fee_cents or 0,
        booking.currency,
        None,
        booking.cancellation_rule or "",
    )


# --- visit types ---------------------------------------------------------------------------
class VisitTypeService:
    async def list(self, session: AsyncSession, *, include_inactive: bool = False) -> Sequence[VisitType]:
        return await repo.visit_types(session, active_only=not include_inactive)

    async def get(self, session: AsyncSession, visit_type_id: uuid.UUID, *, active_only: bool = True) -> VisitType:
        return self.found(await repo.visit_type(session, visit_type_id), active_only=active_only)

    def found(self, vt: VisitType | None, *, active_only: bool = True) -> VisitType:
        """The visit type a caller looked up, or 404 (a retired one is gone unless asked for)."""
        if vt is None or (active_only and not vt.active):
            raise VisitTypeNotFound()
        return vt

    async def create(self, session: AsyncSession, ctx: RequestContext | None, body: VisitTypeCreate) -> VisitType:
        if await repo.visit_type_by_code(session, body.code):
            raise VisitTypeCodeTaken(f"The code {body.code!r} is in use; choose another.")
        vt = VisitType(**body.model_dump(), created_at=utcnow())
        session.add(vt)
        await session.flush()
        audit.record(session, ctx, action="visit_type.created", subject_type="visit_type", subject_id=vt.id)
        return vt

    async def update(
        self, session: AsyncSession, ctx: RequestContext, visit_type_id: uuid.UUID, body: VisitTypeUpdate
    ) -> VisitType:
        vt = await self.get(session, visit_type_id, active_only=False)
        changes = body.model_dump(exclude_unset=True)
        for key, value in changes.items():
            if value is not None:
                setattr(vt, key, value.lower() if key == "currency" else value)
        await session.flush()
        audit.record(
            session,
            ctx,
            action="visit_type.updated",
            subject_type="visit_type",
            subject_id=vt.id,
            detail={"fields": sorted(changes)},
        )
        return vt

    async def ensure_may_book(self, session: AsyncSession, visit_type: VisitType, patient_id: uuid.UUID) -> None:
        if visit_type.eligibility == "any":
            return
        established = await repo.is_established(session, patient_id, utcnow())
        if visit_type.eligibility == "new" and established:
            raise VisitTypeNotAllowed(f"{visit_type.name} is for new patients only.")
        if visit_type.eligibility == "established" and not established:
            raise VisitTypeNotAllowed(f"{visit_type.name} is for patients who have already had a visit.")


visit_type_service = VisitTypeService()


# --- availability --------------------------------------------------------------------------
@dataclass(slots=True)
class AvailabilityView:
    profile: PsychiatristProfile
    knobs: Knobs
    own: ScheduleSettings | None
    rules: Sequence[AvailabilityRule]
    overrides: Sequence[AvailabilityOverride]
    time_off: Sequence[TimeOff]


class AvailabilityService:
    async def _editable(self, session: AsyncSession, actor: Actor, psychiatrist_id: uuid.UUID) -> PsychiatristProfile:
        profile = await clinician_service.get(session, psychiatrist_id)
        clinician_service.ensure_may_edit(actor, psychiatrist_id)
        await repo.lock_psychiatrist(session, psychiatrist_id)
        return profile

    async def view(
        self, session: AsyncSession, settings: Settings, actor: Actor, psychiatrist_id: uuid.UUID
    ) -> AvailabilityView:
        profile = await clinician_service.get(session, psychiatrist_id)
        clinician_service.ensure_may_edit(actor, psychiatrist_id)
        own = await repo.schedule_settings(session, psychiatrist_id)
        today = utcnow().astimezone(ZoneInfo(profile.time_zone)).date()
        now = utcnow()
        return AvailabilityView(
            profile=profile,
            knobs=knobs(settings, own),
            own=own,
            rules=await repo.rules(session, [psychiatrist_id]),
            overrides=await repo.overrides(session, [psychiatrist_id], today, today + timedelta(days=400)),
            time_off=await repo.time_off(session, [psychiatrist_id], now, now + timedelta(days=3650)),
        )

    async def put_settings(
        self,
        session: AsyncSession,
        ctx: RequestContext,
        actor: Actor,
        psychiatrist_id: uuid.UUID,
        body: ScheduleSettingsPut,
    ) -> None:
        await self._editable(session, actor, psychiatrist_id)
        own = await repo.schedule_settings(session, psychiatrist_id)
        if own is None:
            own = ScheduleSettings(psychiatrist_id=psychiatrist_id)
            session.add(own)
        own.buffer_minutes = body.buffer_minutes
        own.slot_step_minutes = body.slot_step_minutes
        own.min_notice_minutes = body.min_notice_minutes
        own.horizon_days = body.horizon_days
        await session.flush()
        audit.record(
            session, ctx, action="availability.settings_saved", subject_type="psychiatrist", subject_id=psychiatrist_id
        )

    async def add_rule(
        self, session: AsyncSession, ctx: RequestContext, actor: Actor, psychiatrist_id: uuid.UUID, body: RuleCreate
    ) -> AvailabilityRule:
        await self._editable(session, actor, psychiatrist_id)
        weekday = WEEKDAYS.index(body.weekday)
        new = Window(body.start, body.end)
        same_day = [r for r in await repo.rules(session, [psychiatrist_id]) if r.weekday == weekday]
        for r in same_day:
            if windows_overlap([Window(r.start_time, r.end_time), new]):
                raise _field(
                    OverlappingAvailability,
                    "body.start",
                    f"It overlaps {body.weekday} {r.start_time:%H:%M}–{r.end_time:%H:%M}; "
                    "change that window or pick hours that do not overlap.",
                    "overlapping_availability",
                )
        rule = AvailabilityRule(
            psychiatrist_id=psychiatrist_id,
            weekday=weekday,
            start_time=body.start,
            end_time=body.end,
            created_at=utcnow(),
        )
        session.add(rule)
        await session.flush()
        audit.record(
            session, ctx, action="availability.rule_added", subject_type="availability_rule", subject_id=rule.id
        )
        return rule

    async def delete_rule(
        self, session: AsyncSession, ctx: RequestContext, actor: Actor, psychiatrist_id: uuid.UUID, rule_id: uuid.UUID
    ) -> None:
        await self._editable(session, actor, psychiatrist_id)
        rule = await repo.rule(session, rule_id)
        if rule is None or rule.psychiatrist_id != psychiatrist_id:
            raise RuleNotFound()
        await session.delete(rule)
        await session.flush()
        audit.record(
            session, ctx, action="availability.rule_removed", subject_type="availability_rule", subject_id=rule_id
        )

    async def put_override(
        self,
        session: AsyncSession,
        ctx: RequestContext,
        actor: Actor,
        psychiatrist_id: uuid.UUID,
        on_date: date,
        body: OverridePut,
    ) -> AvailabilityOverride:
        await self._editable(session, actor, psychiatrist_id)
        windows = [Window(w.start, w.end) for w in body.windows]
        if pair := windows_overlap(windows):
            a, b = pair
            raise _field(
                OverlappingAvailability,
                "body.windows",
                f"{a.start:%H:%M}–{a.end:%H:%M} and {b.start:%H:%M}–{b.end:%H:%M} overlap.",
                "overlapping_availability",
            )
        raw = [
            [w.start.strftime("%H:%M:%S"), w.end.strftime("%H:%M:%S")] for w in sorted(windows, key=lambda w: w.start)
        ]
        override = await repo.override_on(session, psychiatrist_id, on_date)
        if override is None:
            override = AvailabilityOverride(psychiatrist_id=psychiatrist_id, on_date=on_date, created_at=utcnow())
            session.add(override)
        override.windows = raw
        override.reason = body.reason
        await session.flush()
        audit.record(
            session,
            ctx,
            action="availability.override_saved",
            subject_type="availability_override",
            subject_id=override.id,
        )
        return override

    async def delete_override(
        self, session: AsyncSession, ctx: RequestContext, actor: Actor, psychiatrist_id: uuid.UUID, on_date: date
    ) -> None:
        await self._editable(session, actor, psychiatrist_id)
        override = await repo.override_on(session, psychiatrist_id, on_date)
        if override is None:
            raise OverrideNotFound()
        await session.delete(override)
        await session.flush()
        audit.record(
            session,
            ctx,
            action="availability.override_removed",
            subject_type="availability_override",
            subject_id=override.id,
        )

    async def add_time_off(
        self, session: AsyncSession, ctx: RequestContext, actor: Actor, psychiatrist_id: uuid.UUID, body: TimeOffCreate
    ) -> TimeOff:
        await self._editable(session, actor, psychiatrist_id)
        entry = TimeOff(
            psychiatrist_id=psychiatrist_id,
            starts_at=body.starts_at.astimezone(UTC),
            ends_at=body.ends_at.astimezone(UTC),
            reason=body.reason,
            created_at=utcnow(),
        )
        session.add(entry)
        await session.flush()
        audit.record(session, ctx, action="availability.time_off_added", subject_type="time_off", subject_id=entry.id)
        return entry

    async def delete_time_off(
        self, session: AsyncSession, ctx: RequestContext, actor: Actor, psychiatrist_id: uuid.UUID, entry_id: uuid.UUID
    ) -> None:
        await self._editable(session, actor, psychiatrist_id)
        entry = await repo.time_off_entry(session, entry_id)
        if entry is None or entry.psychiatrist_id != psychiatrist_id:
            raise TimeOffNotFound()
        await session.delete(entry)
        await session.flush()
        audit.record(session, ctx, action="availability.time_off_removed", subject_type="time_off", subject_id=entry_id)


availability_service = AvailabilityService()


# --- finding open times --------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Slot:
    psychiatrist_id: uuid.UUID
    psychiatrist_name: str
    starts_at: datetime
    ends_at: datetime


def _day_start(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def availability_bounds(within: Span) -> tuple[date, date, datetime, datetime]:
    """What to read to expand `within`: override dates (a day either side for any zone's local
    dates) and the time-off range."""
    return (
        within.start.date() - timedelta(days=2),
        within.end.date() + timedelta(days=2),
        within.start - timedelta(days=1),
        within.end + timedelta(days=1),
    )


class SlotService:
    async def open_spans(
        self,
        session: AsyncSession,
        settings: Settings,
        profiles: Sequence[tuple[PsychiatristProfile, date]],
        *,
        duration: timedelta,
        within: Span,
        now: datetime,
        include_busy: bool = True,
        exclude_booking: uuid.UUID | None = None,
        own: dict[uuid.UUID, ScheduleSettings] | None = None,
        found: AvailabilityRows | None = None,
    ) -> dict[uuid.UUID, list[Span]]:
        """Open starts per psychiatrist in `within`; each profile comes with its licence expiry.

        `own`: the psychiatrists' schedule settings when the caller already has them; `found`:
        their availability, read with `availability_bounds(within)`, likewise.
        """
        ids = [p.user_id for p, _ in profiles]
        if not ids:
            return {}
        if own is None:
            own = await repo.schedule_settings_for(session, ids)
        if found is None:
            first, last, off_start, off_end = availability_bounds(within)
            found = await repo.availability(session, ids, first=first, last=last, off_start=off_start, off_end=off_end)
        busy = (
            await repo.busy(session, ids, within.start - timedelta(days=1), within.end + timedelta(days=1), now)
            if include_busy
            else []
        )
        result: dict[uuid.UUID, list[Span]] = {}
        for profile, expires_on in profiles:
            pid = profile.user_id
            zone = ZoneInfo(profile.time_zone)
            k = knobs(settings, own.get(pid))
            # A licence is good through its expiry date, in the psychiatrist's zone.
            licence_end = _day_start(expires_on + timedelta(days=1), zone) - timedelta(microseconds=1)
            result[pid] = expand(
                zone=zone,
                rules=[(weekday, Window(a, b)) for p, weekday, a, b in found.rules if p == pid],
                overrides={on: parse_windows(windows) for p, on, windows in found.overrides if p == pid},
                time_off=[Span(a, b) for p, a, b in found.time_off if p == pid],
                busy=[Span(s, e) for bid, p, s, e in busy if p == pid and bid != exclude_booking],
                duration=duration,
                buffer=k.buffer,
                step=k.step,
                earliest=max(now + k.min_notice, now),
                latest=min(now + k.horizon, licence_end),
                within=within,
            )
        return result

    async def search(
        self,
        session: AsyncSession,
        ctx: RequestContext,
        settings: Settings,
        actor: Actor,
        *,
        visit_type_id: uuid.UUID,
        first: date,
        last: date,
        language: str | None,
        psychiatrist_id: uuid.UUID | None,
    ) -> tuple[Patient, list[Slot]]:
        patient = await patient_service.ensure_may_view_chart(session, actor, actor.user_id)
        if last < first:
            raise _field(
                EndBeforeStart,
                "query.to",
                "`to` is before `from`: give a range that ends after it starts.",
                "end_before_start",
            )
        if (last - first).days + 1 > MAX_SEARCH_DAYS:
            raise _field(
                RangeTooLong, "query.to", f"Search at most {MAX_SEARCH_DAYS} days at a time.", "range_too_long"
            )
        visit_type = await visit_type_service.get(session, visit_type_id)
        await visit_type_service.ensure_may_book(session, visit_type, patient.user_id)
        now = utcnow()
        zone = ZoneInfo(patient.time_zone)
        within = Span(_day_start(first, zone), _day_start(last + timedelta(days=1), zone))
        candidates = await clinician_service.licensed_in(session, state=patient.state, on_date=now.date())
        if psychiatrist_id is not None:
            candidates = [c for c in candidates if c[0].user_id == psychiatrist_id]
            if not candidates:
                await clinician_service.get(session, psychiatrist_id)  # 404 when unknown
                raise _field(
                    NotLicensedInState,
                    "query.psychiatrist_id",
                    f"This psychiatrist holds no current licence in {patient.state}, where you are.",
                    "not_licensed_in_state",
                )
        if language:
            candidates = [c for c in candidates if language in (c[0].languages or [])]
        spans = await self.open_spans(
            session,
            settings,
            candidates,
            duration=timedelta(minutes=visit_type.duration_minutes),
            within=within,
            now=now,
        )
        names = {p.user_id: p.display_name for p, _ in candidates}
        slots = [
            Slot(pid, names[pid], s.start.astimezone(zone), s.end.astimezone(zone))
            for pid, found in spans.items()
            for s in found
        ]
        slots.sort(key=lambda s: (s.starts_at, s.psychiatrist_name))
        audit.record(
            session,
            ctx,
            action="scheduling.slots_searched",
            subject_type="visit_type",
            subject_id=visit_type.id,
            patient_id=patient.user_id,
            detail={"count": len(slots)},
        )
        return patient, slots


slot_service = SlotService()


def viewer_zone(actor: Actor, *, patient_zone: str, psychiatrist_zone: str) -> str:
    if actor.role == Role.patient:
        return patient_zone
    if actor.role == Role.psychiatrist:
        return psychiatrist_zone
    return "UTC"


def decision_dict(d: CancellationDecision, zone: str) -> dict[str, Any]:
    return {
        "by": d.by,
        "full_refund": d.full_refund,
        "refund_cents": d.refund_cents,
        "fee_cents": d.fee_cents,
        "currency": d.currency,
        "full_refund_until": d.full_refund_until.astimezone(ZoneInfo(zone)) if d.full_refund_until else None,
        "reason": d.reason,
    }


# --- for the consults domain (a video consult hangs on a booking) --------------------------
async def booking_for_consult(session: AsyncSession, booking_id: uuid.UUID) -> Booking | None:
    """The booking a consult hangs on; no access check (the consults service applies its own)."""
    return await repo.booking(session, booking_id)


async def confirmed_bookings_of_psychiatrist(
    session: AsyncSession, psychiatrist_id: uuid.UUID, *, since: datetime, until: datetime, limit: int = 200
) -> Sequence[Booking]:
    """A psychiatrist's confirmed visits starting in [since, until), earliest first."""
    rows, _ = await repo.bookings(
        session,
        patient_id=None,
        psychiatrist_id=psychiatrist_id,
        status="confirmed",
        since=since,
        until=until,
        offset=0,
        limit=limit,
    )
    return rows
