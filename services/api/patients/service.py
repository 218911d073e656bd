"""Patients: the record behind a patient account, its care team, and who may see it."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from services.api.core.context import Actor, Role
from services.api.core.errors import Forbidden, NotFound
from services.api.patients.models import CareTeamMember, Patient
from services.api.patients.repository import patient_repository
from services.common.clock import utcnow


class PatientNotFound(NotFound):
    title = "Patient not found"


class PatientService:
    async def create(
        self,
        session: AsyncSession,
        *,
        user_id: uuid.UUID,
        date_of_birth: date,
        state: str,
        time_zone: str,
        language: str,
    ) -> Patient:
        patient = Patient(
            user_id=user_id,
            date_of_birth=date_of_birth,
            state=state,
            time_zone=time_zone,
            language=language,
            created_at=utcnow(),
        )
        session.add(patient)
        await session.flush()
        return patient

    async def add_to_care_team(
        self, session: AsyncSession, *, patient_id: uuid.UUID, psychiatrist_id: uuid.UUID, reason: str
    ) -> None:
        if await patient_repository.on_care_team(session, patient_id, psychiatrist_id):
            return
        session.add(
            CareTeamMember(patient_id=patient_id, psychiatrist_id=psychiatrist_id, added_at=utcnow(), reason=reason)
        )
        await session.flush()

    async def may_view_chart(self, session: AsyncSession, actor: Actor, patient_id: uuid.UUID) -> bool:
        """The one answer to "may this user see this patient's clinical record?"."""
        if actor.role == Role.patient:
            return actor.user_id == patient_id
        if actor.role == Role.psychiatrist:
            return actor.mfa_verified and await patient_repository.on_care_team(session, patient_id, actor.user_id)
        return False  # admins see accounts and billing, never clinical content

    async def ensure_may_view_chart(self, session: AsyncSession, actor: Actor, patient_id: uuid.UUID) -> Patient:
        """Return the patient or raise. Unknown and forbidden look alike to patients (no probing)."""
        if not await self.may_view_chart(session, actor, patient_id):
            if actor.role == Role.patient:
                raise PatientNotFound()
            raise Forbidden("You are not on this patient's care team.")
        patient = await patient_repository.get(session, patient_id)
        if patient is None:
            raise PatientNotFound()
        return patient


patient_service = PatientService()
