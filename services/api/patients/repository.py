from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

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


patient_repository = PatientRepository()
