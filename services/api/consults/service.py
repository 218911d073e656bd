"""Video consults: join tokens for signaling, the waiting room, call events and in-call chat.

Only a booking's patient and psychiatrist get a join token, and only inside the join window
(from `consult_join_early_minutes` before the start to `consult_join_grace_minutes` after
the end). The patient confirms where they are when they ask for theirs; the psychiatrist
sees that state, and a warning when they hold no licence valid there, before admitting.
The signaling service reports what happened in the call over a signed internal call; the
consult records the actual start (media connected), end and duration from those events.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.audit import service as audit
from services.api.clinicians.service import clinician_service
from services.api.config import Settings
from services.api.consults.models import CallEvent, Consult, ConsultMessage
from services.api.consults.repository import consult_repository as repo
from services.api.consults.schemas import (
    CallEventBatchIn,
    CallEventBatchResult,
    CallEventIn,
    CallEventOutcome,
    CallEventResult,
    ChatMessageRead,
    ConsultRead,
    JoinTokenRead,
    PatientLocation,
    PrecallTokenRead,
    WaitingRoomEntry,
)
from services.api.core.context import Actor, RequestContext, Role
from services.api.core.errors import Conflict, Forbidden, NotFound, Unauthorized, Unprocessable
from services.api.patients.service import patient_service
from services.api.scheduling.models import Booking
from services.api.scheduling.service import booking_for_consult, confirmed_bookings_of_psychiatrist
from services.common.clock import utcnow
from services.common.internal import load_or_create_secret, verify_body
from services.common.join import SeatRole, mint_join_token, mint_precall_token
from services.common.tokens import SigningKeys


class ConsultNotFound(NotFound):
    title = "Consult not found"
    type_slug = "consult-not-found"


class NotYourConsult(Forbidden):
    title = "This consult is with another psychiatrist"
    type_slug = "not-your-consult"


class JoinWindowClosed(Conflict):
    title = "This consult cannot be joined now"
    type_slug = "join-window-closed"


class ConsultNotJoinable(Conflict):
    title = "This consult cannot be joined"
    type_slug = "consult-not-joinable"


class InternalCallRefused(Unauthorized):
    title = "Internal call not authenticated"
    type_slug = "internal-call-refused"


class EventNotForThisConsult(Unprocessable):
    title = "This event names someone who is not a party to the consult"
    type_slug = "event-party-mismatch"


_SECRETS: dict[tuple[str, Path], bytes] = {}


def internal_secret(settings: Settings) -> bytes:
    key = (settings.internal_secret.get_secret_value(), settings.var_dir)
    if key not in _SECRETS:
        _SECRETS[key] = load_or_create_secret(key[0], settings.var_dir)
    return _SECRETS[key]


def _ws_url(settings: Settings, path: str) -> str:
    base = settings.signaling_public_url.rstrip("/")
    if base.startswith("https://"):
        base = "wss://" + base.removeprefix("https://")
    elif base.startswith("http://"):
        base = "ws://" + base.removeprefix("http://")
    return f"{base}{path}"


class ConsultService:
    # --- access -----------------------------------------------------------------------------
    async def _party_booking(self, session: AsyncSession, actor: Actor, booking_id: uuid.UUID) -> Booking:
        """The booking when `actor` is its patient or its psychiatrist; patients cannot probe."""
        booking = await booking_for_consult(session, booking_id)
        if booking is None:
            raise ConsultNotFound()
        if actor.role == Role.patient and booking.patient_id != actor.user_id:
            raise ConsultNotFound()
        if actor.role == Role.psychiatrist and booking.psychiatrist_id != actor.user_id:
            raise NotYourConsult()
        if actor.role not in (Role.patient, Role.psychiatrist):
            raise Forbidden("Only the patient and the psychiatrist of a visit see its consult.")
        await patient_service.ensure_may_view_chart(session, actor, booking.patient_id)
        return booking

    def window(self, settings: Settings, booking: Booking) -> tuple[datetime, datetime]:
        return (
            booking.starts_at - timedelta(minutes=settings.consult_join_early_minutes),
            booking.ends_at + timedelta(minutes=settings.consult_join_grace_minutes),
        )

    async def _ensure(self, session: AsyncSession, booking_id: uuid.UUID) -> Consult:
        consult = await repo.get(session, booking_id, lock=True)
        if consult is not None:
            return consult
        now = utcnow()
        try:
            async with session.begin_nested():
                consult = Consult(booking_id=booking_id, status="scheduled", created_at=now, updated_at=now)
                session.add(consult)
                await session.flush()
        except IntegrityError:  # created a moment ago by a concurrent request
            consult = await repo.get(session, booking_id, lock=True)
            if consult is None:
                raise
        return consult

    async def _location(
        self, session: AsyncSession, booking: Booking, consult: Consult | None
    ) -> PatientLocation | None:
        if consult is None or consult.patient_location_state is None or consult.patient_location_confirmed_at is None:
            return None
        state = consult.patient_location_state
        profile = await clinician_service.get(session, booking.psychiatrist_id)
        visit_day = booking.starts_at.astimezone(ZoneInfo(profile.time_zone)).date()
        lic = await clinician_service.license_in(session, booking.psychiatrist_id, state)
        licensed = lic is not None and lic.expires_on >= visit_day
        warning = None
        if not licensed:
            warning = (
                f"The patient says they are in {state}, where {profile.display_name} holds no licence valid on "
                f"{visit_day.isoformat()}. Do not treat until the patient is in a state where you are licensed."
            )
        return PatientLocation(
            state=state,
            confirmed_at=consult.patient_location_confirmed_at,
            psychiatrist_licensed=licensed,
            warning=warning,
        )

    # --- joining ----------------------------------------------------------------------------
    async def issue_join_token(
        self,
        session: AsyncSession,
        ctx: RequestContext,
        settings: Settings,
        keys: SigningKeys,
        actor: Actor,
        booking_id: uuid.UUID,
        *,
        location_state: str | None = None,
    ) -> JoinTokenRead:
        booking = await self._party_booking(session, actor, booking_id)
        if booking.status != "confirmed":
            raise ConsultNotJoinable(f"This visit is {booking.status}, so there is no call to join.")
        now = utcnow()
        opens, closes = self.window(settings, booking)
        if now < opens:
            raise JoinWindowClosed(
                f"The visit opens {settings.consult_join_early_minutes} minutes before it starts "
                f"(from {opens.isoformat()})."
            )
        if now >= closes:
            raise JoinWindowClosed("This visit's time has passed.")
        consult = await self._ensure(session, booking.id)
        if consult.status == "completed":
            raise ConsultNotJoinable("The psychiatrist has ended this consult.")
        role = SeatRole.patient if actor.role == Role.patient else SeatRole.psychiatrist
        if role is SeatRole.patient:
            if location_state is None:
                raise Unprocessable.on_field("body.location_state", "Confirm the state you are in now.")
            consult.patient_location_state = location_state
            consult.patient_location_confirmed_at = now
            consult.updated_at = now
            await session.flush()
            audit.record(
                session,
                ctx,
                action="consult.location_confirmed",
                subject_type="consult",
                subject_id=booking.id,
                patient_id=booking.patient_id,
                detail={"state": location_state},
            )
        expires_at = min(now + timedelta(minutes=settings.join_token_minutes), closes)
        token = mint_join_token(
            keys, consult_id=booking.id, user_id=actor.user_id, role=role, not_before=opens, expires_at=expires_at
        )
        audit.record(
            session,
            ctx,
            action="consult.join_token_issued",
            subject_type="consult",
            subject_id=booking.id,
            patient_id=booking.patient_id,
            detail={"role": role.value},
        )
        return JoinTokenRead(
            consult_id=booking.id,
            role=role.value,
            token=token,
            not_before=opens,
            expires_at=expires_at,
            signaling_url=_ws_url(settings, f"/ws/consults/{booking.id}"),
        )

    def issue_precall_token(self, settings: Settings, keys: SigningKeys, actor: Actor) -> PrecallTokenRead:
        """A token for the pre-call check (camera, microphone, network): no consult, no patient data."""
        expires_at = utcnow() + timedelta(minutes=settings.precall_token_minutes)
        return PrecallTokenRead(
            token=mint_precall_token(keys, user_id=actor.user_id, expires_at=expires_at),
            expires_at=expires_at,
            signaling_url=_ws_url(settings, "/ws/precall"),
        )

    # --- reading ----------------------------------------------------------------------------
    async def _read(
        self, session: AsyncSession, settings: Settings, booking: Booking, consult: Consult | None
    ) -> ConsultRead:
        opens, closes = self.window(settings, booking)
        return ConsultRead(
            booking_id=booking.id,
            status=consult.status if consult else "scheduled",
            starts_at=booking.starts_at,
            ends_at=booking.ends_at,
            join_opens_at=opens,
            join_closes_at=closes,
            patient_location=await self._location(session, booking, consult),
            waiting_since=consult.patient_waiting_since if consult else None,
            admitted_at=consult.admitted_at if consult else None,
            started_at=consult.started_at if consult else None,
            ended_at=consult.ended_at if consult else None,
            duration_seconds=consult.duration_seconds if consult else None,
            end_reason=consult.end_reason if consult else None,
        )

    async def get(
        self, session: AsyncSession, ctx: RequestContext, settings: Settings, actor: Actor, booking_id: uuid.UUID
    ) -> ConsultRead:
        booking = await self._party_booking(session, actor, booking_id)
        audit.record(
            session,
            ctx,
            action="consult.read",
            subject_type="consult",
            subject_id=booking.id,
            patient_id=booking.patient_id,
        )
        return await self._read(session, settings, booking, await repo.get(session, booking.id))

    async def messages(
        self, session: AsyncSession, ctx: RequestContext, actor: Actor, booking_id: uuid.UUID
    ) -> list[ChatMessageRead]:
        booking = await self._party_booking(session, actor, booking_id)
        rows = await repo.messages(session, booking.id)
        audit.record(
            session,
            ctx,
            action="consult.messages_read",
            subject_type="consult",
            subject_id=booking.id,
            patient_id=booking.patient_id,
            detail={"count": len(rows)},
        )
        return [
            ChatMessageRead(id=m.id, sender_role=m.sender_role, sender_id=m.sender_id, text=m.text, sent_at=m.sent_at)
            for m in rows
        ]

    async def waiting_room(
        self, session: AsyncSession, ctx: RequestContext, settings: Settings, actor: Actor, *, day: date | None
    ) -> list[WaitingRoomEntry]:
        """The psychiatrist's consults of one day (their own zone; today by default), with who waits."""
        if actor.role != Role.psychiatrist:
            raise Forbidden("The waiting room is the psychiatrist's.")
        profile = await clinician_service.get(session, actor.user_id)
        zone = ZoneInfo(profile.time_zone)
        day = day or utcnow().astimezone(zone).date()
        since = datetime.combine(day, datetime.min.time(), zone)
        until = datetime.combine(day + timedelta(days=1), datetime.min.time(), zone)
        bookings: Sequence[Booking] = await confirmed_bookings_of_psychiatrist(
            session, actor.user_id, since=since, until=until
        )
        consults = await repo.many(session, [b.id for b in bookings])
        names = await patient_service.contact_cards(session, list({b.patient_id for b in bookings}))
        now = utcnow()
        entries: list[WaitingRoomEntry] = []
        for b in bookings:
            consult = consults.get(b.id)
            opens, closes = self.window(settings, b)
            entries.append(
                WaitingRoomEntry(
                    booking_id=b.id,
                    patient_id=b.patient_id,
                    patient_name=names.get(b.patient_id, ("", None))[0],
                    starts_at=b.starts_at,
                    ends_at=b.ends_at,
                    status=consult.status if consult else "scheduled",
                    waiting_since=consult.patient_waiting_since if consult else None,
                    join_open=opens <= now < closes,
                    patient_location=await self._location(session, b, consult),
                )
            )
            audit.record(
                session,
                ctx,
                action="consult.waiting_room_listed",
                subject_type="consult",
                subject_id=b.id,
                patient_id=b.patient_id,
            )
        return entries

    # --- call events from signaling ---------------------------------------------------------
    def verify_internal_call(self, settings: Settings, body: bytes, signature: str | None) -> None:
        if not verify_body(internal_secret(settings), body, signature, now=int(time.time())):
            raise InternalCallRefused("The call-events endpoint takes requests signed by the signaling service.")

    async def record_events(
        self, session: AsyncSession, ctx: RequestContext, batch: CallEventBatchIn
    ) -> CallEventBatchResult:
        """Each event in order, each on its own: one the API refuses (no such consult, not a
        party of it) is answered as refused and takes nothing of the others with it."""
        results: list[CallEventOutcome] = []
        for event in batch.events:
            try:
                async with session.begin_nested():
                    result = await self.record_event(session, ctx, event)
            except (ConsultNotFound, EventNotForThisConsult) as exc:
                results.append(CallEventOutcome(event_id=event.event_id, outcome="refused", problem=exc.type_slug))
                continue
            outcome = "applied" if result.applied else "duplicate"
            results.append(CallEventOutcome(event_id=event.event_id, outcome=outcome, status=result.status))
        return CallEventBatchResult(results=results)

    async def record_event(self, session: AsyncSession, ctx: RequestContext, event: CallEventIn) -> CallEventResult:
        booking = await booking_for_consult(session, event.consult_id)
        if booking is None:
            raise ConsultNotFound()
        party = booking.patient_id if event.role == "patient" else booking.psychiatrist_id
        if party != event.user_id:
            raise EventNotForThisConsult()
        consult = await self._ensure(session, booking.id)
        if await repo.event_seen(session, event.event_id):
            return CallEventResult(applied=False, status=consult.status)
        now = utcnow()
        try:
            async with session.begin_nested():
                session.add(
                    CallEvent(
                        event_id=event.event_id,
                        booking_id=booking.id,
                        type=event.type,
                        role=event.role,
                        user_id=event.user_id,
                        at=event.at,
                        received_at=now,
                        reason=event.reason,
                    )
                )
                await session.flush()
        except IntegrityError:  # the same event, delivered twice at once
            return CallEventResult(applied=False, status=consult.status)
        self._apply(consult, event)
        consult.updated_at = now
        if event.chat is not None and await repo.message(session, event.chat.id) is None:
            session.add(
                ConsultMessage(
                    id=event.chat.id,
                    booking_id=booking.id,
                    sender_id=event.user_id,
                    sender_role=event.role,
                    text=event.chat.text,
                    sent_at=event.at,
                )
            )
        await session.flush()
        audit.record(
            session,
            ctx,
            action=f"consult.call_{event.type}",
            subject_type="consult",
            subject_id=booking.id,
            patient_id=booking.patient_id,
            actor_id=event.user_id,
            actor_role=event.role,
            detail={"event_id": str(event.event_id)},
        )
        return CallEventResult(applied=True, status=consult.status)

    @staticmethod
    def _apply(consult: Consult, event: CallEventIn) -> None:
        """Move the consult along; late or repeated events never move it back."""
        at = event.at
        if consult.status == "completed" or event.type == "chat":
            return
        if event.type == "joined":
            if event.role == "patient" and consult.status in ("scheduled", "waiting"):
                consult.status = "waiting"
                consult.patient_waiting_since = consult.patient_waiting_since or at
            elif event.role == "psychiatrist":
                consult.psychiatrist_joined_at = consult.psychiatrist_joined_at or at
        elif event.type == "left":
            if event.role == "patient" and consult.status == "waiting":
                consult.status = "scheduled"
                consult.patient_waiting_since = None
        elif event.type == "admitted":
            consult.admitted_at = consult.admitted_at or at
            consult.status = "in_progress"
            consult.patient_waiting_since = None
        elif event.type == "connected":
            consult.started_at = min(consult.started_at, at) if consult.started_at else at
            consult.status = "in_progress"
            consult.patient_waiting_since = None
        elif event.type == "ended":
            consult.status = "completed"
            consult.ended_at = at
            consult.end_reason = event.reason or "ended"
            consult.patient_waiting_since = None
            start = consult.started_at or consult.admitted_at
            consult.duration_seconds = max(0, int((at - start).total_seconds())) if start else None


consult_service = ConsultService()
