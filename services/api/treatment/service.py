"""Treatment plans and infusion series: the plan's gate, each session's dose, vitals and
discharge, series progress, and score trends charted against the infusion dates."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal, cast

from sqlalchemy.ext.asyncio import AsyncSession

from services.api.audit import service as audit
from services.api.config import Settings
from services.api.consents.service import consent_service
from services.api.core.context import Actor, RequestContext
from services.api.core.errors import Conflict, FieldError, NotFound, Unprocessable
from services.api.patients.service import patient_service
from services.api.scales.service import scale_service
from services.api.screening.service import screening_service
from services.api.treatment import trends
from services.api.treatment.models import InfusionSession, InfusionVitals, TreatmentPlan, TreatmentPlanStatusChange
from services.api.treatment.repository import treatment_repository as repo
from services.api.treatment.schemas import (
    SERIOUS_SIDE_EFFECTS,
    Discharge,
    Indication,
    InfusionMarker,
    InfusionSessionRead,
    InterventionRead,
    PatientPlanRead,
    PlanBlocker,
    PlanCreate,
    PlanRead,
    PlanStatus,
    PlanStatusChange,
    PlanTarget,
    PlanUpdate,
    SeriesProgress,
    SessionPrefill,
    SessionStart,
    SessionUpdate,
    SideEffectRead,
    StatusChangeRead,
    Timepoint,
    TreatmentReadiness,
    TrendsRead,
    VitalsIn,
    VitalsRead,
)
from services.common.clock import utcnow

TENTH = Decimal("0.1")
THOUSANDTH = Decimal("0.001")
FUTURE_SLACK = timedelta(minutes=15)

# Which status changes a plan allows; activation (from proposed or paused) passes the gate.
TRANSITIONS: dict[str, frozenset[str]] = {
    "proposed": frozenset({"active"}),
    "active": frozenset({"paused", "completed"}),
    "paused": frozenset({"active", "completed"}),
    "completed": frozenset(),
}


# Blockers as field errors of a `plan-blocked` problem (field, code).
_BLOCKER_FIELD = {"unreviewed_flag": "screening_flags", "unsigned_consent": "consents"}
Severity = Literal["urgent", "high", "moderate"]
_SEVERITIES = frozenset({"urgent", "high", "moderate"})
# The order clients offer the next statuses in.
_TARGET_ORDER = ("active", "paused", "completed")


def allowed_transitions(status: str) -> list[PlanTarget]:
    """The statuses a plan in `status` may move to next."""
    allowed = TRANSITIONS.get(status, frozenset())
    return [cast(PlanTarget, t) for t in _TARGET_ORDER if t in allowed]


# --- errors -----------------------------------------------------------------------------------------
class PlanNotFound(NotFound):
    title = "Treatment plan not found"


class InfusionNotFound(NotFound):
    title = "Infusion session not found"


class PlanBlocked(Conflict):
    title = "Unreviewed screening flags or unsigned consents stand in the way"
    type_slug = "plan-blocked"


class InvalidPlanTransition(Conflict):
    title = "This status change is not possible"
    type_slug = "invalid-plan-transition"


class AnotherPlanActive(Conflict):
    title = "Another plan of this patient is active"
    type_slug = "another-plan-active"


class PlanNotActive(Conflict):
    title = "The plan is not active"
    type_slug = "plan-not-active"


class PlanCompleted(Conflict):
    title = "A completed plan cannot be changed"
    type_slug = "plan-completed"


class InfusionInProgress(Conflict):
    title = "An infusion of this plan is in progress"
    type_slug = "infusion-in-progress"


class InfusionClosed(Conflict):
    title = "This infusion session is closed"
    type_slug = "infusion-closed"


class PreVitalsFixed(Conflict):
    title = "Pre-infusion vitals are taken when the session starts"
    type_slug = "pre-vitals-fixed"


class HoldRequired(Unprocessable):
    title = "Blood pressure above the hold threshold: hold the infusion or record an override reason"
    type_slug = "hold-required"


class DoseOutOfRange(Unprocessable):
    title = "Dose outside the practice's limits"
    type_slug = "dose-out-of-range"


class NotReadyForDischarge(Unprocessable):
    title = "Not ready for discharge"
    type_slug = "discharge-not-ready"


class InvalidTimes(Unprocessable):
    title = "These times do not fit together"
    type_slug = "invalid-times"


# --- small pure helpers -----------------------------------------------------------------------------
def compute_dose(weight_kg: Decimal, mg_per_kg: Decimal) -> Decimal:
    """The dose in mg for this weight, to a tenth of a milligram."""
    return (weight_kg * mg_per_kg).quantize(TENTH, rounding=ROUND_HALF_UP)


def _decimal(value: float, step: Decimal) -> Decimal:
    return Decimal(str(value)).quantize(step, rounding=ROUND_HALF_UP)


def check_dose_per_kg(settings: Settings, mg_per_kg: Decimal, field: str = "body.dose_mg_per_kg") -> None:
    low = Decimal(str(settings.infusion_dose_min_mg_per_kg))
    high = Decimal(str(settings.infusion_dose_max_mg_per_kg))
    if not low <= mg_per_kg <= high:
        message = f"Use a dose between {low} and {high} mg/kg (the practice's limits); {mg_per_kg} mg/kg was given."
        raise DoseOutOfRange(message, errors=[FieldError(field=field, message=message, code="dose_out_of_range")])


def check_dose_mg(settings: Settings, dose_mg: Decimal, weight: Decimal, mg_per_kg: Decimal) -> None:
    cap = Decimal(str(settings.infusion_dose_max_mg))
    if dose_mg > cap:
        message = f"{weight} kg × {mg_per_kg} mg/kg = {dose_mg} mg, above the {cap} mg limit for one infusion."
        raise DoseOutOfRange(
            message, errors=[FieldError(field="body.dose_mg_per_kg", message=message, code="dose_above_maximum")]
        )


def bp_above_hold(settings: Settings, vitals: VitalsIn) -> bool:
    return vitals.systolic > settings.infusion_hold_systolic or vitals.diastolic > settings.infusion_hold_diastolic


def _not_in_future(value: datetime, field: str) -> None:
    if value > utcnow() + FUTURE_SLACK:
        raise InvalidTimes.on_field(field, "This time is in the future.", "in_future")


def _side_effect_read(raw: dict[str, Any]) -> SideEffectRead:
    kind = str(raw.get("kind", "other"))
    return SideEffectRead(
        kind=kind,
        severity=str(raw.get("severity", "mild")),
        note=str(raw.get("note", "")),
        serious=kind in SERIOUS_SIDE_EFFECTS,
    )


def _intervention_read(raw: dict[str, Any]) -> InterventionRead:
    at = raw.get("at")
    return InterventionRead(
        kind=str(raw.get("kind", "other")),
        at=datetime.fromisoformat(at) if isinstance(at, str) else None,
        note=str(raw.get("note", "")),
    )


def _vitals_read(v: InfusionVitals) -> VitalsRead:
    return VitalsRead(
        timepoint=Timepoint(v.timepoint),
        systolic=v.systolic,
        diastolic=v.diastolic,
        heart_rate=v.heart_rate,
        spo2=v.spo2,
        recorded_at=v.recorded_at,
        recorded_by=v.recorded_by,
    )


_TIMEPOINT_ORDER = {tp.value: i for i, tp in enumerate(Timepoint)}


def session_read(s: InfusionSession, vitals: Sequence[InfusionVitals]) -> InfusionSessionRead:
    ordered = sorted(vitals, key=lambda v: _TIMEPOINT_ORDER.get(v.timepoint, 99))
    taken = {v.timepoint for v in vitals}
    return InfusionSessionRead(
        id=s.id,
        plan_id=s.plan_id,
        patient_id=s.patient_id,
        sequence=s.sequence,
        phase=s.phase,
        status=s.status,
        booking_id=s.booking_id,
        weight_kg=float(s.weight_kg),
        dose_mg_per_kg=float(s.dose_mg_per_kg),
        dose_mg=float(s.dose_mg),
        lot_number=s.lot_number,
        started_at=s.started_at,
        ended_at=s.ended_at,
        hold_reason=s.hold_reason,
        bp_override_reason=s.bp_override_reason,
        cadss6_items=s.cadss6_items,
        cadss6_score=s.cadss6_score,
        side_effects=[_side_effect_read(x) for x in s.side_effects or []],
        interventions=[_intervention_read(x) for x in s.interventions or []],
        serious_event=s.serious_event,
        discharge_alert=s.discharge_alert,
        discharge_vitals_near_baseline=s.discharge_vitals_near_baseline,
        discharge_escort_present=s.discharge_escort_present,
        discharged_at=s.discharged_at,
        clinician_notes=s.clinician_notes,
        vitals=[_vitals_read(v) for v in ordered],
        missing_timepoints=[] if s.status == "held" else [tp for tp in Timepoint if tp.value not in taken],
        created_by=s.created_by,
        created_at=s.created_at,
        updated_at=s.updated_at,
    )


def _marker(s: InfusionSession) -> InfusionMarker:
    return InfusionMarker(
        session_id=s.id,
        plan_id=s.plan_id,
        sequence=s.sequence,
        phase=s.phase,
        status=s.status,
        at=s.started_at,
        cadss6_score=s.cadss6_score,
    )


@dataclass(frozen=True, slots=True)
class VitalsSnapshot:
    """The latest vitals on record, for a note's objective section."""

    at: datetime
    timepoint: str
    systolic: int
    diastolic: int
    heart_rate: int
    spo2: int
    weight_kg: float
    session_sequence: int


