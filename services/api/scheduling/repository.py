from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, NamedTuple

from sqlalchemy import (
    JSON,
    ColumnElement,
    Date,
    Select,
    String,
    Uuid,
    and_,
    bindparam,
    cast,
    delete,
    exists,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.selectable import CompoundSelect

from services.api.accounts.models import User
from services.api.clinicians.models import License, PsychiatristProfile
from services.api.core.db import UTCDateTime
from services.api.patients.models import Patient
from services.api.scheduling.models import (
    AvailabilityOverride,
    AvailabilityRule,
    Booking,
    BookingReminder,
    ScheduleSettings,
    TimeOff,
    VisitType,
)


def holds_time(now: datetime) -> ColumnElement[bool]:
    """Rows that hold the psychiatrist's time now: confirmed, or held and not yet expired."""
    return or_(Booking.status == "confirmed", and_(Booking.status == "held", Booking.hold_expires_at > now))


@dataclass(frozen=True, slots=True)
class BookingTarget:
    """What booking one time needs besides the patient, read in one round trip."""

    visit_type: VisitType
    profile: PsychiatristProfile | None  # None: no such psychiatrist
    own: ScheduleSettings | None  # the psychiatrist's own knobs, if set
    licence: License | None  # in the patient's state, if any


@dataclass(slots=True)
class AvailabilityRows:
    """Weekly rules, date overrides and time off of some psychiatrists, read in one round trip."""

    # (psychiatrist, weekday, start, end), by weekday and start
    rules: list[tuple[uuid.UUID, int, time, time]] = field(default_factory=list)
    # (psychiatrist, date, windows)
    overrides: list[tuple[uuid.UUID, date, list[list[str]]]] = field(default_factory=list)
    # (psychiatrist, start, end)
    time_off: list[tuple[uuid.UUID, datetime, datetime]] = field(default_factory=list)
    # bookings in the way of a time, when asked for (see `ClashWindow`)
    clashes: list[Clash] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ClashWindow:
    """Ask for rows holding (or that held, if expired) the psychiatrist's [start, blocked_until)
    or the patient's own [start, end); `exclude` is the booking being moved."""

    psychiatrist_id: uuid.UUID
    patient_id: uuid.UUID
    start: datetime
    end: datetime
    blocked_until: datetime
    exclude: uuid.UUID | None = None


class Clash(NamedTuple):
    id: uuid.UUID
    psychiatrist_id: uuid.UUID
    starts_at: datetime
    blocked_until: datetime
    status: str
    hold_expires_at: datetime | None


# The booking path's queries, built once: each request only binds values (building the
# statement and its cache key again for every booking costs more CPU than running it).
_BOOKING_TARGET = (
    select(VisitType, PsychiatristProfile, ScheduleSettings, License)
    .select_from(VisitType)
    .outerjoin(PsychiatristProfile, PsychiatristProfile.user_id == bindparam("psychiatrist_id"))
    .outerjoin(ScheduleSettings, ScheduleSettings.psychiatrist_id == PsychiatristProfile.user_id)
    .outerjoin(
        License, and_(License.psychiatrist_id == PsychiatristProfile.user_id, License.state == bindparam("state"))
    )
    .where(VisitType.id == bindparam("visit_type_id"))
)

# Rules, overrides and time off as one UNION ALL (the three tables share no columns, so each
# branch fills its own; the first branch casts its NULLs, since PostgreSQL types a UNION's
# columns pairwise from the left).
_RULES = select(
    literal("r").label("kind"),
    AvailabilityRule.psychiatrist_id.label("pid"),
    AvailabilityRule.weekday.label("weekday"),
    AvailabilityRule.start_time.label("start_time"),
    AvailabilityRule.end_time.label("end_time"),
    cast(null(), Date).label("on_date"),
    cast(null(), JSON).label("windows"),
    cast(null(), UTCDateTime()).label("starts_at"),
    cast(null(), UTCDateTime()).label("ends_at"),
    cast(null(), Uuid()).label("booking_id"),
    cast(null(), String(12)).label("status"),
    cast(null(), UTCDateTime()).label("hold_expires_at"),
).where(AvailabilityRule.psychiatrist_id.in_(bindparam("ids", expanding=True)))
_OVERRIDES = select(
    literal("o"),
    AvailabilityOverride.psychiatrist_id,
    null(),
    null(),
    null(),
    AvailabilityOverride.on_date,
    AvailabilityOverride.windows,
    null(),
    null(),
    null(),
    null(),
    null(),
).where(
    AvailabilityOverride.psychiatrist_id.in_(bindparam("ids", expanding=True)),
    AvailabilityOverride.on_date >= bindparam("first"),
    AvailabilityOverride.on_date <= bindparam("last"),
)
_TIME_OFF = select(
    literal("t"),
    TimeOff.psychiatrist_id,
    null(),
    null(),
    null(),
    null(),
    null(),
    TimeOff.starts_at,
    TimeOff.ends_at,
    null(),
    null(),
    null(),
).where(
    TimeOff.psychiatrist_id.in_(bindparam("ids", expanding=True)),
    TimeOff.starts_at < bindparam("off_end"),
    TimeOff.ends_at > bindparam("off_start"),
)
_AVAILABILITY: CompoundSelect[*tuple[Any, ...]] = union_all(_RULES, _OVERRIDES, _TIME_OFF)


def _clash_conditions() -> ColumnElement[bool]:
    return and_(
        Booking.status.in_(("held", "confirmed")),
        or_(
            and_(
                Booking.psychiatrist_id == bindparam("psychiatrist_id"),
                Booking.starts_at < bindparam("blocked_until"),
                Booking.blocked_until > bindparam("start"),
            ),
            and_(
                Booking.patient_id == bindparam("patient_id"),
                Booking.starts_at < bindparam("end"),
                Booking.ends_at > bindparam("start"),
            ),
        ),
    )


# Checking one time: the same three plus the bookings in its way (`ClashWindow`), one round trip.
_CLASH_ROWS = select(
    literal("b"),
    Booking.psychiatrist_id,
    null(),
    null(),
    null(),
    null(),
    null(),
    Booking.starts_at,
    Booking.blocked_until,
    Booking.id,
    Booking.status,
    Booking.hold_expires_at,
).where(_clash_conditions(), or_(bindparam("exclude", type_=Uuid()).is_(None), Booking.id != bindparam("exclude")))
_AVAILABILITY_AND_CLASHES: CompoundSelect[*tuple[Any, ...]] = union_all(_RULES, _OVERRIDES, _TIME_OFF, _CLASH_ROWS)

# Rows of the psychiatrist overlapping [start, blocked_until) and rows of the patient
# overlapping [start, end) that hold (or held, if expired) time.
_CLASHES = select(Booking).where(_clash_conditions())
_CLASHES_EXCLUDING = _CLASHES.where(Booking.id != bindparam("exclude"))


class SchedulingRepository:
    # --- visit types ---------------------------------------------------------------------
    async def visit_type(self, session: AsyncSession, visit_type_id: uuid.UUID) -> VisitType | None:
        return await session.get(VisitType, visit_type_id)

    async def visit_type_by_code(self, session: AsyncSession, code: str) -> VisitType | None:
        return await session.scalar(select(VisitType).where(VisitType.code == code))

    async def visit_types(self, session: AsyncSession, *, active_only: bool) -> Sequence[VisitType]:
        stmt = select(VisitType).order_by(VisitType.duration_minutes, VisitType.name)
        if active_only:
            stmt = stmt.where(VisitType.active.is_(True))
        return (await session.scalars(stmt)).all()

    async def booking_target(
        self, session: AsyncSession, *, visit_type_id: uuid.UUID, psychiatrist_id: uuid.UUID, state: str
    ) -> BookingTarget | None:
        """The visit type with the psychiatrist's profile, own settings and licence in `state`
        (reads the clinicians' tables; nothing here writes them). None: no such visit type."""
        params = {"visit_type_id": visit_type_id, "psychiatrist_id": psychiatrist_id, "state": state}
        row = (await session.execute(_BOOKING_TARGET, params)).first()
        if row is None:
            return None
        return BookingTarget(visit_type=row[0], profile=row[1], own=row[2], licence=row[3])

    # --- availability --------------------------------------------------------------------
    async def availability(
        self,
        session: AsyncSession,
        ids: Sequence[uuid.UUID],
        *,
        first: date,
        last: date,
        off_start: datetime,
        off_end: datetime,
        clashes: ClashWindow | None = None,
    ) -> AvailabilityRows:
        """Rules, overrides dated `first`..`last` and time off touching [off_start, off_end)
        (and the bookings in the way of one time, when asked), in one round trip."""
        found = AvailabilityRows()
        row: Any
        params: dict[str, Any] = {
            "ids": list(ids),
            "first": first,
            "last": last,
            "off_start": off_start,
            "off_end": off_end,
        }
        stmt = _AVAILABILITY
        if clashes is not None:
            stmt = _AVAILABILITY_AND_CLASHES
            params.update(
                psychiatrist_id=clashes.psychiatrist_id,
                patient_id=clashes.patient_id,
                start=clashes.start,
                end=clashes.end,
                blocked_until=clashes.blocked_until,
                exclude=clashes.exclude,
            )
        for row in (await session.execute(stmt, params)).all():
            kind, pid = row[0], row[1]
            if kind == "r":
                found.rules.append((pid, row[2], row[3], row[4]))
            elif kind == "o":
                found.overrides.append((pid, row[5], row[6]))
            elif kind == "t":
                found.time_off.append((pid, row[7], row[8]))
            else:
                found.clashes.append(Clash(row[9], pid, row[7], row[8], row[10], row[11]))
        found.rules.sort(key=lambda r: (r[1], r[2]))
        return found

    async def lock_psychiatrist(self, session: AsyncSession, psychiatrist_id: uuid.UUID) -> None:
        """Serialise edits of one psychiatrist's availability (SQLite writers already are)."""
        if session.get_bind().dialect.name == "postgresql":
            await session.execute(
                select(PsychiatristProfile.user_id)
                .where(PsychiatristProfile.user_id == psychiatrist_id)
                .with_for_update()
            )

    async def schedule_settings(self, session: AsyncSession, psychiatrist_id: uuid.UUID) -> ScheduleSettings | None:
        return await session.get(ScheduleSettings, psychiatrist_id)

    async def schedule_settings_for(
        self, session: AsyncSession, ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, ScheduleSettings]:
        rows = (await session.scalars(select(ScheduleSettings).where(ScheduleSettings.psychiatrist_id.in_(ids)))).all()
        return {r.psychiatrist_id: r for r in rows}

    async def rules(self, session: AsyncSession, ids: Sequence[uuid.UUID]) -> Sequence[AvailabilityRule]:
        return (
            await session.scalars(
                select(AvailabilityRule)
                .where(AvailabilityRule.psychiatrist_id.in_(ids))
                .order_by(AvailabilityRule.weekday, AvailabilityRule.start_time)
            )
        ).all()

    async def rule(self, session: AsyncSession, rule_id: uuid.UUID) -> AvailabilityRule | None:
        return await session.get(AvailabilityRule, rule_id)

    async def overrides(
        self, session: AsyncSession, ids: Sequence[uuid.UUID], first: date, last: date
    ) -> Sequence[AvailabilityOverride]:
        return (
            await session.scalars(
                select(AvailabilityOverride)
                .where(
                    AvailabilityOverride.psychiatrist_id.in_(ids),
                    AvailabilityOverride.on_date >= first,
                    AvailabilityOverride.on_date <= last,
                )
                .order_by(AvailabilityOverride.on_date)
            )
        ).all()

    async def override_on(
        self, session: AsyncSession, psychiatrist_id: uuid.UUID, on_date: date
    ) -> AvailabilityOverride | None:
        return await session.scalar(
            select(AvailabilityOverride).where(
                AvailabilityOverride.psychiatrist_id == psychiatrist_id, AvailabilityOverride.on_date == on_date
            )
        )

    async def time_off(
        self, session: AsyncSession, ids: Sequence[uuid.UUID], start: datetime, end: datetime
    ) -> Sequence[TimeOff]:
        return (
            await session.scalars(
                select(TimeOff)
                .where(TimeOff.psychiatrist_id.in_(ids), TimeOff.starts_at < end, TimeOff.ends_at > start)
                .order_by(TimeOff.starts_at)
            )
        ).all()

    async def time_off_entry(self, session: AsyncSession, entry_id: uuid.UUID) -> TimeOff | None:
        return await session.get(TimeOff, entry_id)

    # --- bookings ------------------------------------------------------------------------
    async def busy(
        self, session: AsyncSession, ids: Sequence[uuid.UUID], start: datetime, end: datetime, now: datetime
    ) -> Sequence[tuple[uuid.UUID, uuid.UUID, datetime, datetime]]:
        """(booking id, psychiatrist id, start, blocked-until) of rows holding time in a range."""
        rows = await session.execute(
            select(Booking.id, Booking.psychiatrist_id, Booking.starts_at, Booking.blocked_until).where(
                Booking.psychiatrist_id.in_(ids),
                Booking.starts_at < end,
                Booking.blocked_until > start,
                holds_time(now),
            )
        )
        return [(r[0], r[1], r[2], r[3]) for r in rows.all()]

    async def expire_stale_holds(
        self, session: AsyncSession, psychiatrist_id: uuid.UUID, start: datetime, end: datetime, now: datetime
    ) -> None:
        """Release expired holds in a range so the no-overlap constraint lets the time go."""
        await session.execute(
            update(Booking)
            .where(
                Booking.psychiatrist_id == psychiatrist_id,
                Booking.status == "held",
                Booking.hold_expires_at <= now,
                Booking.starts_at < end,
                Booking.blocked_until > start,
            )
            .values(status="expired")
            .execution_options(synchronize_session=False)
        )

    async def delete_expired_holds(self, session: AsyncSession, before: datetime) -> int:
        """Cleanup: holds that expired before `before` and never became bookings."""
        result = await session.execute(
            update(Booking)
            .where(Booking.status == "held", Booking.hold_expires_at <= before)
            .values(status="expired")
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def booking(self, session: AsyncSession, booking_id: uuid.UUID, *, lock: bool = False) -> Booking | None:
        if lock and session.get_bind().dialect.name == "postgresql":
            return await session.scalar(select(Booking).where(Booking.id == booking_id).with_for_update())
        return await session.get(Booking, booking_id)

    async def bookings(
        self,
        session: AsyncSession,
        *,
        patient_id: uuid.UUID | None,
        psychiatrist_id: uuid.UUID | None,
        status: str | None,
        since: datetime | None,
        until: datetime | None,
        offset: int,
        limit: int,
    ) -> tuple[Sequence[Booking], int]:
        stmt = select(Booking)
        if patient_id:
            stmt = stmt.where(Booking.patient_id == patient_id)
        if psychiatrist_id:
            stmt = stmt.where(Booking.psychiatrist_id == psychiatrist_id)
        if status:
            stmt = stmt.where(Booking.status == status)
        if since:
            stmt = stmt.where(Booking.starts_at >= since)
        if until:
            stmt = stmt.where(Booking.starts_at < until)
        total = await session.scalar(select(func.count()).select_from(stmt.subquery()))
        rows = (await session.scalars(stmt.order_by(Booking.starts_at, Booking.id).offset(offset).limit(limit))).all()
        return rows, int(total or 0)

    async def clashes(
        self,
        session: AsyncSession,
        *,
        psychiatrist_id: uuid.UUID,
        patient_id: uuid.UUID,
        start: datetime,
        end: datetime,
        blocked_until: datetime,
        exclude: uuid.UUID | None,
    ) -> Sequence[Booking]:
        """In one round trip: rows of the psychiatrist overlapping [start, blocked_until) and rows
        of the patient overlapping [start, end), that hold (or held, if expired) time."""
        params = {
            "psychiatrist_id": psychiatrist_id,
            "patient_id": patient_id,
            "start": start,
            "end": end,
            "blocked_until": blocked_until,
        }
        if exclude:
            return (await session.scalars(_CLASHES_EXCLUDING, {**params, "exclude": exclude})).all()
        return (await session.scalars(_CLASHES, params)).all()

    async def expire_holds(self, session: AsyncSession, ids: Sequence[uuid.UUID], now: datetime) -> None:
        await session.execute(
            update(Booking)
            .where(Booking.id.in_(ids), Booking.status == "held", Booking.hold_expires_at <= now)
            .values(status="expired")
            .execution_options(synchronize_session=False)
        )

    async def patient_overlap(
        self,
        session: AsyncSession,
        patient_id: uuid.UUID,
        start: datetime,
        end: datetime,
        now: datetime,
        *,
        exclude: uuid.UUID | None = None,
    ) -> bool:
        stmt = select(Booking.id).where(
            Booking.patient_id == patient_id, Booking.starts_at < end, Booking.ends_at > start, holds_time(now)
        )
        if exclude:
            stmt = stmt.where(Booking.id != exclude)
        return (await session.scalar(stmt.limit(1))) is not None

    async def is_established(self, session: AsyncSession, patient_id: uuid.UUID, now: datetime) -> bool:
        """An established patient has had a visit: a confirmed booking that has ended."""
        return bool(
            await session.scalar(
                select(
                    exists().where(
                        Booking.patient_id == patient_id, Booking.status == "confirmed", Booking.ends_at <= now
                    )
                )
            )
        )

    async def patient_contact(self, session: AsyncSession, patient_id: uuid.UUID) -> tuple[Patient, User] | None:
        """The patient's zone, language and address: what a booking e-mail needs."""
        row = (
            await session.execute(
                select(Patient, User).join(User, User.id == Patient.user_id).where(Patient.user_id == patient_id)
            )
        ).first()
        return (row[0], row[1]) if row else None

    async def psychiatrist_names(self, session: AsyncSession, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]:
        rows = await session.execute(
            select(PsychiatristProfile.user_id, PsychiatristProfile.display_name).where(
                PsychiatristProfile.user_id.in_(ids)
            )
        )
        return {r[0]: r[1] for r in rows.all()}

    # --- reminders -----------------------------------------------------------------------
    async def drop_pending_reminders(self, session: AsyncSession, booking_id: uuid.UUID) -> None:
        await session.execute(
            delete(BookingReminder).where(BookingReminder.booking_id == booking_id, BookingReminder.status == "pending")
        )

    async def existing_reminders(self, session: AsyncSession, booking_id: uuid.UUID) -> set[tuple[int, datetime]]:
        rows = await session.execute(
            select(BookingReminder.offset_minutes, BookingReminder.due_at).where(
                BookingReminder.booking_id == booking_id
            )
        )
        return {(r[0], r[1]) for r in rows.all()}

    def _upcoming_confirmed(self, now: datetime) -> Select[uuid.UUID]:
        return select(Booking.id).where(Booking.status == "confirmed", Booking.starts_at > now)

    async def upcoming_confirmed(self, session: AsyncSession, now: datetime) -> Sequence[tuple[uuid.UUID, datetime]]:
        """(id, start) of every confirmed booking still ahead."""
        rows = await session.execute(self._upcoming_confirmed(now).add_columns(Booking.starts_at))
        return [(r[0], r[1]) for r in rows.all()]

    async def drop_pending_reminders_of_upcoming(self, session: AsyncSession, now: datetime) -> None:
        await session.execute(
            delete(BookingReminder)
            .where(BookingReminder.status == "pending", BookingReminder.booking_id.in_(self._upcoming_confirmed(now)))
            .execution_options(synchronize_session=False)
        )

    async def reminders_of_upcoming(self, session: AsyncSession, now: datetime) -> set[tuple[uuid.UUID, int, datetime]]:
        """(booking, offset, due) of the reminders upcoming bookings have (after the drop: those gone out)."""
        rows = await session.execute(
            select(BookingReminder.booking_id, BookingReminder.offset_minutes, BookingReminder.due_at).where(
                BookingReminder.booking_id.in_(self._upcoming_confirmed(now))
            )
        )
        return {(r[0], r[1], r[2]) for r in rows.all()}

    async def claim_due_reminders(self, session: AsyncSession, now: datetime, limit: int) -> Sequence[BookingReminder]:
        stmt = (
            select(BookingReminder)
            .where(BookingReminder.status == "pending", BookingReminder.due_at <= now)
            .order_by(BookingReminder.due_at)
            .limit(limit)
        )
        if session.get_bind().dialect.name == "postgresql":
            # A second worker skips rows this one holds; the status change commits with the
            # outbox rows, so each reminder becomes exactly one e-mail.
            stmt = stmt.with_for_update(skip_locked=True)
        return (await session.scalars(stmt)).all()


scheduling_repository = SchedulingRepository()
