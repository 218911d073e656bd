from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.treatment.models import InfusionSession, InfusionVitals, TreatmentPlan, TreatmentPlanStatusChange


class TreatmentRepository:
    # --- plans ------------------------------------------------------------------------------------
    async def plan(
        self, session: AsyncSession, plan_id: uuid.UUID, *, for_update: bool = False
    ) -> TreatmentPlan | None:
        stmt = select(TreatmentPlan).where(TreatmentPlan.id == plan_id)
        if for_update:
            # Orders concurrent session starts and status changes of one plan (PostgreSQL; SQLite
            # transactions already hold the single write lock).
            stmt = stmt.with_for_update()
        return (await session.scalars(stmt)).one_or_none()

    async def plans_for_patient(self, session: AsyncSession, patient_id: uuid.UUID) -> Sequence[TreatmentPlan]:
        stmt = (
            select(TreatmentPlan)
            .where(TreatmentPlan.patient_id == patient_id)
            .order_by(TreatmentPlan.created_at.desc(), TreatmentPlan.id)
        )
        return (await session.scalars(stmt)).all()

    async def other_active_plan(
        self, session: AsyncSession, patient_id: uuid.UUID, plan_id: uuid.UUID | None
    ) -> TreatmentPlan | None:
        """The patient's active plan other than `plan_id` (None: any active plan)."""
        stmt = select(TreatmentPlan).where(TreatmentPlan.patient_id == patient_id, TreatmentPlan.status == "active")
        if plan_id is not None:
            stmt = stmt.where(TreatmentPlan.id != plan_id)
        return (await session.scalars(stmt.limit(1))).first()

    async def history(
        self, session: AsyncSession, plan_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, list[TreatmentPlanStatusChange]]:
        out: dict[uuid.UUID, list[TreatmentPlanStatusChange]] = {pid: [] for pid in plan_ids}
        if not plan_ids:
            return out
        stmt = (
            select(TreatmentPlanStatusChange)
            .where(TreatmentPlanStatusChange.plan_id.in_(plan_ids))
            .order_by(TreatmentPlanStatusChange.changed_at, TreatmentPlanStatusChange.id)
        )
        for row in (await session.scalars(stmt)).all():
            out[row.plan_id].append(row)
        return out

    async def administered_counts(
        self, session: AsyncSession, plan_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, dict[str, int]]:
        """Per plan, infusions given (in progress or completed, not held) by phase."""
        out: dict[uuid.UUID, dict[str, int]] = {pid: {"induction": 0, "maintenance": 0} for pid in plan_ids}
        if not plan_ids:
            return out
        stmt = (
            select(InfusionSession.plan_id, InfusionSession.phase, func.count())
            .where(InfusionSession.plan_id.in_(plan_ids), InfusionSession.status != "held")
            .group_by(InfusionSession.plan_id, InfusionSession.phase)
        )
        for plan_id, phase, count in (await session.execute(stmt)).all():
            out[plan_id][phase] = int(count)
        return out

    # --- sessions -----------------------------------------------------------------------------------
    async def infusion(self, session: AsyncSession, session_id: uuid.UUID) -> InfusionSession | None:
        return await session.get(InfusionSession, session_id)

    async def infusions_for_plan(self, session: AsyncSession, plan_id: uuid.UUID) -> Sequence[InfusionSession]:
        stmt = select(InfusionSession).where(InfusionSession.plan_id == plan_id).order_by(InfusionSession.sequence)
        return (await session.scalars(stmt)).all()

    async def infusions_for_patient(self, session: AsyncSession, patient_id: uuid.UUID) -> Sequence[InfusionSession]:
        stmt = (
            select(InfusionSession)
            .where(InfusionSession.patient_id == patient_id)
            .order_by(InfusionSession.started_at, InfusionSession.sequence)
        )
        return (await session.scalars(stmt)).all()

    async def last_infusion(self, session: AsyncSession, plan_id: uuid.UUID) -> InfusionSession | None:
        stmt = (
            select(InfusionSession)
            .where(InfusionSession.plan_id == plan_id)
            .order_by(InfusionSession.sequence.desc())
            .limit(1)
        )
        return (await session.scalars(stmt)).first()

    async def last_infusion_for_patient(self, session: AsyncSession, patient_id: uuid.UUID) -> InfusionSession | None:
        stmt = (
            select(InfusionSession)
            .where(InfusionSession.patient_id == patient_id)
            .order_by(InfusionSession.started_at.desc(), InfusionSession.sequence.desc())
            .limit(1)
        )
        return (await session.scalars(stmt)).first()

    async def in_progress(self, session: AsyncSession, plan_id: uuid.UUID) -> InfusionSession | None:
        stmt = select(InfusionSession).where(
            InfusionSession.plan_id == plan_id, InfusionSession.status == "in_progress"
        )
        return (await session.scalars(stmt.limit(1))).first()

    async def max_sequence(self, session: AsyncSession, plan_id: uuid.UUID) -> int:
        found = await session.scalar(
            select(func.max(InfusionSession.sequence)).where(InfusionSession.plan_id == plan_id)
        )
        return int(found or 0)

    # --- vitals -----------------------------------------------------------------------------------
    async def vitals(
        self, session: AsyncSession, session_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, list[InfusionVitals]]:
        out: dict[uuid.UUID, list[InfusionVitals]] = {sid: [] for sid in session_ids}
        if not session_ids:
            return out
        stmt = select(InfusionVitals).where(InfusionVitals.session_id.in_(session_ids))
        for row in (await session.scalars(stmt)).all():
            out[row.session_id].append(row)
        return out

    async def vitals_at(self, session: AsyncSession, session_id: uuid.UUID, timepoint: str) -> InfusionVitals | None:
        stmt = select(InfusionVitals).where(
            InfusionVitals.session_id == session_id, InfusionVitals.timepoint == timepoint
        )
        return (await session.scalars(stmt)).first()

    async def latest_vitals_for_patient(
        self, session: AsyncSession, patient_id: uuid.UUID
    ) -> tuple[InfusionVitals, InfusionSession] | None:
        stmt = (
            select(InfusionVitals, InfusionSession)
            .join(InfusionSession, InfusionSession.id == InfusionVitals.session_id)
            .where(InfusionSession.patient_id == patient_id)
            .order_by(InfusionVitals.recorded_at.desc(), InfusionVitals.id)
            .limit(1)
        )
        row = (await session.execute(stmt)).first()
        return (row[0], row[1]) if row else None


treatment_repository = TreatmentRepository()
