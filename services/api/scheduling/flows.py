"""The booking lifecycle: hold or book, confirm, reschedule, cancel, no-show.

It spans domains (care team, intake and consents, e-mail), so it lives here rather than in
the service. Everything runs in the request's transaction: a failed step leaves nothing
behind, and e-mail goes through the outbox so a rolled-back booking sends none.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.audit import service as audit
from services.api.clinicians.models import PsychiatristProfile
from services.api.clinicians.service import PsychiatristNotFound, clinician_service
from services.api.config import Settings
from services.api.core.context import Actor, RequestContext, Role
from services.api.core.errors import Conflict, FieldError, Forbidden, NotFound
from services.api.patients.models import Patient
from services.api.patients.service import patient_service
from services.api.scheduling.models import OVERLAP_CONSTRAINT, Booking, BookingReminder, VisitType
from services.api.scheduling.notify import reminder_times, send_booking_mail
from services.api.scheduling.repository import BookingTarget, Clash, ClashWindow
from services.api.scheduling.repository import scheduling_repository as repo
from services.api.scheduling.service import (
    BeyondHorizon,
    CancellationDecision,
    NotAnOpenTime,
    NotLicensedInState,
    SlotInPast,
    TooSoon,
    availability_bounds,
    cancellation_decision,
    knobs,
    slot_service,
    visit_type_service,
)
from services.api.scheduling.slots import Span
from services.common.clock import utcnow


class SlotTaken(Conflict):
    title = "This time was just taken"
    type_slug = "slot-taken"


class PatientAlreadyBooked(Conflict):
    title = "You already have a visit at this time"
    type_slug = "patient-already-booked"


class IntakeIncomplete(Conflict):
    title = "Complete your intake before booking this visit"
    type_slug = "intake-incomplete"


class ConsentsUnsigned(Conflict):
    title = "Sign the required consents before booking this visit"
    type_slug = "consents-unsigned"


class BookingNotFound(NotFound):
    title = "Booking not found"
    type_slug = "booking-not-found"


class NotYourBooking(Forbidden):
    title = "This visit is with another psychiatrist"
    type_slug = "not-your-booking"


class BookingClosed(Conflict):
    title = "This booking can no longer be changed"
    type_slug = "booking-closed"


class VisitNotStarted(Conflict):
    title = "The visit has not started yet"
    type_slug = "visit-not-started"


class HoldExpired(Conflict):
    title = "The hold on this time expired and the time was taken"
    type_slug = "hold-expired"


CancelHook = Callable[[AsyncSession, RequestContext, Settings, Actor, Booking, CancellationDecision], Awaitable[None]]
_cancel_hooks: list[CancelHook] = []


def on_cancel(hook: CancelHook) -> CancelHook:
    """Run `hook` in the cancelling request's transaction, after the booking is marked cancelled.

    The payments domain registers here (scheduling never imports payments); a hook that raises
    rolls the cancellation back, so a refund that cannot be made leaves the visit as it was.
    """
    if hook not in _cancel_hooks:
        _cancel_hooks.append(hook)
    return hook


@dataclass(frozen=True, slots=True)
class BookingView:
    """A booking with what its reader sees alongside it."""

    booking: Booking
    visit_type: VisitType
    psychiatrist_name: str
    patient_zone: str
    psychiatrist_zone: str


def _is_overlap(exc: IntegrityError) -> bool:
    return OVERLAP_CONSTRAINT in str(exc.orig)


async def _requirements(session: AsyncSession, visit_type: VisitType, patient_id: uuid.UUID) -> None:
    """Intake and consents are owned by their domains; ask their services."""
    if visit_type.requires_intake:
        from services.api.screening.service import screening_service

        if not await screening_service.intake_complete(session, patient_id):
            raise IntakeIncomplete(f"{visit_type.name} needs your completed intake questionnaire first.")
    if visit_type.requires_consents:
        from services.api.consents.service import consent_service

        unsigned = await consent_service.unsigned_required(session, patient_id)
        if unsigned:
            raise ConsentsUnsigned(f"{visit_type.name} needs these consents signed first: {', '.join(unsigned)}.")


class BookingFlows:
    # --- checks shared by booking and rescheduling ------------------------------------------
    async def _check_time(
        self,
        session: AsyncSession,
        settings: Settings,
        *,
        patient: Patient,
        profile: PsychiatristProfile,
        visit_type: VisitType,
        starts_at: datetime,
        now: datetime,
        exclude_booking: uuid.UUID | None = None,
        target: BookingTarget | None = None,
    ) -> timedelta:
        """Raise the problem with this start time; return the psychiatrist's buffer.

        `target`: the psychiatrist's settings and licence when the caller already read them.
        """
        own = target.own if target is not None else await repo.schedule_settings(session, profile.user_id)
        k = knobs(settings, own)
        if starts_at <= now:
            raise SlotInPast.on_field(
                "body.starts_at", "This time has already passed: pick a time in the future.", "slot_in_past"
            )
        if starts_at < now + k.min_notice:
            hours = k.min_notice.total_seconds() / 3600
            raise TooSoon.on_field("body.starts_at", f"Book at least {hours:g} hours ahead.", "slot_too_soon")
        if starts_at > now + k.horizon:
            raise BeyondHorizon.on_field(
                "body.starts_at", f"Book at most {k.horizon.days} days ahead.", "slot_beyond_horizon"
            )
        lic = (
            target.licence
            if target is not None
            else await clinician_service.license_in(session, profile.user_id, patient.state)
        )
        local_day = starts_at.astimezone(ZoneInfo(profile.time_zone)).date()
        if lic is None or lic.expires_on < local_day:
            raise NotLicensedInState.on_field(
                "body.psychiatrist_id",
                f"{profile.display_name} holds no licence in {patient.state} valid on that day; "
                "pick a psychiatrist from the slot search.",
                "not_licensed_in_state",
            )
        duration = timedelta(minutes=visit_type.duration_minutes)
        day = Span(starts_at - timedelta(hours=1), starts_at + timedelta(hours=1))
        blocked_until = starts_at + duration + k.buffer
        # The psychiatrist's hours and the bookings in the way, in one round trip.
        first, last, off_start, off_end = availability_bounds(day)
        found = await repo.availability(
            session,
            [profile.user_id],
            first=first,
            last=last,
            off_start=off_start,
            off_end=off_end,
            clashes=ClashWindow(
                psychiatrist_id=profile.user_id,
                patient_id=patient.user_id,
                start=starts_at,
                end=starts_at + duration,
                blocked_until=blocked_until,
                exclude=exclude_booking,
            ),
        )
        offered = await slot_service.open_spans(
            session,
            settings,
            [(profile, lic.expires_on)],
            duration=duration,
            within=day,
            now=now,
            include_busy=False,
            own={profile.user_id: own} if own else {},
            found=found,
        )
        if not any(s.start == starts_at for s in offered.get(profile.user_id, [])):
            raise NotAnOpenTime.on_field(
                "body.starts_at",
                "The psychiatrist is not available then (outside their hours, on time off or off the slot grid): "
                "pick a time from the slot search.",
                "not_an_open_time",
            )
        expired: list[Clash] = []
        active: list[Clash] = []
        for b in found.clashes:
            lapsed = b.status == "held" and b.hold_expires_at is not None and b.hold_expires_at <= now
            (expired if lapsed else active).append(b)
        if any(
            b.psychiatrist_id == profile.user_id and b.starts_at < blocked_until and b.blocked_until > starts_at
            for b in active
        ):
            raise SlotTaken("Someone booked this time a moment ago: pick another time.")
        if active:
            raise PatientAlreadyBooked()
        if expired:
            # Lapsed holds still count for the database's no-overlap rule until marked expired.
            await repo.expire_holds(session, [b.id for b in expired], now)
        return k.buffer

    async def _write(self, session: AsyncSession, booking: Booking, *, new: bool) -> None:
        """Insert or move the row; the database refuses an overlap (see models.py)."""
        # No savepoint: a refused row ends the request, whose transaction is rolled back anyway.
        if new:
            session.add(booking)
        try:
            await session.flush()
        except IntegrityError as exc:
            if _is_overlap(exc):
                raise SlotTaken("Someone booked this time a moment ago: pick another time.") from None
            raise

    async def _after_confirm(self, session: AsyncSession, settings: Settings, booking: Booking) -> None:
        await patient_service.add_to_care_team(
            session, patient_id=booking.patient_id, psychiatrist_id=booking.psychiatrist_id, reason="booking"
        )
        await self._plan_reminders(session, settings, booking)
        await send_booking_mail(session, settings, booking, template="booking_confirmed")

    async def _plan_reminders(self, session: AsyncSession, settings: Settings, booking: Booking) -> None:
        await repo.drop_pending_reminders(session, booking.id)
        existing = await repo.existing_reminders(session, booking.id)
        for minutes, due in reminder_times(settings, booking.starts_at, utcnow()):
            if (minutes, due) not in existing:
                session.add(
                    BookingReminder(booking_id=booking.id, offset_minutes=minutes, due_at=due, status="pending")
                )
        await session.flush()

    async def replan_reminders(self, session: AsyncSession, settings: Settings) -> int:
        """The reminder offsets changed: plan the reminders of every confirmed visit still ahead
        anew (those not gone out yet; one already sent is not sent again). Returns how many
        visits that was. A few statements whatever the number of visits."""
        now = utcnow()
        await repo.drop_pending_reminders_of_upcoming(session, now)
        gone_out = await repo.reminders_of_upcoming(session, now)
        upcoming = await repo.upcoming_confirmed(session, now)
        session.add_all(
            BookingReminder(booking_id=booking_id, offset_minutes=minutes, due_at=due, status="pending")
            for booking_id, starts_at in upcoming
            for minutes, due in reminder_times(settings, starts_at, now)
            if (booking_id, minutes, due) not in gone_out
        )
        await session.flush()
        return len(upcoming)

    # --- reading ---------------------------------------------------------------------------
    async def _load(self, session: AsyncSession, actor: Actor, booking_id: uuid.UUID, *, write: bool) -> Booking:
        booking = await repo.booking(session, booking_id, lock=write)
        if booking is None:
            raise BookingNotFound()
        if actor.role == Role.patient and booking.patient_id != actor.user_id:
            raise BookingNotFound()  # another patient's booking looks like no booking
        if actor.role == Role.psychiatrist and booking.psychiatrist_id != actor.user_id:
            if write or not await patient_service.may_view_chart(session, actor, booking.patient_id):
                raise NotYourBooking()
        return booking

    async def view(self, session: AsyncSession, booking: Booking) -> BookingView:
        visit_type = await visit_type_service.get(session, booking.visit_type_id, active_only=False)
        profile = await clinician_service.get(session, booking.psychiatrist_id)
        contact = await repo.patient_contact(session, booking.patient_id)
        return BookingView(
            booking=booking,
            visit_type=visit_type,
            psychiatrist_name=profile.display_name,
            patient_zone=contact[0].time_zone if contact else "UTC",
            psychiatrist_zone=profile.time_zone,
        )

    async def get(self, session: AsyncSession, ctx: RequestContext, actor: Actor, booking_id: uuid.UUID) -> BookingView:
        booking = await self._load(session, actor, booking_id, write=False)
        audit.record(
            session,
            ctx,
            action="booking.read",
            subject_type="booking",
            subject_id=booking.id,
            patient_id=booking.patient_id,
        )
        return await self.view(session, booking)

    async def list(
        self,
        session: AsyncSession,
        ctx: RequestContext,
        actor: Actor,
        *,
        status: str | None,
        since: datetime | None,
        until: datetime | None,
        offset: int,
        limit: int,
    ) -> tuple[list[BookingView], int]:
        rows, total = await repo.bookings(
            session,
            patient_id=actor.user_id if actor.role == Role.patient else None,
            psychiatrist_id=actor.user_id if actor.role == Role.psychiatrist else None,
            status=status,
            since=since,
            until=until,
            offset=offset,
            limit=limit,
        )
        views = [await self.view(session, b) for b in rows]
        for b in rows:
            audit.record(
                session, ctx, action="booking.listed", subject_type="booking", subject_id=b.id, patient_id=b.patient_id
            )
        return views, total

    # --- booking ---------------------------------------------------------------------------
    async def book(
        self,
        session: AsyncSession,
        ctx: RequestContext,
        settings: Settings,
        actor: Actor,
        *,
        visit_type_id: uuid.UUID,
        psychiatrist_id: uuid.UUID,
        starts_at: datetime,
    ) -> BookingView:
        """Hold a paid visit's time (payment confirms it) or confirm a free one at once."""
        patient = await patient_service.ensure_may_view_chart(session, actor, actor.user_id)
        # Visit type, profile, settings and licence in one round trip (the booking hot path).
        target = await repo.booking_target(
            session, visit_type_id=visit_type_id, psychiatrist_id=psychiatrist_id, state=patient.state
        )
        visit_type = visit_type_service.found(target.visit_type if target else None)
        if target is None or target.profile is None:
            raise PsychiatristNotFound()
        profile = target.profile
        now = utcnow()
        starts_at = starts_at.astimezone(UTC)
        await visit_type_service.ensure_may_book(session, visit_type, patient.user_id)
        await _requirements(session, visit_type, patient.user_id)
        buffer = await self._check_time(
            session,
            settings,
            patient=patient,
            profile=profile,
            visit_type=visit_type,
            starts_at=starts_at,
            now=now,
            target=target,
        )
        ends_at = starts_at + timedelta(minutes=visit_type.duration_minutes)
        free = visit_type.price_cents == 0
        booking = Booking(
            id=uuid.uuid4(),
            patient_id=patient.user_id,
            psychiatrist_id=profile.user_id,
            visit_type_id=visit_type.id,
            starts_at=starts_at,
            ends_at=ends_at,
            blocked_until=ends_at + buffer,
            status="confirmed" if free else "held",
            hold_expires_at=None if free else now + timedelta(minutes=settings.booking_hold_minutes),
            price_cents=visit_type.price_cents,
            currency=visit_type.currency,
            sequence=0,
            created_at=now,
            confirmed_at=now if free else None,
        )
        await self._write(session, booking, new=True)
        if free:
            await self._after_confirm(session, settings, booking)
        audit.record(
            session,
            ctx,
            action="booking.created",
            subject_type="booking",
            subject_id=booking.id,
            patient_id=patient.user_id,
            detail={"status": booking.status, "visit_type": visit_type.code, "psychiatrist_id": str(profile.user_id)},
        )
        return BookingView(booking, visit_type, profile.display_name, patient.time_zone, profile.time_zone)

    async def confirm_hold(
        self, session: AsyncSession, ctx: RequestContext | None, settings: Settings, booking_id: uuid.UUID
    ) -> Booking:
        """Payment succeeded: confirm the held time (for the payments domain).

        A hold past its expiry still confirms if nobody took the time meanwhile. A hold already
        marked expired or released re-takes the same time when it is still free; when it is not
        (or the visit's time has passed) this raises `HoldExpired` and the caller refunds.
        """
        booking = await repo.booking(session, booking_id, lock=True)
        if booking is None:
            raise BookingNotFound()
        if booking.status == "confirmed":
            return booking
        retaken = booking.status in ("expired", "released")
        if retaken:
            await self._retake(session, booking)
        elif booking.status != "held":
            raise BookingClosed(f"This booking is {booking.status}.")
        now = utcnow()
        booking.status = "confirmed"
        booking.confirmed_at = now
        booking.hold_expires_at = None
        await self._write(session, booking, new=False)
        await self._after_confirm(session, settings, booking)
        audit.record(
            session,
            ctx,
            action="booking.confirmed",
            subject_type="booking",
            subject_id=booking.id,
            patient_id=booking.patient_id,
            actor_role=None if ctx and ctx.actor else "system",
            detail={"retaken": retaken},
        )
        return booking

    async def _retake(self, session: AsyncSession, booking: Booking) -> None:
        """Put a lapsed hold back on its time, or raise `HoldExpired` when the time is gone."""
        now = utcnow()
        if booking.starts_at <= now:
            raise HoldExpired("The visit's time has already passed.")
        clashes = await repo.clashes(
            session,
            psychiatrist_id=booking.psychiatrist_id,
            patient_id=booking.patient_id,
            start=booking.starts_at,
            end=booking.ends_at,
            blocked_until=booking.blocked_until,
            exclude=booking.id,
        )
        lapsed = [b.id for b in clashes if b.status == "held" and b.hold_expires_at and b.hold_expires_at <= now]
        if len(lapsed) != len(clashes):
            raise HoldExpired()
        if lapsed:
            await repo.expire_holds(session, lapsed, now)
        try:
            # A savepoint: the caller goes on (to refund) in the same transaction if this fails.
            async with session.begin_nested():
                booking.status = "held"
                await session.flush()
        except IntegrityError:
            raise HoldExpired() from None

    async def release_hold(
        self, session: AsyncSession, ctx: RequestContext | None, booking_id: uuid.UUID, *, reason: str
    ) -> Booking | None:
        """Payment failed or was cancelled: free the held time at once (for the payments domain)."""
        booking = await repo.booking(session, booking_id, lock=True)
        if booking is None or booking.status != "held":
            return booking
        booking.status = "released"
        booking.cancel_reason = reason[:300]
        await session.flush()
        audit.record(
            session,
            ctx,
            action="booking.hold_released",
            subject_type="booking",
            subject_id=booking.id,
            patient_id=booking.patient_id,
            actor_role=None if ctx and ctx.actor else "system",
            detail={"reason": reason[:100]},
        )
        return booking

    async def load(self, session: AsyncSession, actor: Actor, booking_id: uuid.UUID, *, write: bool) -> Booking:
        """A booking this reader may see (another patient's looks like none), locked to write."""
        return await self._load(session, actor, booking_id, write=write)

    async def reschedule(
        self,
        session: AsyncSession,
        ctx: RequestContext,
        settings: Settings,
        actor: Actor,
        booking_id: uuid.UUID,
        *,
        starts_at: datetime,
    ) -> BookingView:
        """Move the booking (the same row, so its payment stays with it)."""
        booking = await self._load(session, actor, booking_id, write=True)
        now = utcnow()
        self._ensure_open(booking, now)
        contact = await repo.patient_contact(session, booking.patient_id)
        if contact is None:
            raise BookingNotFound()
        patient = contact[0]
        visit_type = await visit_type_service.get(session, booking.visit_type_id, active_only=False)
        profile = await clinician_service.get(session, booking.psychiatrist_id)
        starts_at = starts_at.astimezone(UTC)
        if starts_at == booking.starts_at:
            return await self.view(session, booking)
        buffer = await self._check_time(
            session,
            settings,
            patient=patient,
            profile=profile,
            visit_type=visit_type,
            starts_at=starts_at,
            now=now,
            exclude_booking=booking.id,
        )
        previous = booking.starts_at
        booking.starts_at = starts_at
        booking.ends_at = starts_at + timedelta(minutes=visit_type.duration_minutes)
        booking.blocked_until = booking.ends_at + buffer
        booking.sequence += 1
        await self._write(session, booking, new=False)
        if booking.status == "confirmed":
            await self._plan_reminders(session, settings, booking)
            await send_booking_mail(session, settings, booking, template="booking_rescheduled", previous_start=previous)
        audit.record(
            session,
            ctx,
            action="booking.rescheduled",
            subject_type="booking",
            subject_id=booking.id,
            patient_id=booking.patient_id,
            detail={"sequence": booking.sequence},
        )
        return BookingView(booking, visit_type, profile.display_name, patient.time_zone, profile.time_zone)

    def _ensure_open(self, booking: Booking, now: datetime) -> None:
        if booking.status not in ("held", "confirmed") or (
            booking.status == "held" and booking.hold_expires_at and booking.hold_expires_at <= now
        ):
            raise BookingClosed(f"This booking is {booking.status if booking.status != 'held' else 'expired'}.")
        if booking.starts_at <= now:
            raise BookingClosed("This visit has already started.")

    def decision_for(self, settings: Settings, actor: Actor, booking: Booking) -> CancellationDecision | None:
        """What cancelling now by this reader would mean; None when it cannot be cancelled."""
        now = utcnow()
        try:
            self._ensure_open(booking, now)
        except BookingClosed:
            return None
        return cancellation_decision(settings, booking, by_role=actor.role, at=now)

    async def cancel(
        self,
        session: AsyncSession,
        ctx: RequestContext,
        settings: Settings,
        actor: Actor,
        booking_id: uuid.UUID,
        *,
        reason: str | None,
    ) -> BookingView:
        booking = await self._load(session, actor, booking_id, write=True)
        now = utcnow()
        self._ensure_open(booking, now)
        decision = cancellation_decision(settings, booking, by_role=actor.role, at=now)
        was_confirmed = booking.status == "confirmed"
        booking.status = "cancelled"
        booking.cancelled_at = now
        booking.cancelled_by = actor.user_id
        booking.cancelled_by_role = actor.role.value
        booking.cancel_reason = reason
        booking.refund_cents = decision.refund_cents
        booking.fee_cents = decision.fee_cents
        booking.cancellation_rule = decision.reason
        booking.sequence += 1
        await session.flush()
        await repo.drop_pending_reminders(session, booking.id)
        if was_confirmed:
            await send_booking_mail(session, settings, booking, template="booking_cancelled")
        for hook in _cancel_hooks:  # payments: refund by the decision, or cancel an unpaid intent
            await hook(session, ctx, settings, actor, booking, decision)
        audit.record(
            session,
            ctx,
            action="booking.cancelled",
            subject_type="booking",
            subject_id=booking.id,
            patient_id=booking.patient_id,
            detail={"rule": decision.reason, "refund_cents": decision.refund_cents, "fee_cents": decision.fee_cents},
        )
        return await self.view(session, booking)

    async def mark_no_show(
        self, session: AsyncSession, ctx: RequestContext, actor: Actor, booking_id: uuid.UUID
    ) -> BookingView:
        booking = await self._load(session, actor, booking_id, write=True)
        now = utcnow()
        if booking.status != "confirmed":
            raise BookingClosed(f"Only a confirmed visit can be marked as a no-show (this one is {booking.status}).")
        if booking.starts_at > now:
            raise VisitNotStarted("Mark a no-show once the visit's start time has passed.")
        booking.status = "no_show"
        booking.no_show_at = now
        booking.no_show_marked_by = actor.user_id
        await session.flush()
        await repo.drop_pending_reminders(session, booking.id)
        audit.record(
            session,
            ctx,
            action="booking.no_show",
            subject_type="booking",
            subject_id=booking.id,
            patient_id=booking.patient_id,
        )
        return await self.view(session, booking)


booking_flows = BookingFlows()

__all__ = ["FieldError", "booking_flows"]
