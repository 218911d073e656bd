from __future__ import annotations

import uuid

from fastapi import Response

from services.api.core.errors import BadRequest, Forbidden, Unauthorized, Unprocessable, responses
from services.api.core.pagination import Page, Pagination
from services.api.core.routing import APIRouter
from services.api.deps import Ctx, CurrentAdmin, CurrentPatient, CurrentPsychiatrist, ReadSession, WriteSession
from services.api.patients.schemas import (
    CareTeamAssign,
    CareTeamMemberRead,
    PatientProfile,
    PatientSummary,
    ProfileUpdate,
)
from services.api.patients.service import CareTeamMemberNotFound, PatientNotFound, PsychiatristNotFound, patient_service

# Patient ids are matched as UUIDs in paths, so /api/patients/me/... never reaches a {patient_id} route.
router = APIRouter(prefix="/api/patients", tags=["patients"])
admin_router = APIRouter(prefix="/api/admin/patients", tags=["admin"])

# A body that is not JSON at all (or not UTF-8) is a 400; one that is, but invalid, a 422.
BODY = responses(BadRequest, Unprocessable)
SIGNED_IN = responses(Unauthorized, Forbidden)
CHART = responses(Unauthorized, Forbidden, PatientNotFound, Unprocessable)


@router.get("/me/profile", response_model=PatientProfile, responses=SIGNED_IN)
async def get_my_profile(session: ReadSession, ctx: Ctx, actor: CurrentPatient) -> PatientProfile:
    """My profile: names, date of birth, where I live and am, contacts, primary care and pharmacy."""
    return await patient_service.profile(session, ctx, actor, actor.user_id)


@router.patch("/me/profile", response_model=PatientProfile, responses=SIGNED_IN | BODY)
async def update_my_profile(
    body: ProfileUpdate, session: WriteSession, ctx: Ctx, actor: CurrentPatient
) -> PatientProfile:
    """Change parts of my profile; only the fields sent change."""
    return await patient_service.update_profile(session, ctx, actor, body)


@router.get("", response_model=Page[PatientSummary], responses=SIGNED_IN | responses(Unprocessable))
async def list_my_patients(
    session: ReadSession, ctx: Ctx, actor: CurrentPsychiatrist, pagination: Pagination
) -> Page[PatientSummary]:
    """Patients on my care team, by name."""
    items, total = await patient_service.my_patients(
        session, ctx, actor, offset=pagination.offset, limit=pagination.limit
    )
    return Page(items=list(items), total=total, page=pagination.page, limit=pagination.limit)


@router.get("/{patient_id:uuid}/profile", response_model=PatientProfile, responses=CHART)
async def get_patient_profile(
    patient_id: uuid.UUID, session: ReadSession, ctx: Ctx, actor: CurrentPsychiatrist
) -> PatientProfile:
    """A care-team patient's profile."""
    return await patient_service.profile(session, ctx, actor, patient_id)


@admin_router.get("/{patient_id:uuid}/care-team", response_model=list[CareTeamMemberRead], responses=CHART)
async def list_care_team(
    patient_id: uuid.UUID, session: ReadSession, ctx: Ctx, actor: CurrentAdmin
) -> list[CareTeamMemberRead]:
    """Psychiatrists on a patient's care team (no clinical content)."""
    return await patient_service.care_team(session, ctx, patient_id)


@admin_router.post(
    "/{patient_id:uuid}/care-team",
    response_model=CareTeamMemberRead,
    responses=CHART | BODY | responses(PsychiatristNotFound),
)
async def assign_care_team_psychiatrist(
    patient_id: uuid.UUID, body: CareTeamAssign, session: WriteSession, ctx: Ctx, actor: CurrentAdmin
) -> CareTeamMemberRead:
    """Put a psychiatrist on a patient's care team (assigning twice changes nothing)."""
    return await patient_service.assign_psychiatrist(
        session, ctx, patient_id=patient_id, psychiatrist_id=body.psychiatrist_id
    )


@admin_router.delete(
    "/{patient_id:uuid}/care-team/{psychiatrist_id:uuid}",
    status_code=204,
    responses=CHART | responses(CareTeamMemberNotFound),
)
async def remove_care_team_psychiatrist(
    patient_id: uuid.UUID, psychiatrist_id: uuid.UUID, session: WriteSession, ctx: Ctx, actor: CurrentAdmin
) -> Response:
    """Take a psychiatrist off a patient's care team."""
    await patient_service.unassign_psychiatrist(session, ctx, patient_id=patient_id, psychiatrist_id=psychiatrist_id)
    return Response(status_code=204)
