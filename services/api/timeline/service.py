"""A care-team patient's history, newest first, for the psychiatrist: visits, notes, scores,
intake and flags, consents, treatment plans, infusions and safety tasks.

Who may read it is the chart's rule (`patient_service.ensure_may_view_chart`); the route admits
psychiatrists only, so admins, who never read clinical content, are refused at the gate.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import TypeAdapter
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.audit import service as audit
from services.api.consents.models import ConsentSignature
from services.api.core.context import Actor, RequestContext
from services.api.core.errors import FieldError, Unprocessable
from services.api.core.pagination import PageParams
from services.api.patients.service import patient_service
from services.api.safety.models import SafetyTask
from services.api.scales.definitions import current as current_scale
from services.api.scales.definitions import version as scale_version
from services.api.scheduling.service import EndBeforeStart
from services.api.screening.models import ScreeningFlag
from services.api.timeline.repository import (
    AddendumLine,
    BookingLine,
    EventKey,
    IntakeLine,
    NoteLine,
    PlanChangeLine,
    ScaleLine,
    Window,
)
from services.api.timeline.repository import timeline_repository as repo
from services.api.timeline.schemas import EVENT_KINDS, TimelineEvent, TimelinePage
from services.api.treatment.models import InfusionSession, TreatmentPlan, TreatmentPlanStatusChange
from services.common.clock import utcnow

EARLIEST = date(2000, 1, 1)
LATEST = date(2199, 12, 31)
FALLBACK_ZONE = "UTC"

VISIT_KINDS = frozenset({"visit_booked", "visit_rescheduled", "visit_cancelled", "visit_no_show", "visit_completed"})


class DateOutOfRange(Unprocessable):
    title = "The date is out of range"
    type_slug = "date-out-of-range"


@dataclass(frozen=True, slots=True)
class TimelineQuery:
    """The filters: kinds of event (none: all) and calendar days in the viewer's zone (inclusive)."""

    kinds: frozenset[str] | None = None
    first: date | None = None
    last: date | None = None


def _field(cls: type[Unprocessable], field: str, message: str, code: str) -> Unprocessable:
    return cls(message, errors=[FieldError(field=field, message=message, code=code)])


def check_days(first: date | None, last: date | None) -> None:
    for name, day in (("query.from", first), ("query.to", last)):
        if day is not None and not EARLIEST <= day <= LATEST:
            raise _field(
                DateOutOfRange,
                name,
                f"Give a date between {EARLIEST.isoformat()} and {LATEST.isoformat()}.",
                "date_out_of_range",
            )
    if first is not None and last is not None and last < first:
        raise _field(EndBeforeStart, "query.to", "The last day is before the first day.", "end_before_start")


def window(first: date | None, last: date | None, zone: str) -> Window:
    """Local midnights of the first day and of the day after the last, as UTC instants."""
    tz = ZoneInfo(zone)

    def midnight(day: date) -> datetime:
        return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)

    return Window(
        since=midnight(first) if first is not None else None,
        until=midnight(last + timedelta(days=1)) if last is not None else None,
    )


def _event_id(key: EventKey) -> str:
    return f"{key.kind}:{key.ref if key.ref is not None else key.seq}"


def _max_total(code: str, ver: str) -> int:
    definition = scale_version(code, ver) or current_scale(code)
    return definition.max_total


_EVENT: TypeAdapter[TimelineEvent] = TypeAdapter(TimelineEvent)