def _audit(
    session: AsyncSession,
    ctx: RequestContext,
    row: TreatmentPlan | InfusionSession,
    action: str,
    detail: dict[str, Any] | None = None,
) -> None:
    """Audit an action on a plan or an infusion session (the subject), in its patient's chart."""
    audit.record(
        session,
        ctx,
        action=action,
        subject_type="treatment_plan" if isinstance(row, TreatmentPlan) else "infusion_session",
        subject_id=row.id,
        patient_id=row.patient_id,
        detail=detail,
    )


class TreatmentService:
    # --- access -------------------------------------------------------------------------------------
    async def _plan_for(
        self, session: AsyncSession, actor: Actor, plan_id: uuid.UUID, *, for_update: bool = False
    ) -> TreatmentPlan:
        plan = await repo.plan(session, plan_id, for_update=for_update)
        return (await patient_service.ensure_may_view_record(session, actor, plan, PlanNotFound))[0]

    async def _infusion_for(self, session: AsyncSession, actor: Actor, session_id: uuid.UUID) -> InfusionSession:
        infusion = await repo.infusion(session, session_id)
        return (await patient_service.ensure_may_view_record(session, actor, infusion, InfusionNotFound))[0]

    async def blockers(self, session: AsyncSession, patient_id: uuid.UUID) -> list[PlanBlocker]:
        """What stands between this patient and an infusion: unreviewed flags, unsigned consents."""
        found: list[PlanBlocker] = []
        for flag in await screening_service.unreviewed_flags(session, patient_id):
            found.append(
                PlanBlocker(
                    kind="unreviewed_flag",
                    code=flag.rule_id,
                    flag_id=flag.id,
                    severity=cast(Severity, flag.severity) if flag.severity in _SEVERITIES else None,
                    message=f"Contraindication flag '{flag.rule_id}' has not been reviewed by a psychiatrist.",
                )
            )
        for consent in await consent_service.unsigned_required(session, patient_id):
            found.append(
                PlanBlocker(
                    kind="unsigned_consent",
                    code=consent,
                    flag_id=None,
                    severity=None,
                    message=f"Consent '{consent}' is not signed (or a newer version awaits a signature).",
                )
            )
        return found

    async def _blockers(self, session: AsyncSession, patient_id: uuid.UUID) -> list[FieldError]:
        """The blockers as a problem's field errors."""
        return [
            FieldError(field=_BLOCKER_FIELD[b.kind], message=b.message, code=b.kind)
            for b in await self.blockers(session, patient_id)
        ]

    # --- plans --------------------------------------------------------------------------------------
    async def _plan_reads(self, session: AsyncSession, plans: Sequence[TreatmentPlan]) -> list[PlanRead]:
        ids = [p.id for p in plans]
        counts = await repo.administered_counts(session, ids)
        history = await repo.history(session, ids)
        return [
            PlanRead(
                id=p.id,
                patient_id=p.patient_id,
                created_by=p.created_by,
                indication=cast(Indication, p.indication),
                indication_detail=p.indication_detail,
                induction_infusions=p.induction_infusions,
                dose_mg_per_kg=float(p.dose_mg_per_kg),
                infusion_minutes=p.infusion_minutes,
                infusions_per_week=p.infusions_per_week,
                schedule_notes=p.schedule_notes,
                maintenance_interval_weeks=p.maintenance_interval_weeks,
                maintenance_notes=p.maintenance_notes,
                status=PlanStatus(p.status),
                created_at=p.created_at,
                updated_at=p.updated_at,
                activated_at=p.activated_at,
                induction_done=counts[p.id]["induction"],
                maintenance_done=counts[p.id]["maintenance"],
                allowed_transitions=allowed_transitions(p.status),
                history=[
                    StatusChangeRead(
                        from_status=PlanStatus(h.from_status),
                        to_status=PlanStatus(h.to_status),
                        changed_by=h.changed_by,
                        changed_at=h.changed_at,
                        reason=h.reason,
                    )
                    for h in history[p.id]
                ],
            )
            for p in plans
        ]

    async def create_plan(
        self,
        session: AsyncSession,
        ctx: RequestContext,
        actor: Actor,
        settings: Settings,
        patient_id: uuid.UUID,
        body: PlanCreate,
    ) -> PlanRead:
        await patient_service.ensure_may_view_chart(session, actor, patient_id)
        mg_per_kg = _decimal(body.dose_mg_per_kg, THOUSANDTH)
        check_dose_per_kg(settings, mg_per_kg)
        now = utcnow()
        plan = TreatmentPlan(
            patient_id=patient_id,
            created_by=actor.user_id,
            indication=body.indication,
            indication_detail=body.indication_detail,
            induction_infusions=body.induction_infusions,
            dose_mg_per_kg=mg_per_kg,
            infusion_minutes=body.infusion_minutes,
            infusions_per_week=body.infusions_per_week,
            schedule_notes=body.schedule_notes,
            maintenance_interval_weeks=body.maintenance_interval_weeks,
            maintenance_notes=body.maintenance_notes,
            status=PlanStatus.proposed.value,
            created_at=now,
            updated_at=now,
        )
        session.add(plan)
        await session.flush()
        _audit(session, ctx, plan, "treatment_plan.created", {"indication": plan.indication})
        return (await self._plan_reads(session, [plan]))[0]

    async def list_plans(
        self, session: AsyncSession, ctx: RequestContext, actor: Actor, patient_id: uuid.UUID
    ) -> list[PlanRead]:
        await patient_service.ensure_may_view_chart(session, actor, patient_id)
        plans = await repo.plans_for_patient(session, patient_id)
        audit.record(session, ctx, action="treatment_plan.listed", subject_type="treatment_plan", patient_id=patient_id)
        return await self._plan_reads(session, plans)

    async def readiness(
        self, session: AsyncSession, ctx: RequestContext, actor: Actor, settings: Settings, patient_id: uuid.UUID
    ) -> TreatmentReadiness:
        await patient_service.ensure_may_view_chart(session, actor, patient_id)
        blockers = await self.blockers(session, patient_id)
        active = await repo.other_active_plan(session, patient_id, None)
        audit.record(
            session,
            ctx,
            action="treatment_plan.readiness_read",
            subject_type="treatment_plan",
            patient_id=patient_id,
            detail={"blockers": len(blockers)},
        )
        return TreatmentReadiness(
            patient_id=patient_id,
            ready=not blockers,
            blockers=blockers,
            active_plan_id=active.id if active else None,
            dose_min_mg_per_kg=settings.infusion_dose_min_mg_per_kg,
            dose_max_mg_per_kg=settings.infusion_dose_max_mg_per_kg,
            dose_max_mg=settings.infusion_dose_max_mg,
        )

    async def get_plan(self, session: AsyncSession, ctx: RequestContext, actor: Actor, plan_id: uuid.UUID) -> PlanRead:
        plan = await self._plan_for(session, actor, plan_id)
        _audit(session, ctx, plan, "treatment_plan.read")
        return (await self._plan_reads(session, [plan]))[0]

    async def update_plan(
        self,
        session: AsyncSession,
        ctx: RequestContext,
        actor: Actor,
        settings: Settings,
        plan_id: uuid.UUID,
        body: PlanUpdate,
    ) -> PlanRead:
        plan = await self._plan_for(session, actor, plan_id, for_update=True)
        if plan.status == PlanStatus.completed:
            raise PlanCompleted()
        changed: list[str] = []
        for name in body.model_fields_set:
            value = getattr(body, name)
            if value is None and name != "maintenance_interval_weeks":
                continue  # null means "leave as it is" for fields that always hold a value
            if name == "dose_mg_per_kg":
                value = _decimal(value, THOUSANDTH)
                check_dose_per_kg(settings, value)
            if getattr(plan, name) != value:
                setattr(plan, name, value)
                changed.append(name)
        if changed:
            plan.updated_at = utcnow()
            await session.flush()
        _audit(session, ctx, plan, "treatment_plan.updated", {"fields": sorted(changed)})
        return (await self._plan_reads(session, [plan]))[0]

    async def change_status(
        self, session: AsyncSession, ctx: RequestContext, actor: Actor, plan_id: uuid.UUID, body: PlanStatusChange
    ) -> PlanRead:
        plan = await self._plan_for(session, actor, plan_id, for_update=True)
        current, target = plan.status, body.status
        if target not in TRANSITIONS[current]:
            raise InvalidPlanTransition(f"A {current} plan cannot become {target}.")
        if target == PlanStatus.active:
            blockers = await self._blockers(session, plan.patient_id)
            if blockers:
                raise PlanBlocked(
                    "The plan cannot become active: " + " ".join(e.message for e in blockers), errors=blockers
                )
            other = await repo.other_active_plan(session, plan.patient_id, plan.id)
            if other is not None:
                raise AnotherPlanActive(f"Plan {other.id} is active: pause or complete it first.")
        elif await repo.in_progress(session, plan.id) is not None:
            raise InfusionInProgress("Discharge the infusion in progress before pausing or completing the plan.")
        now = utcnow()
        plan.status = target
        plan.updated_at = now
        if target == PlanStatus.active and plan.activated_at is None:
            plan.activated_at = now
        session.add(
            TreatmentPlanStatusChange(
                plan_id=plan.id,
                from_status=current,
                to_status=target,
                changed_by=actor.user_id,
                changed_at=now,
                reason=body.reason,
            )
        )
        await session.flush()
        _audit(session, ctx, plan, "treatment_plan.status_changed", {"from": current, "to": target})
        return (await self._plan_reads(session, [plan]))[0]

    async def my_plans(self, session: AsyncSession, ctx: RequestContext, actor: Actor) -> list[PatientPlanRead]:
        await patient_service.ensure_may_view_chart(session, actor, actor.user_id)
        plans = await repo.plans_for_patient(session, actor.user_id)
        counts = await repo.administered_counts(session, [p.id for p in plans])
        audit.record(
            session, ctx, action="treatment_plan.listed", subject_type="treatment_plan", patient_id=actor.user_id
        )
        return [
            PatientPlanRead(
                id=p.id,
                indication=cast(Indication, p.indication),
                status=PlanStatus(p.status),
                induction_infusions=p.induction_infusions,
                infusions_per_week=p.infusions_per_week,
                maintenance_interval_weeks=p.maintenance_interval_weeks,
                induction_done=counts[p.id]["induction"],
                maintenance_done=counts[p.id]["maintenance"],
                next_phase="induction" if counts[p.id]["induction"] < p.induction_infusions else "maintenance",
            )
            for p in plans
        ]

    # --- infusion sessions ----------------------------------------------------------------------------
    async def _read(self, session: AsyncSession, infusion: InfusionSession) -> InfusionSessionRead:
        vitals = await repo.vitals(session, [infusion.id])
        return session_read(infusion, vitals[infusion.id])

    async def start_session(
        self,
        session: AsyncSession,
        ctx: RequestContext,
        actor: Actor,
        settings: Settings,
        plan_id: uuid.UUID,
        body: SessionStart,
    ) -> InfusionSessionRead:
        plan = await self._plan_for(session, actor, plan_id, for_update=True)
        if plan.status != PlanStatus.active:
            raise PlanNotActive(f"The plan is {plan.status}: activate it before an infusion.")
        blockers = await self._blockers(session, plan.patient_id)
        if blockers:
            raise PlanBlocked("The infusion cannot start: " + " ".join(e.message for e in blockers), errors=blockers)
        if await repo.in_progress(session, plan.id) is not None:
            raise InfusionInProgress("Discharge the infusion in progress before starting another.")
        pre = body.pre_vitals
        above = bp_above_hold(settings, pre)
        if above and not body.hold and not body.bp_override_reason:
            limit = f"{settings.infusion_hold_systolic}/{settings.infusion_hold_diastolic}"
            message = (
                f"Pre-infusion BP {pre.systolic}/{pre.diastolic} is above the hold threshold {limit}: "
                "hold the infusion or record an override reason."
            )
            raise HoldRequired(
                message,
                errors=[FieldError(field="body.bp_override_reason", message=message, code="bp_above_hold_threshold")],
            )
        weight = _decimal(body.weight_kg, TENTH)
        mg_per_kg = plan.dose_mg_per_kg if body.dose_mg_per_kg is None else _decimal(body.dose_mg_per_kg, THOUSANDTH)
        check_dose_per_kg(settings, mg_per_kg)
        dose = compute_dose(weight, mg_per_kg)
        check_dose_mg(settings, dose, weight, mg_per_kg)
        now = utcnow()
        started = body.started_at or now
        _not_in_future(started, "body.started_at")
        done = (await repo.administered_counts(session, [plan.id]))[plan.id]
        infusion = InfusionSession(
            plan_id=plan.id,
            patient_id=plan.patient_id,
            sequence=await repo.max_sequence(session, plan.id) + 1,
            phase="induction" if done["induction"] < plan.induction_infusions else "maintenance",
            status="held" if body.hold else "in_progress",
            booking_id=body.booking_id,
            weight_kg=weight,
            dose_mg_per_kg=mg_per_kg,
            dose_mg=dose,
            lot_number=body.lot_number,
            started_at=started,
            ended_at=started if body.hold else None,
            hold_reason=(body.hold_reason or None) if body.hold else None,
            bp_override_reason=body.bp_override_reason if above and not body.hold else None,
            side_effects=[],
            interventions=[],
            serious_event=False,
            clinician_notes="",
            created_by=actor.user_id,
            created_at=now,
            updated_at=now,
        )
        session.add(infusion)
        await session.flush()
        session.add(
            InfusionVitals(
                session_id=infusion.id,
                timepoint=Timepoint.pre.value,
                systolic=pre.systolic,
                diastolic=pre.diastolic,
                heart_rate=pre.heart_rate,
                spo2=pre.spo2,
                recorded_at=started,
                recorded_by=actor.user_id,
            )
        )
        await session.flush()
        _audit(
            session,
            ctx,
            infusion,
            "infusion_session.held" if body.hold else "infusion_session.started",
            {"plan_id": str(plan.id), "sequence": infusion.sequence, "bp_above_hold": above},
        )
        return await self._read(session, infusion)

    async def get_session(
        self, session: AsyncSession, ctx: RequestContext, actor: Actor, session_id: uuid.UUID
    ) -> InfusionSessionRead:
        infusion = await self._infusion_for(session, actor, session_id)
        _audit(session, ctx, infusion, "infusion_session.read")
        return await self._read(session, infusion)

    async def list_sessions(
        self, session: AsyncSession, ctx: RequestContext, actor: Actor, plan_id: uuid.UUID
    ) -> list[InfusionSessionRead]:
        plan = await self._plan_for(session, actor, plan_id)
        infusions = await repo.infusions_for_plan(session, plan.id)
        vitals = await repo.vitals(session, [s.id for s in infusions])
        _audit(session, ctx, plan, "infusion_session.listed")
        return [session_read(s, vitals[s.id]) for s in infusions]

    async def prefill(
        self, session: AsyncSession, ctx: RequestContext, actor: Actor, settings: Settings, plan_id: uuid.UUID
    ) -> SessionPrefill:
        plan = await self._plan_for(session, actor, plan_id)
        last = await repo.last_infusion(session, plan.id)
        if last is None:  # the first infusion of this plan: carry over from the patient's last plan
            last = await repo.last_infusion_for_patient(session, plan.patient_id)
        done = (await repo.administered_counts(session, [plan.id]))[plan.id]
        pre: InfusionVitals | None = None
        if last is not None:
            pre = await repo.vitals_at(session, last.id, Timepoint.pre.value)
        # The dose per kg follows the plan (it may have been changed since the last session).
        mg_per_kg = plan.dose_mg_per_kg
        weight = last.weight_kg if last is not None else None
        _audit(session, ctx, plan, "infusion_session.prefill_read", {"from_session": str(last.id) if last else None})
        return SessionPrefill(
            plan_id=plan.id,
            next_sequence=await repo.max_sequence(session, plan.id) + 1,
            next_phase="induction" if done["induction"] < plan.induction_infusions else "maintenance",
            weight_kg=float(weight) if weight is not None else None,
            dose_mg_per_kg=float(mg_per_kg),
            dose_mg=float(compute_dose(weight, mg_per_kg)) if weight is not None else None,
            lot_number=last.lot_number if last is not None else None,
            infusion_minutes=plan.infusion_minutes,
            last_session_id=last.id if last is not None else None,
            last_session_at=last.started_at if last is not None else None,
            last_pre_vitals=_vitals_read(pre) if pre is not None else None,
            last_side_effects=[_side_effect_read(x) for x in (last.side_effects if last else [])],
            last_interventions=[_intervention_read(x) for x in (last.interventions if last else [])],
            hold_systolic_above=settings.infusion_hold_systolic,
            hold_diastolic_above=settings.infusion_hold_diastolic,
        )

    async def _open_infusion(self, session: AsyncSession, actor: Actor, session_id: uuid.UUID) -> InfusionSession:
        infusion = await self._infusion_for(session, actor, session_id)
        if infusion.status != "in_progress":
            raise InfusionClosed(f"This session is {infusion.status.replace('_', ' ')}; it can no longer change.")
        return infusion

    async def update_session(
        self, session: AsyncSession, ctx: RequestContext, actor: Actor, session_id: uuid.UUID, body: SessionUpdate
    ) -> InfusionSessionRead:
        infusion = await self._open_infusion(session, actor, session_id)
        fields = body.model_fields_set
        if "lot_number" in fields and body.lot_number is not None:
            infusion.lot_number = body.lot_number
        if "started_at" in fields and body.started_at is not None:
            _not_in_future(body.started_at, "body.started_at")
            infusion.started_at = body.started_at
        if "ended_at" in fields and body.ended_at is not None:
            _not_in_future(body.ended_at, "body.ended_at")
            infusion.ended_at = body.ended_at
        if infusion.ended_at is not None and infusion.ended_at < infusion.started_at:
            raise InvalidTimes.on_field("body.ended_at", "The infusion cannot end before it started.", "before_start")
        if "cadss6_items" in fields and body.cadss6_items is not None:
            infusion.cadss6_items = list(body.cadss6_items)
            infusion.cadss6_score = sum(body.cadss6_items)
        if "side_effects" in fields and body.side_effects is not None:
            infusion.side_effects = [e.model_dump(mode="json") for e in body.side_effects]
            infusion.serious_event = any(e.kind in SERIOUS_SIDE_EFFECTS for e in body.side_effects)
        if "interventions" in fields and body.interventions is not None:
            infusion.interventions = [i.model_dump(mode="json") for i in body.interventions]
        if "clinician_notes" in fields and body.clinician_notes is not None:
            infusion.clinician_notes = body.clinician_notes
        infusion.updated_at = utcnow()
        await session.flush()
        _audit(
            session,
            ctx,
            infusion,
            "infusion_session.updated",
            {"fields": sorted(fields), "serious_event": infusion.serious_event},
        )
        return await self._read(session, infusion)

    async def record_vitals(
        self,
        session: AsyncSession,
        ctx: RequestContext,
        actor: Actor,
        session_id: uuid.UUID,
        timepoint: Timepoint,
        body: VitalsIn,
    ) -> InfusionSessionRead:
        infusion = await self._open_infusion(session, actor, session_id)
        if timepoint == Timepoint.pre:
            raise PreVitalsFixed("Pre-infusion vitals were recorded when the session started.")
        now = utcnow()
        row = await repo.vitals_at(session, infusion.id, timepoint.value)
        if row is None:
            row = InfusionVitals(session_id=infusion.id, timepoint=timepoint.value)
            session.add(row)
        row.systolic, row.diastolic, row.heart_rate, row.spo2 = (
            body.systolic,
            body.diastolic,
            body.heart_rate,
            body.spo2,
        )
        row.recorded_at = now
        row.recorded_by = actor.user_id
        infusion.updated_at = now
        await session.flush()
        _audit(session, ctx, infusion, "infusion_session.vitals_recorded", {"timepoint": timepoint.value})
        return await self._read(session, infusion)

    async def discharge(
        self, session: AsyncSession, ctx: RequestContext, actor: Actor, session_id: uuid.UUID, body: Discharge
    ) -> InfusionSessionRead:
        infusion = await self._open_infusion(session, actor, session_id)
        errors: list[FieldError] = []
        for name, ok, message in (
            ("alert", body.alert, "The patient must be alert before discharge."),
            ("vitals_near_baseline", body.vitals_near_baseline, "Vitals must be back near baseline."),
            ("escort_present", body.escort_present, "An escort must take the patient home (no driving today)."),
        ):
            if not ok:
                errors.append(FieldError(field=f"body.{name}", message=message, code="discharge_check"))
        if infusion.cadss6_score is None:
            errors.append(
                FieldError(field="cadss6_items", message="Record the CADSS-6 for this infusion.", code="missing")
            )
        if await repo.vitals_at(session, infusion.id, Timepoint.discharge.value) is None:
            errors.append(FieldError(field="vitals.discharge", message="Record the discharge vitals.", code="missing"))
        if errors:
            raise NotReadyForDischarge("; ".join(e.message for e in errors), errors=errors)
        now = utcnow()
        ended = body.ended_at or infusion.ended_at or now
        discharged = body.discharged_at or now
        _not_in_future(ended, "body.ended_at")
        _not_in_future(discharged, "body.discharged_at")
        if ended < infusion.started_at:
            raise InvalidTimes.on_field("body.ended_at", "The infusion cannot end before it started.", "before_start")
        if discharged < ended:
            raise InvalidTimes.on_field("body.discharged_at", "Discharge cannot come before the end.", "before_end")
        infusion.ended_at = ended
        infusion.discharged_at = discharged
        infusion.discharge_alert = body.alert
        infusion.discharge_vitals_near_baseline = body.vitals_near_baseline
        infusion.discharge_escort_present = body.escort_present
        infusion.status = "completed"
        infusion.updated_at = now
        await session.flush()
        _audit(session, ctx, infusion, "infusion_session.discharged")
        return await self._read(session, infusion)

    # --- progress and trends --------------------------------------------------------------------------
    async def progress(
        self, session: AsyncSession, ctx: RequestContext, actor: Actor, settings: Settings, plan_id: uuid.UUID
    ) -> SeriesProgress:
        plan = await self._plan_for(session, actor, plan_id)
        infusions = await repo.infusions_for_plan(session, plan.id)
        results = await scale_service.results_for(session, plan.patient_id)
        given = [s for s in infusions if s.status != "held"]
        induction_done = sum(1 for s in given if s.phase == "induction")
        # Scores along the series: from the last score before the first infusion (baseline) on.
        start = min((s.started_at for s in given), default=None)
        scores, phq9 = trends.build(trends.from_baseline(trends.score_points(results), start), start, settings)
        _audit(session, ctx, plan, "treatment_plan.progress_read")
        return SeriesProgress(
            plan_id=plan.id,
            status=PlanStatus(plan.status),
            induction_planned=plan.induction_infusions,
            induction_done=induction_done,
            induction_remaining=max(plan.induction_infusions - induction_done, 0),
            maintenance_done=sum(1 for s in given if s.phase == "maintenance"),
            held=sum(1 for s in infusions if s.status == "held"),
            in_progress=any(s.status == "in_progress" for s in infusions),
            sessions=[_marker(s) for s in infusions],
            scores=scores,
            phq9=phq9,
        )

    async def trends(
        self, session: AsyncSession, ctx: RequestContext, actor: Actor, settings: Settings, patient_id: uuid.UUID
    ) -> TrendsRead:
        await patient_service.ensure_may_view_chart(session, actor, patient_id)
        infusions = await repo.infusions_for_patient(session, patient_id)
        results = await scale_service.results_for(session, patient_id)
        start = min((s.started_at for s in infusions if s.status != "held"), default=None)
        scales, phq9 = trends.build(trends.score_points(results), start, settings)
        audit.record(session, ctx, action="trends.read", subject_type="trends", patient_id=patient_id)
        return TrendsRead(
            patient_id=patient_id,
            scales=scales,
            infusions=[_marker(s) for s in infusions],
            phq9=phq9,
        )

    # --- for other domains ------------------------------------------------------------------------------
    async def latest_vitals(self, session: AsyncSession, patient_id: uuid.UUID) -> VitalsSnapshot | None:
        """The most recent vitals taken at an infusion (callers check access and audit)."""
        found = await repo.latest_vitals_for_patient(session, patient_id)
        if found is None:
            return None
        vitals, infusion = found
        return VitalsSnapshot(
            at=vitals.recorded_at,
            timepoint=vitals.timepoint,
            systolic=vitals.systolic,
            diastolic=vitals.diastolic,
            heart_rate=vitals.heart_rate,
            spo2=vitals.spo2,
            weight_kg=float(infusion.weight_kg),
            session_sequence=infusion.sequence,
        )


treatment_service = TreatmentService()
