"""Read-only queries that put a patient's history in one order.

The timeline owns no tables: like billing, it is a view across the scheduling, consults, notes,
scales, screening, consents, treatment, safety and audit domains, and reads their tables (never
writes them). A page costs a bounded number of queries however long the history is: one
UNION ALL over every source gives the page's (kind, time, row) keys in order, one count, then
one query per source that appears on the page loads its rows by id, and one query the names.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Select, String, Uuid, cast, func, literal_column, null, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from services.api.accounts.models import User
from services.api.audit.models import AuditEntry
from services.api.clinicians.models import PsychiatristProfile
from services.api.consents.models import ConsentSignature
from services.api.consults.models import Consult
from services.api.notes.models import NoteAddendum, VisitNote
from services.api.safety.models import SafetyTask
from services.api.scales.models import ScaleResult
from services.api.scheduling.models import Booking, VisitType
from services.api.screening.models import Intake, ScreeningFlag
from services.api.treatment.models import InfusionSession, TreatmentPlan, TreatmentPlanStatusChange

RESCHEDULED_ACTION = "booking.rescheduled"  # the audit action scheduling writes on each move


@dataclass(frozen=True, slots=True)
class EventKey:
    """One event's place in the timeline: the source row is `ref`, or audit entry `seq`."""

    kind: str
    at: datetime
    ref: uuid.UUID | None
    seq: int


@dataclass(frozen=True, slots=True)
class Window:
    since: datetime | None = None  # inclusive, UTC
    until: datetime | None = None  # exclusive, UTC


def _key(kind: str, at: Any, ref: Any, seq: Any = None) -> Select[Any]:
    # The kind is one of our own constants, never input; written inline so every branch of the
    # UNION has the same plain text column on both databases.
    return select(
        cast(literal_column(f"'{kind}'"), String(40)).label("kind"),
        at.label("at"),
        (ref if ref is not None else cast(null(), Uuid())).label("ref"),
        (seq if seq is not None else cast(literal_column("0"), BigInteger())).label("seq"),
    )


def _branches(patient_id: uuid.UUID, now: datetime) -> dict[str, Select[Any]]:
    """Every kind of event, each as a SELECT of (kind, at, ref, seq) for this patient."""
    booking_of_patient = Booking.patient_id == patient_id
    return {
        # A hold that lapsed unpaid was never a visit: only bookings that were (or still may be) kept.
        "visit_booked": _key("visit_booked", Booking.created_at, Booking.id).where(
            booking_of_patient,
            Booking.status.not_in(("expired", "released")),
            or_(Booking.status != "held", Booking.hold_expires_at > now),
        ),
        "visit_rescheduled": _key("visit_rescheduled", AuditEntry.at, None, AuditEntry.id).where(
            AuditEntry.patient_id == patient_id, AuditEntry.action == RESCHEDULED_ACTION
        ),
        "visit_cancelled": _key("visit_cancelled", Booking.cancelled_at, Booking.id).where(
            booking_of_patient, Booking.status == "cancelled", Booking.cancelled_at.is_not(None)
        ),
        "visit_no_show": _key("visit_no_show", Booking.no_show_at, Booking.id).where(
            booking_of_patient, Booking.no_show_at.is_not(None)
        ),
        "visit_completed": _key("visit_completed", Consult.ended_at, Booking.id)
        .join(Booking, Booking.id == Consult.booking_id)
        .where(booking_of_patient, Consult.status == "completed", Consult.ended_at.is_not(None)),
        "note_signed": _key("note_signed", VisitNote.signed_at, VisitNote.id).where(
            VisitNote.patient_id == patient_id, VisitNote.status == "signed", VisitNote.signed_at.is_not(None)
        ),
        "note_addendum": _key("note_addendum", NoteAddendum.signed_at, NoteAddendum.id)
        .join(VisitNote, VisitNote.id == NoteAddendum.note_id)
        .where(VisitNote.patient_id == patient_id),
        "scale_submitted": _key("scale_submitted", ScaleResult.entered_at, ScaleResult.id).where(
            ScaleResult.patient_id == patient_id
        ),
        "intake_submitted": _key("intake_submitted", Intake.submitted_at, Intake.id).where(
            Intake.patient_id == patient_id, Intake.status == "submitted", Intake.submitted_at.is_not(None)
        ),
        "flag_raised": _key("flag_raised", ScreeningFlag.created_at, ScreeningFlag.id).where(
            ScreeningFlag.patient_id == patient_id
        ),
        "flag_reviewed": _key("flag_reviewed", ScreeningFlag.reviewed_at, ScreeningFlag.id).where(
            ScreeningFlag.patient_id == patient_id, ScreeningFlag.reviewed_at.is_not(None)
        ),
        "consent_signed": _key("consent_signed", ConsentSignature.signed_at, ConsentSignature.id).where(
            ConsentSignature.patient_id == patient_id
        ),
        "plan_created": _key("plan_created", TreatmentPlan.created_at, TreatmentPlan.id).where(
            TreatmentPlan.patient_id == patient_id
        ),
        "plan_status_changed": _key(
            "plan_status_changed", TreatmentPlanStatusChange.changed_at, TreatmentPlanStatusChange.id
        )
        .join(TreatmentPlan, TreatmentPlan.id == TreatmentPlanStatusChange.plan_id)
        .where(TreatmentPlan.patient_id == patient_id),
        "infusion_session": _key("infusion_session", InfusionSession.started_at, InfusionSession.id).where(
            InfusionSession.patient_id == patient_id
        ),
        "safety_task_opened": _key("safety_task_opened", SafetyTask.created_at, SafetyTask.id).where(
            SafetyTask.patient_id == patient_id
        ),
        "safety_task_acknowledged": _key("safety_task_acknowledged", SafetyTask.acknowledged_at, SafetyTask.id).where(
            SafetyTask.patient_id == patient_id, SafetyTask.acknowledged_at.is_not(None)
        ),
    }


