from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.accounts.models import User
from services.api.patients.models import CareTeamMember, Patient


class PatientRepository:
    async def get(self, session: AsyncSession, patient_id: uuid.UUID) -> Patient | None:
        return await session.get(Patient, patient_id)

    async def on_care_team(self, session: AsyncSession, patient_id: uuid.UUID, psychiatrist_id: uuid.UUID) -> bool:
        found = await session.scalar(
            select(CareTeamMember.id).where(
                CareTeamMember.patient_id == patient_id, CareTeamMember.psychiatrist_id == psychiatrist_id
            )
        )
        return found is not None

    async def account_name(self, session: AsyncSession, user_id: uuid.UUID) -> str | None:
        name: str | None = await session.scalar(select(User.full_name).where(User.id == user_id))
        return name

    async def active_psychiatrist(self, session: AsyncSession, user_id: uuid.UUID) -> User | None:
        return await session.scalar(
            select(User).where(User.id == user_id, User.role == "psychiatrist", User.is_active.is_(True))
        )

    async def active_psychiatrist_ids(self, session: AsyncSession) -> list[uuid.UUID]:
        rows = await session.scalars(
            select(User.id).where(User.role == "psychiatrist", User.is_active.is_(True)).order_by(User.created_at)
        )
        return list(rows)

    async def care_team_ids(self, session: AsyncSession, patient_id: uuid.UUID) -> list[uuid.UUID]:
        rows = await session.scalars(
            select(CareTeamMember.psychiatrist_id)
            .where(CareTeamMember.patient_id == patient_id)
            .order_by(CareTeamMember.added_at)
        )
        return list(rows)

    async def care_team(self, session: AsyncSession, patient_id: uuid.UUID) -> Sequence[tuple[CareTeamMember, str]]:
        rows = await session.execute(
            select(CareTeamMember, User.full_name)
            .join(User, User.id == CareTeamMember.psychiatrist_id)
            .where(CareTeamMember.patient_id == patient_id)
            .order_by(CareTeamMember.added_at)
        )
        return [(m, name) for m, name in rows]

    async def care_team_member(
        self, session: AsyncSession, patient_id: uuid.UUID, psychiatrist_id: uuid.UUID
    ) -> CareTeamMember | None:
        return await session.scalar(
            select(CareTeamMember).where(
                CareTeamMember.patient_id == patient_id, CareTeamMember.psychiatrist_id == psychiatrist_id
            )
        )

    async def remove_from_care_team(
        self, session: AsyncSession, patient_id: uuid.UUID, psychiatrist_id: uuid.UUID
    ) -> bool:
        result = await session.execute(
            delete(CareTeamMember)
            .where(CareTeamMember.patient_id == patient_id, CareTeamMember.psychiatrist_id == psychiatrist_id)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def patients_of(
        self, session: AsyncSession, psychiatrist_id: uuid.UUID, *, offset: int, limit: int
    ) -> tuple[Sequence[tuple[Patient, str, CareTeamMember]], int]:
        base = (
            select(Patient, User.full_name, CareTeamMember)
            .join(CareTeamMember, CareTeamMember.patient_id == Patient.user_id)
            .join(User, User.id == Patient.user_id)
            .where(CareTeamMember.psychiatrist_id == psychiatrist_id)
        )
        total = await session.scalar(select(func.count()).select_from(base.subquery()))
        rows = await session.execute(base.order_by(User.full_name, Patient.user_id).offset(offset).limit(limit))
        return [(p, name, m) for p, name, m in rows], int(total or 0)

    async def contact_cards(
        self, session: AsyncSession, patient_ids: Sequence[uuid.UUID]
    ) -> Sequence[tuple[Patient, str]]:
        if not patient_ids:
            return []
        rows = await session.execute(
            select(Patient, User.full_name)
            .join(User, User.id == Patient.user_id)
            .where(Patient.user_id.in_(set(patient_ids)))
        )
        return [(p, name) for p, name in rows]


patient_repository = PatientRepository()
