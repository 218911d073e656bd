"""Patients: the record behind a patient account, its care team, and who may see it."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any, Protocol, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from services.api.audit import service as audit
from services.api.core.context import Actor, RequestContext, Role
from services.api.core.errors import FieldError, Forbidden, NotFound, Unprocessable
from services.api.patients.models import CareTeamMember, Patient
from services.api.patients.repository import patient_repository
from services.api.patients.schemas import (
    CareTeamMemberRead,
    EmergencyContactRead,
    PatientProfile,
    PatientSummary,
    PharmacyRead,
    PrimaryCareRead,
    ProfileUpdate,
)
from services.common.clock import utcnow

MIN_AGE = 18  # the same rule as registration: the service is for adults


class OnChart(Protocol):
    """A record of one patient's chart (a note, a plan, an infusion...)."""

    @property
    def patient_id(self) -> uuid.UUID: ...


ChartRecord = TypeVar("ChartRecord", bound=OnChart)


class PatientNotFound(NotFound):
    title = "Patient not found"


class PsychiatristNotFound(NotFound):
    title = "Psychiatrist not found"


class CareTeamMemberNotFound(NotFound):
    title = "Not on this patient's care team"


def age_on(date_of_birth: date, today: date) -> int:
    return today.year - date_of_birth.year - ((today.month, today.day) < (date_of_birth.month, date_of_birth.day))


def patient_today(patient: Patient) -> date:
    """Today's date where the patient lives (ages and due dates are the patient's calendar)."""
    return utcnow().astimezone(ZoneInfo(patient.time_zone)).date()


# Profile fields a patient edits, as (request field, model columns). Groups map to several columns.
_GROUPS: dict[str, dict[str, str]] = {
    "emergency_contact": {
        "name": "emergency_contact_name",
        "phone": "emergency_contact_phone",
        "relationship": "emergency_contact_relationship",
    },
    "primary_care": {"name": "primary_care_name", "phone": "primary_care_phone"},
    "pharmacy": {"name": "pharmacy_name", "phone": "pharmacy_phone", "address": "pharmacy_address"},
}