@dataclass(slots=True)
class _Rows:
    """The source rows of one page, by id, and how each event reads from them."""

    moved: dict[int, uuid.UUID]
    bookings: dict[uuid.UUID, BookingLine]
    notes: dict[uuid.UUID, NoteLine]
    addenda: dict[uuid.UUID, AddendumLine]
    scales: dict[uuid.UUID, ScaleLine]
    intakes: dict[uuid.UUID, IntakeLine]
    flags: dict[uuid.UUID, ScreeningFlag]
    consents: dict[uuid.UUID, ConsentSignature]
    plans: dict[uuid.UUID, TreatmentPlan]
    changes: dict[uuid.UUID, PlanChangeLine]
    infusions: dict[uuid.UUID, InfusionSession]
    tasks: dict[uuid.UUID, SafetyTask]
    names: dict[uuid.UUID, str] = field(default_factory=dict)

    def booking_of(self, key: EventKey) -> BookingLine | None:
        booking_id = self.moved.get(key.seq) if key.kind == "visit_rescheduled" else key.ref
        return self.bookings.get(booking_id) if booking_id is not None else None

    def actor_ids(self, keys: list[EventKey]) -> set[uuid.UUID]:
        """Everyone named on the page: who cancelled, entered, reviewed, created or acknowledged."""
        found: set[uuid.UUID | None] = set()
        for key in keys:
            ref = key.ref
            if ref is None:
                continue
            if key.kind == "visit_cancelled" and ref in self.bookings:
                found.add(self.bookings[ref].booking.cancelled_by)
            elif key.kind == "visit_no_show" and ref in self.bookings:
                found.add(self.bookings[ref].booking.no_show_marked_by)
            elif key.kind == "scale_submitted" and ref in self.scales:
                found.add(self.scales[ref].result.entered_by_id)
            elif key.kind == "flag_reviewed" and ref in self.flags:
                found.add(self.flags[ref].reviewed_by)
            elif key.kind == "plan_created" and ref in self.plans:
                found.add(self.plans[ref].created_by)
            elif key.kind == "plan_status_changed" and ref in self.changes:
                found.add(self.changes[ref].change.changed_by)
            elif key.kind == "infusion_session" and ref in self.infusions:
                found.add(self.infusions[ref].created_by)
            elif key.kind == "safety_task_acknowledged" and ref in self.tasks:
                found.add(self.tasks[ref].acknowledged_by)
        return {a for a in found if a is not None}

    def name(self, user_id: uuid.UUID | None) -> str | None:
        return self.names.get(user_id) if user_id is not None else None

    def event(self, key: EventKey) -> dict[str, Any] | None:
        kind, ref = key.kind, key.ref
        if kind in VISIT_KINDS:
            line = self.booking_of(key)
            return None if line is None else self._visit(kind, line)
        if ref is None:
            return None
        if kind == "note_signed" and (n := self.notes.get(ref)) is not None:
            return {
                "actor_name": n.signer_name,
                "note_id": n.id,
                "template": n.template,
                "visit_at": n.visit_at,
                "booking_id": n.consult_id,
                "addendum_id": None,
            }
        if kind == "note_addendum" and (a := self.addenda.get(ref)) is not None:
            return {
                "actor_name": a.author_name,
                "note_id": a.note_id,
                "template": a.template,
                "visit_at": a.visit_at,
                "booking_id": a.consult_id,
                "addendum_id": a.id,
            }
        if kind == "scale_submitted" and (s := self.scales.get(ref)) is not None:
            r = s.result
            return {
                "actor_name": self.name(r.entered_by_id) if r.entered_by_role == "clinician" else None,
                "result_id": r.id,
                "scale": r.scale,
                "total": r.total,
                "max_total": _max_total(r.scale, r.scale_version),
                "band": r.band,
                "urgent": r.urgent,
                "entered_by": r.entered_by_role,
                "corrects_earlier": r.supersedes_id is not None,
                "superseded": s.superseded,
            }
        if kind == "intake_submitted" and (i := self.intakes.get(ref)) is not None:
            return {
                "actor_name": None,
                "intake_id": i.id,
                "form_version": i.form_version,
                "flags_raised": i.flags_raised,
            }
        if kind in ("flag_raised", "flag_reviewed") and (f := self.flags.get(ref)) is not None:
            reviewed = kind == "flag_reviewed"
            return {
                "actor_name": self.name(f.reviewed_by) if reviewed else None,
                "flag_id": f.id,
                "rule_id": f.rule_id,
                "severity": f.severity,
                "message": f.message,
                "status": f.status,
                "review_reason": f.review_reason if reviewed else None,
            }
        if kind == "consent_signed" and (c := self.consents.get(ref)) is not None:
            return {
                "actor_name": None,
                "consent_id": c.id,
                "consent_kind": c.kind,
                "version": c.version,
                "language": c.language,
            }
        if kind == "plan_created" and (p := self.plans.get(ref)) is not None:
            return self._plan(p, actor=p.created_by, change=None)
        if kind == "plan_status_changed" and (ch := self.changes.get(ref)) is not None:
            return self._plan(ch.plan, actor=ch.change.changed_by, change=ch.change)
        if kind == "infusion_session" and (inf := self.infusions.get(ref)) is not None:
            return {
                "actor_name": self.name(inf.created_by),
                "session_id": inf.id,
                "plan_id": inf.plan_id,
                "sequence": inf.sequence,
                "phase": inf.phase,
                "status": inf.status,
                "dose_mg": float(inf.dose_mg),
                "cadss6_score": inf.cadss6_score,
                "serious_event": inf.serious_event,
            }
        if kind in ("safety_task_opened", "safety_task_acknowledged") and (t := self.tasks.get(ref)) is not None:
            return {
                "actor_name": self.name(t.acknowledged_by) if kind == "safety_task_acknowledged" else None,
                "task_id": t.id,
                "task_kind": t.kind,
                "status": t.status,
                "due_at": t.due_at,
            }
        return None

    def _visit(self, kind: str, line: BookingLine) -> dict[str, Any]:
        b, vt = line.booking, line.visit_type
        cancelled = kind == "visit_cancelled"
        actor = b.cancelled_by if cancelled else b.no_show_marked_by if kind == "visit_no_show" else None
        return {
            "actor_name": self.name(actor),
            "booking_id": b.id,
            "starts_at": b.starts_at,
            "ends_at": b.ends_at,
            "status": b.status,
            "visit_type": {"id": vt.id, "name": vt.name, "name_es": vt.name_es, "is_infusion": vt.is_infusion},
            "psychiatrist_id": b.psychiatrist_id,
            "psychiatrist_name": line.psychiatrist_name,
            "cancelled_by_role": b.cancelled_by_role if cancelled else None,
            "cancel_reason": b.cancel_reason if cancelled else None,
            "duration_seconds": line.duration_seconds if kind == "visit_completed" else None,
        }

    def _plan(
        self, plan: TreatmentPlan, *, actor: uuid.UUID, change: TreatmentPlanStatusChange | None
    ) -> dict[str, Any]:
        return {
            "actor_name": self.name(actor),
            "plan_id": plan.id,
            "indication": plan.indication,
            "induction_infusions": plan.induction_infusions,
            "status": plan.status,
            "from_status": change.from_status if change else None,
            "to_status": change.to_status if change else None,
            "reason": (change.reason or None) if change else None,
        }


