from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from services.api.scales.models import ScaleAssignment, ScaleResult

_later = aliased(ScaleResult)
_is_superseded = exists().where(_later.supersedes_id == ScaleResult.id)


class ScaleRepository:
    async def add(self, session: AsyncSession, row: ScaleResult | ScaleAssignment) -> None:
        session.add(row)
        await session.flush()

    async def result(self, session: AsyncSession, result_id: uuid.UUID) -> ScaleResult | None:
        return await session.get(ScaleResult, result_id)

    def _results(self, patient_id: uuid.UUID, scale: str | None, include_superseded: bool) -> Select[ScaleResult]:
        stmt = select(ScaleResult).where(ScaleResult.patient_id == patient_id)
        if scale:
            stmt = stmt.where(ScaleResult.scale == scale)
        if not include_superseded:
            stmt = stmt.where(~_is_superseded)
        return stmt.order_by(ScaleResult.entered_at, ScaleResult.id)

    async def results(
        self, session: AsyncSession, patient_id: uuid.UUID, scale: str | None, *, include_superseded: bool = False
    ) -> Sequence[ScaleResult]:
        return (await session.scalars(self._results(patient_id, scale, include_superseded))).all()

    async def results_page(
        self,
        session: AsyncSession,
        patient_id: uuid.UUID,
        scale: str | None,
        *,
        include_superseded: bool,
        offset: int,
        limit: int,
    ) -> tuple[Sequence[ScaleResult], int]:
        stmt = self._results(patient_id, scale, include_superseded)
        total = await session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
        rows = (await session.scalars(stmt.offset(offset).limit(limit))).all()
        return rows, int(total or 0)

    async def superseded_among(self, session: AsyncSession, ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
        if not ids:
            return set()
        rows = await session.scalars(select(ScaleResult.supersedes_id).where(ScaleResult.supersedes_id.in_(list(ids))))
        return {r for r in rows if r is not None}

    async def assignment(self, session: AsyncSession, assignment_id: uuid.UUID) -> ScaleAssignment | None:
        return await session.get(ScaleAssignment, assignment_id)

    async def complete_assignment(
        self, session: AsyncSession, assignment_id: uuid.UUID, *, result_id: uuid.UUID, at: datetime
    ) -> bool:
        """Mark a request answered (False when another result answered it first)."""
        result = await session.execute(
            update(ScaleAssignment)
            .where(ScaleAssignment.id == assignment_id, ScaleAssignment.completed_at.is_(None))
            .values(completed_at=at, result_id=result_id)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def earliest_open_assignment(
        self, session: AsyncSession, patient_id: uuid.UUID, scale: str
    ) -> ScaleAssignment | None:
        return await session.scalar(
            select(ScaleAssignment)
            .where(
                ScaleAssignment.patient_id == patient_id,
                ScaleAssignment.scale == scale,
                ScaleAssignment.completed_at.is_(None),
            )
            .order_by(ScaleAssignment.due_on, ScaleAssignment.assigned_at)
            .limit(1)
        )

    async def assignments(
        self, session: AsyncSession, patient_id: uuid.UUID, *, open_only: bool
    ) -> Sequence[ScaleAssignment]:
        stmt = select(ScaleAssignment).where(ScaleAssignment.patient_id == patient_id)
        if open_only:
            stmt = stmt.where(ScaleAssignment.completed_at.is_(None))
        return (await session.scalars(stmt.order_by(ScaleAssignment.due_on, ScaleAssignment.assigned_at))).all()


scale_repository = ScaleRepository()