def _profile(patient: Patient, account_name: str) -> PatientProfile:
    return PatientProfile(
        patient_id=patient.user_id,
        legal_name=patient.legal_name or account_name,
        preferred_name=patient.preferred_name,
        date_of_birth=patient.date_of_birth,
        sex=patient.sex,
        state=patient.state,
        current_state=patient.current_state,
        time_zone=patient.time_zone,
        language=patient.language,
        phone=patient.phone,
        emergency_contact=EmergencyContactRead(
            name=patient.emergency_contact_name,
            phone=patient.emergency_contact_phone or "",
            relationship=patient.emergency_contact_relationship,
        )
        if patient.emergency_contact_name
        else None,
        primary_care=PrimaryCareRead(name=patient.primary_care_name, phone=patient.primary_care_phone)
        if patient.primary_care_name
        else None,
        pharmacy=PharmacyRead(
            name=patient.pharmacy_name, phone=patient.pharmacy_phone, address=patient.pharmacy_address
        )
        if patient.pharmacy_name
        else None,
        updated_at=patient.profile_updated_at,
    )


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
    ) -> CareTeamMember:
        existing = await patient_repository.care_team_member(session, patient_id, psychiatrist_id)
        if existing is not None:
            return existing
        member = CareTeamMember(
            patient_id=patient_id, psychiatrist_id=psychiatrist_id, added_at=utcnow(), reason=reason
        )
        session.add(member)
        await session.flush()
        return member

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

    async def ensure_may_view_record(
        self, session: AsyncSession, actor: Actor, record: ChartRecord | None, not_found: type[NotFound]
    ) -> tuple[ChartRecord, Patient]:
        """The record and its patient: `not_found` when there is no record, else as `ensure_may_view_chart`."""
        if record is None:
            raise not_found()
        return record, await self.ensure_may_view_chart(session, actor, record.patient_id)

    # --- profile ----------------------------------------------------------------------------
    async def profile(
        self, session: AsyncSession, ctx: RequestContext, actor: Actor, patient_id: uuid.UUID
    ) -> PatientProfile:
        patient = await self.ensure_may_view_chart(session, actor, patient_id)
        audit.record(
            session,
            ctx,
            action="patient.profile_read",
            subject_type="patient",
            subject_id=patient_id,
            patient_id=patient_id,
        )
        return _profile(patient, await patient_repository.account_name(session, patient_id) or "")

    async def update_profile(
        self, session: AsyncSession, ctx: RequestContext, actor: Actor, body: ProfileUpdate
    ) -> PatientProfile:
        patient = await self.ensure_may_view_chart(session, actor, actor.user_id)
        given = body.model_dump(exclude_unset=True)
        if "date_of_birth" in given:
            today = utcnow().astimezone(ZoneInfo(given.get("time_zone") or patient.time_zone)).date()
            dob: date = given["date_of_birth"]
            if dob > today or dob.year < 1900:
                raise Unprocessable.on_field("body.date_of_birth", "Enter your real date of birth.")
            if age_on(dob, today) < MIN_AGE:
                raise Unprocessable(
                    "This service is for adults.",
                    errors=[
                        FieldError(
                            field="body.date_of_birth",
                            message="You must be 18 or older to use this service. If you are in crisis, call or text 988.",
                            code="under_age",
                        )
                    ],
                )
        changed: list[str] = []
        for field, value in given.items():
            columns = _GROUPS.get(field)
            if columns is None:
                if getattr(patient, field) != value:
                    setattr(patient, field, value)
                    changed.append(field)
                continue
            group: dict[str, Any] = value or {}
            before = [getattr(patient, col) for col in columns.values()]
            for key, col in columns.items():
                setattr(patient, col, group.get(key))
            if before != [getattr(patient, col) for col in columns.values()]:
                changed.append(field)
        if changed:
            patient.profile_updated_at = utcnow()
            await session.flush()
            audit.record(
                session,
                ctx,
                action="patient.profile_updated",
                subject_type="patient",
                subject_id=patient.user_id,
                patient_id=patient.user_id,
                detail={"fields": sorted(changed)},
            )
        return _profile(patient, await patient_repository.account_name(session, patient.user_id) or "")

    # --- care team --------------------------------------------------------------------------
    async def care_team_ids(self, session: AsyncSession, patient_id: uuid.UUID) -> list[uuid.UUID]:
        return await patient_repository.care_team_ids(session, patient_id)

    async def active_psychiatrist_ids(self, session: AsyncSession) -> list[uuid.UUID]:
        return await patient_repository.active_psychiatrist_ids(session)

    async def contact_cards(
        self, session: AsyncSession, patient_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, tuple[str, str | None]]:
        """Name and phone of each patient, for staff who must reach them (safety tasks)."""
        return {
            p.user_id: (p.preferred_name or p.legal_name or name, p.phone)
            for p, name in await patient_repository.contact_cards(session, patient_ids)
        }

    async def account_name(self, session: AsyncSession, user_id: uuid.UUID) -> str | None:
        """The name on an account (staff names appear on reviews and signatures)."""
        return await patient_repository.account_name(session, user_id)

    async def get(self, session: AsyncSession, patient_id: uuid.UUID) -> Patient:
        patient = await patient_repository.get(session, patient_id)
        if patient is None:
            raise PatientNotFound()
        return patient

    async def assign_psychiatrist(
        self, session: AsyncSession, ctx: RequestContext, *, patient_id: uuid.UUID, psychiatrist_id: uuid.UUID
    ) -> CareTeamMemberRead:
        """Admin assignment: the psychiatrist may now see the chart (idempotent)."""
        await self.get(session, patient_id)
        doctor = await patient_repository.active_psychiatrist(session, psychiatrist_id)
        if doctor is None:
            raise PsychiatristNotFound("No active psychiatrist has this id.")
        if await patient_repository.on_care_team(session, patient_id, psychiatrist_id):
            member = await self.add_to_care_team(
                session, patient_id=patient_id, psychiatrist_id=psychiatrist_id, reason=""
            )
        else:
            member = await self.add_to_care_team(
                session, patient_id=patient_id, psychiatrist_id=psychiatrist_id, reason="admin_assignment"
            )
            audit.record(
                session,
                ctx,
                action="care_team.assigned",
                subject_type="care_team",
                subject_id=member.id,
                patient_id=patient_id,
                detail={"psychiatrist_id": str(psychiatrist_id)},
            )
        return CareTeamMemberRead(
            patient_id=patient_id,
            psychiatrist_id=psychiatrist_id,
            psychiatrist_name=doctor.full_name,
            reason=member.reason,
            added_at=member.added_at,
        )

    async def unassign_psychiatrist(
        self, session: AsyncSession, ctx: RequestContext, *, patient_id: uuid.UUID, psychiatrist_id: uuid.UUID
    ) -> None:
        await self.get(session, patient_id)
        if not await patient_repository.remove_from_care_team(session, patient_id, psychiatrist_id):
            raise CareTeamMemberNotFound()
        audit.record(
            session,
            ctx,
            action="care_team.removed",
            subject_type="care_team",
            patient_id=patient_id,
            detail={"psychiatrist_id": str(psychiatrist_id)},
        )

    async def care_team(
        self, session: AsyncSession, ctx: RequestContext, patient_id: uuid.UUID
    ) -> list[CareTeamMemberRead]:
        """Who is on a patient's care team (names and dates only: no clinical content)."""
        await self.get(session, patient_id)
        audit.record(
            session,
            ctx,
            action="care_team.read",
            subject_type="care_team",
            subject_id=patient_id,
            patient_id=patient_id,
        )
        return [
            CareTeamMemberRead(
                patient_id=m.patient_id,
                psychiatrist_id=m.psychiatrist_id,
                psychiatrist_name=name,
                reason=m.reason,
                added_at=m.added_at,
            )
            for m, name in await patient_repository.care_team(session, patient_id)
        ]

    async def my_patients(
        self, session: AsyncSession, ctx: RequestContext, actor: Actor, *, offset: int, limit: int
    ) -> tuple[Sequence[PatientSummary], int]:
        rows, total = await patient_repository.patients_of(session, actor.user_id, offset=offset, limit=limit)
        audit.record(session, ctx, action="patient.list_read", subject_type="patient", detail={"count": len(rows)})
        return [
            PatientSummary(
                patient_id=p.user_id,
                name=p.preferred_name or p.legal_name or name,
                date_of_birth=p.date_of_birth,
                state=p.state,
                language=p.language,
                on_care_team_since=m.added_at,
            )
            for p, name, m in rows
        ], total


patient_service = PatientService()
