from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, and_, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.patients.models import CareTeamMember
from services.api.safety.models import SafetyTask, SafetyTaskAssignee


class SafetyRepository:
    async def add(self, session: AsyncSession, task: SafetyTask, assignees: list[tuple[uuid.UUID, str]]) -> None:
        session.add(task)
        await session.flush()
        for psychiatrist_id, because in assignees:
            session.add(SafetyTaskAssignee(task_id=task.id, psychiatrist_id=psychiatrist_id, routed_because=because))
        await session.flush()

    async def get(self, session: AsyncSession, task_id: uuid.UUID) -> SafetyTask | None:
        return await session.get(SafetyTask, task_id)

    async def acknowledge(
        self, session: AsyncSession, task_id: uuid.UUID, *, by: uuid.UUID, at: datetime, note: str
    ) -> bool:
        """Close an open task (False when someone closed it first)."""
        result = await session.execute(
            update(SafetyTask)
            .where(SafetyTask.id == task_id, SafetyTask.status == "open")
            .values(status="acknowledged", acknowledged_by=by, acknowledged_at=at, acknowledgement_note=note)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def assignee_ids(self, session: AsyncSession, task_id: uuid.UUID) -> list[uuid.UUID]:
        rows = await session.scalars(
            select(SafetyTaskAssignee.psychiatrist_id).where(SafetyTaskAssignee.task_id == task_id)
        )
        return list(rows)

    def _visible_to(self, psychiatrist_id: uuid.UUID) -> Select[SafetyTask]:
        assigned = exists().where(
            SafetyTaskAssignee.task_id == SafetyTask.id, SafetyTaskAssignee.psychiatrist_id == psychiatrist_id
        )
        on_team = exists().where(
            CareTeamMember.patient_id == SafetyTask.patient_id, CareTeamMember.psychiatrist_id == psychiatrist_id
        )
        return select(SafetyTask).where(or_(assigned, on_team))

    async def inbox(
        self, session: AsyncSession, psychiatrist_id: uuid.UUID, *, status: str | None, offset: int, limit: int
    ) -> tuple[Sequence[SafetyTask], int]:
        stmt = self._visible_to(psychiatrist_id)
        if status:
            stmt = stmt.where(SafetyTask.status == status)
        total = await session.scalar(select(func.count()).select_from(stmt.subquery()))
        # Open before acknowledged; within each, the most urgent kind, then the oldest.
        stmt = stmt.order_by((SafetyTask.status != "open"), SafetyTask.priority, SafetyTask.created_at, SafetyTask.id)
        rows = (await session.scalars(stmt.offset(offset).limit(limit))).all()
        return rows, int(total or 0)

    async def assigned_among(
        self, session: AsyncSession, task_ids: list[uuid.UUID], psychiatrist_id: uuid.UUID
    ) -> set[uuid.UUID]:
        if not task_ids:
            return set()
        rows = await session.scalars(
            select(SafetyTaskAssignee.task_id).where(
                SafetyTaskAssignee.task_id.in_(task_ids), SafetyTaskAssignee.psychiatrist_id == psychiatrist_id
            )
        )
        return set(rows)

    async def for_patient(
        self, session: AsyncSession, patient_id: uuid.UUID, *, status: str | None = None
    ) -> Sequence[SafetyTask]:
        stmt = select(SafetyTask).where(SafetyTask.patient_id == patient_id)
        if status:
            stmt = stmt.where(SafetyTask.status == status)
        return (await session.scalars(stmt.order_by(SafetyTask.created_at.desc(), SafetyTask.id))).all()

    async def counts(self, session: AsyncSession, now: datetime) -> dict[str, int]:
        open_ = SafetyTask.status == "open"
        row = (
            await session.execute(
                select(
                    func.count().filter(open_),
                    func.count().filter(and_(open_, SafetyTask.due_at < now)),
                    func.count().filter(SafetyTask.status == "acknowledged"),
                )
            )
        ).one()
        return {"open": int(row[0]), "overdue": int(row[1]), "acknowledged": int(row[2])}

    async def open_by_kind(self, session: AsyncSession) -> dict[str, int]:
        rows = await session.execute(
            select(SafetyTask.kind, func.count()).where(SafetyTask.status == "open").group_by(SafetyTask.kind)
        )
        return {kind: int(n) for kind, n in rows}


safety_repository = SafetyRepository()