# --- what a page's rows hydrate from ------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class BookingLine:
    booking: Booking
    visit_type: VisitType
    psychiatrist_name: str
    duration_seconds: int | None


@dataclass(frozen=True, slots=True)
class NoteLine:
    id: uuid.UUID
    template: str
    visit_at: datetime
    consult_id: uuid.UUID | None
    signed_by: uuid.UUID | None
    signer_name: str | None


@dataclass(frozen=True, slots=True)
class AddendumLine:
    id: uuid.UUID
    note_id: uuid.UUID
    author_id: uuid.UUID
    author_name: str
    template: str
    visit_at: datetime
    consult_id: uuid.UUID | None


@dataclass(frozen=True, slots=True)
class ScaleLine:
    result: ScaleResult
    superseded: bool


@dataclass(frozen=True, slots=True)
class IntakeLine:
    id: uuid.UUID
    form_version: str
    flags_raised: int


@dataclass(frozen=True, slots=True)
class PlanChangeLine:
    change: TreatmentPlanStatusChange
    plan: TreatmentPlan


class TimelineRepository:
    async def page(
        self,
        session: AsyncSession,
        patient_id: uuid.UUID,
        *,
        kinds: Collection[str],
        window: Window,
        now: datetime,
        offset: int,
        limit: int,
    ) -> tuple[list[EventKey], int]:
        """The page's event keys, newest first, and how many events match in all."""
        branches = [q for kind, q in _branches(patient_id, now).items() if kind in kinds]
        if not branches:
            return [], 0
        events = (branches[0] if len(branches) == 1 else branches[0].union_all(*branches[1:])).subquery("events")
        where: list[ColumnElement[bool]] = []
        if window.since is not None:
            where.append(events.c.at >= window.since)
        if window.until is not None:
            where.append(events.c.at < window.until)
        total = int(await session.scalar(select(func.count()).select_from(events).where(*where)) or 0)
        stmt = (
            select(events.c.kind, events.c.at, events.c.ref, events.c.seq)
            .where(*where)
            .order_by(events.c.at.desc(), events.c.kind, events.c.ref.desc(), events.c.seq.desc())
            .offset(offset)
            .limit(limit)
        )
        rows = (await session.execute(stmt)).all()
        return [EventKey(str(kind), at, ref, int(seq or 0)) for kind, at, ref, seq in rows], total

    async def rescheduled_bookings(self, session: AsyncSession, entry_ids: Sequence[int]) -> dict[int, uuid.UUID]:
        """The booking each `booking.rescheduled` audit entry is about."""
        if not entry_ids:
            return {}
        rows = await session.execute(
            select(AuditEntry.id, AuditEntry.subject_id).where(AuditEntry.id.in_(set(entry_ids)))
        )
        out: dict[int, uuid.UUID] = {}
        for entry_id, subject_id in rows:
            try:
                out[int(entry_id)] = uuid.UUID(str(subject_id))
            except ValueError:
                continue  # not a booking id: leave the event out rather than guess
        return out

    async def bookings(self, session: AsyncSession, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, BookingLine]:
        if not ids:
            return {}
        stmt = (
            select(Booking, VisitType, PsychiatristProfile.display_name, Consult.duration_seconds)
            .join(VisitType, VisitType.id == Booking.visit_type_id)
            .join(PsychiatristProfile, PsychiatristProfile.user_id == Booking.psychiatrist_id)
            .outerjoin(Consult, Consult.booking_id == Booking.id)
            .where(Booking.id.in_(set(ids)))
        )
        return {b.id: BookingLine(b, vt, name, seconds) for b, vt, name, seconds in (await session.execute(stmt)).all()}

    async def notes(self, session: AsyncSession, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, NoteLine]:
        if not ids:
            return {}
        # Only what the timeline shows: never the note's text.
        stmt = select(
            VisitNote.id,
            VisitNote.template,
            VisitNote.visit_at,
            VisitNote.consult_id,
            VisitNote.signed_by,
            VisitNote.signer_name,
        ).where(VisitNote.id.in_(set(ids)))
        return {row[0]: NoteLine(*row) for row in (await session.execute(stmt)).all()}

    async def addenda(self, session: AsyncSession, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, AddendumLine]:
        if not ids:
            return {}
        stmt = (
            select(
                NoteAddendum.id,
                NoteAddendum.note_id,
                NoteAddendum.author_id,
                NoteAddendum.author_name,
                VisitNote.template,
                VisitNote.visit_at,
                VisitNote.consult_id,
            )
            .join(VisitNote, VisitNote.id == NoteAddendum.note_id)
            .where(NoteAddendum.id.in_(set(ids)))
        )
        return {row[0]: AddendumLine(*row) for row in (await session.execute(stmt)).all()}

    async def scale_results(self, session: AsyncSession, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, ScaleLine]:
        if not ids:
            return {}
        later = aliased(ScaleResult, name="later")
        superseded = select(later.id).where(later.supersedes_id == ScaleResult.id).exists()
        stmt = select(ScaleResult, superseded).where(ScaleResult.id.in_(set(ids)))
        return {r.id: ScaleLine(r, bool(s)) for r, s in (await session.execute(stmt)).all()}

    async def intakes(self, session: AsyncSession, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, IntakeLine]:
        if not ids:
            return {}
        flags = select(func.count(ScreeningFlag.id)).where(ScreeningFlag.intake_id == Intake.id).scalar_subquery()
        stmt = select(Intake.id, Intake.form_version, flags).where(Intake.id.in_(set(ids)))
        return {i: IntakeLine(i, version, int(n or 0)) for i, version, n in (await session.execute(stmt)).all()}

    async def flags(self, session: AsyncSession, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, ScreeningFlag]:
        if not ids:
            return {}
        rows = await session.scalars(select(ScreeningFlag).where(ScreeningFlag.id.in_(set(ids))))
        return {f.id: f for f in rows}

    async def consents(self, session: AsyncSession, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, ConsentSignature]:
        if not ids:
            return {}
        rows = await session.scalars(select(ConsentSignature).where(ConsentSignature.id.in_(set(ids))))
        return {c.id: c for c in rows}

    async def plans(self, session: AsyncSession, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, TreatmentPlan]:
        if not ids:
            return {}
        rows = await session.scalars(select(TreatmentPlan).where(TreatmentPlan.id.in_(set(ids))))
        return {p.id: p for p in rows}

    async def plan_changes(self, session: AsyncSession, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, PlanChangeLine]:
        if not ids:
            return {}
        stmt = (
            select(TreatmentPlanStatusChange, TreatmentPlan)
            .join(TreatmentPlan, TreatmentPlan.id == TreatmentPlanStatusChange.plan_id)
            .where(TreatmentPlanStatusChange.id.in_(set(ids)))
        )
        return {c.id: PlanChangeLine(c, p) for c, p in (await session.execute(stmt)).all()}

    async def infusions(self, session: AsyncSession, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, InfusionSession]:
        if not ids:
            return {}
        rows = await session.scalars(select(InfusionSession).where(InfusionSession.id.in_(set(ids))))
        return {s.id: s for s in rows}

    async def safety_tasks(self, session: AsyncSession, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, SafetyTask]:
        if not ids:
            return {}
        rows = await session.scalars(select(SafetyTask).where(SafetyTask.id.in_(set(ids))))
        return {t.id: t for t in rows}

    async def names(self, session: AsyncSession, user_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, str]:
        """Who did what: a psychiatrist's display name, else the account's name."""
        if not user_ids:
            return {}
        stmt = (
            select(User.id, func.coalesce(PsychiatristProfile.display_name, User.full_name))
            .outerjoin(PsychiatristProfile, PsychiatristProfile.user_id == User.id)
            .where(User.id.in_(set(user_ids)))
        )
        return {uid: str(name) for uid, name in (await session.execute(stmt)).all()}

    async def psychiatrist_zone(self, session: AsyncSession, psychiatrist_id: uuid.UUID) -> str | None:
        zone: str | None = await session.scalar(
            select(PsychiatristProfile.time_zone).where(PsychiatristProfile.user_id == psychiatrist_id)
        )
        return zone


timeline_repository = TimelineRepository()
