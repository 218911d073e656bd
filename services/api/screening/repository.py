from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.accounts.models import User
from services.api.screening.models import Intake, ScreeningFlag


class ScreeningRepository:
    async def draft(self, session: AsyncSession, patient_id: uuid.UUID) -> Intake | None:
        return await session.scalar(select(Intake).where(Intake.patient_id == patient_id, Intake.status == "draft"))

    async def latest_submitted(self, session: AsyncSession, patient_id: uuid.UUID) -> Intake | None:
        return await session.scalar(
            select(Intake)
            .where(Intake.patient_id == patient_id, Intake.status == "submitted")
            .order_by(Intake.submitted_at.desc(), Intake.id)
            .limit(1)
        )

    async def flags(self, session: AsyncSession, patient_id: uuid.UUID) -> Sequence[tuple[ScreeningFlag, str | None]]:
        rows = await session.execute(
            select(ScreeningFlag, User.full_name)
            .outerjoin(User, User.id == ScreeningFlag.reviewed_by)
            .where(ScreeningFlag.patient_id == patient_id)
            .order_by(ScreeningFlag.created_at.desc(), ScreeningFlag.severity, ScreeningFlag.rule_id)
        )
        return [(f, name) for f, name in rows]

    async def flags_of_intake(
        self, session: AsyncSession, intake_id: uuid.UUID, *, status: str | None = None
    ) -> Sequence[ScreeningFlag]:
        stmt = select(ScreeningFlag).where(ScreeningFlag.intake_id == intake_id)
        if status:
            stmt = stmt.where(ScreeningFlag.status == status)
        return (await session.scalars(stmt.order_by(ScreeningFlag.rule_id))).all()

    async def flag(self, session: AsyncSession, flag_id: uuid.UUID) -> ScreeningFlag | None:
        return await session.get(ScreeningFlag, flag_id)

    async def record_review(
        self,
        session: AsyncSession,
        flag_id: uuid.UUID,
        *,
        status: str,
        reviewer_id: uuid.UUID,
        at: datetime,
        reason: str,
    ) -> bool:
        """Review a flag unless someone already has (False then): the first review stands."""
        result = await session.execute(
            update(ScreeningFlag)
            .where(ScreeningFlag.id == flag_id, ScreeningFlag.status == "unreviewed")
            .values(status=status, reviewed_by=reviewer_id, reviewed_at=at, review_reason=reason)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]


screening_repository = ScreeningRepository()