class TimelineService:
    async def timeline(
        self,
        session: AsyncSession,
        ctx: RequestContext,
        actor: Actor,
        patient_id: uuid.UUID,
        page: PageParams,
        query: TimelineQuery,
    ) -> TimelinePage:
        await patient_service.ensure_may_view_chart(session, actor, patient_id)
        check_days(query.first, query.last)
        zone = await repo.psychiatrist_zone(session, actor.user_id) or FALLBACK_ZONE
        kinds = query.kinds or frozenset(EVENT_KINDS)
        keys, total = await repo.page(
            session,
            patient_id,
            kinds=kinds,
            window=window(query.first, query.last, zone),
            now=utcnow(),
            offset=page.offset,
            limit=page.limit,
        )
        items = await self._hydrate(session, keys)
        audit.record(
            session,
            ctx,
            action="patient.timeline_read",
            subject_type="patient",
            subject_id=patient_id,
            patient_id=patient_id,
            detail={
                "page": page.page,
                "count": len(items),
                "kinds": sorted(query.kinds) if query.kinds else None,
                "from": query.first.isoformat() if query.first else None,
                "to": query.last.isoformat() if query.last else None,
            },
        )
        return TimelinePage(items=items, total=total, page=page.page, limit=page.limit, time_zone=zone)

    async def _hydrate(self, session: AsyncSession, keys: list[EventKey]) -> list[TimelineEvent]:
        """Load every source row on the page with one query per source (never one per event)."""

        def refs(*kinds: str) -> set[uuid.UUID]:
            return {k.ref for k in keys if k.kind in kinds and k.ref is not None}

        moved = await repo.rescheduled_bookings(session, [k.seq for k in keys if k.kind == "visit_rescheduled"])
        rows = _Rows(
            moved=moved,
            bookings=await repo.bookings(session, refs(*VISIT_KINDS) | set(moved.values())),
            notes=await repo.notes(session, refs("note_signed")),
            addenda=await repo.addenda(session, refs("note_addendum")),
            scales=await repo.scale_results(session, refs("scale_submitted")),
            intakes=await repo.intakes(session, refs("intake_submitted")),
            flags=await repo.flags(session, refs("flag_raised", "flag_reviewed")),
            consents=await repo.consents(session, refs("consent_signed")),
            plans=await repo.plans(session, refs("plan_created")),
            changes=await repo.plan_changes(session, refs("plan_status_changed")),
            infusions=await repo.infusions(session, refs("infusion_session")),
            tasks=await repo.safety_tasks(session, refs("safety_task_opened", "safety_task_acknowledged")),
        )
        rows.names = await repo.names(session, rows.actor_ids(keys))
        out: list[TimelineEvent] = []
        for key in keys:
            data = rows.event(key)
            if data is not None:  # None: the source row is gone; leave the event out rather than guess
                out.append(_EVENT.validate_python({"id": _event_id(key), "at": key.at, "kind": key.kind} | data))
        return out


timeline_service = TimelineService()
