from __future__ import annotations

import uuid

from services.api.core.errors import BadRequest, Forbidden, Unauthorized, Unprocessable, responses
from services.api.core.routing import APIRouter
from services.api.deps import Ctx, CurrentPatient, CurrentPsychiatrist, EffectiveSettings, ReadSession, WriteSession
from services.api.patients.service import PatientNotFound
from services.api.screening.schemas import (
    ClinicianIntakeRead,
    FlagRead,
    FlagReview,
    IntakeAnswers,
    IntakeRead,
    IntakeSubmitted,
    RuleSetRead,
)
from services.api.screening.service import (
    FlagAlreadyReviewed,
    FlagNotFound,
    IntakeIncomplete,
    IntakeNotSubmitted,
    NothingToSubmit,
    screening_service,
)

intake_router = APIRouter(prefix="/api/patients", tags=["intake"])
router = APIRouter(prefix="/api", tags=["screening"])

# A body that is not JSON at all (or not UTF-8) is a 400; one that is, but invalid, a 422.
BODY = responses(BadRequest, Unprocessable)
SIGNED_IN = responses(Unauthorized, Forbidden)
CHART = responses(Unauthorized, Forbidden, PatientNotFound, Unprocessable)


@intake_router.get("/me/intake", response_model=IntakeRead, responses=SIGNED_IN)
async def get_my_intake(session: ReadSession, ctx: Ctx, actor: CurrentPatient) -> IntakeRead:
    """My intake: the draft I am filling in (with what is still missing), or the one I submitted."""
    return await screening_service.my_intake(session, ctx, actor)


@intake_router.put("/me/intake/draft", response_model=IntakeRead, responses=SIGNED_IN | BODY)
async def save_my_intake_draft(
    body: IntakeAnswers, session: WriteSession, ctx: Ctx, actor: CurrentPatient
) -> IntakeRead:
    """Save some answers and come back later; each answer is checked as it is saved."""
    return await screening_service.save_draft(session, ctx, actor, body)


@intake_router.post(
    "/me/intake/submit",
    response_model=IntakeSubmitted,
    responses=SIGNED_IN | responses(IntakeIncomplete, NothingToSubmit),
)
async def submit_my_intake(
    settings: EffectiveSettings, session: WriteSession, ctx: Ctx, actor: CurrentPatient
) -> IntakeSubmitted:
    """Submit the intake; a 422 lists every answer still missing."""
    return await screening_service.submit(session, ctx, actor, settings)


@intake_router.get(
    "/{patient_id:uuid}/intake", response_model=ClinicianIntakeRead, responses=CHART | responses(IntakeNotSubmitted)
)
async def get_patient_intake(
    patient_id: uuid.UUID, settings: EffectiveSettings, session: ReadSession, ctx: Ctx, actor: CurrentPsychiatrist
) -> ClinicianIntakeRead:
    """A care-team patient's latest submitted intake, with treatment-resistance worked out."""
    return await screening_service.clinician_intake(session, ctx, actor, patient_id, settings)


@router.get("/patients/{patient_id:uuid}/screening/flags", response_model=list[FlagRead], responses=CHART)
async def list_screening_flags(
    patient_id: uuid.UUID, session: ReadSession, ctx: Ctx, actor: CurrentPsychiatrist
) -> list[FlagRead]:
    """Contraindication flags of a care-team patient, with their reviews."""
    return await screening_service.flags(session, ctx, actor, patient_id)


@router.post(
    "/patients/{patient_id:uuid}/screening/flags/{flag_id:uuid}/review",
    response_model=FlagRead,
    responses=CHART | BODY | responses(FlagNotFound, FlagAlreadyReviewed),
)
async def review_screening_flag(
    patient_id: uuid.UUID,
    flag_id: uuid.UUID,
    body: FlagReview,
    session: WriteSession,
    ctx: Ctx,
    actor: CurrentPsychiatrist,
) -> FlagRead:
    """Clear or override a flag with a written reason (who, when and why are kept)."""
    return await screening_service.review_flag(session, ctx, actor, patient_id, flag_id, body)


@router.get("/screening/rules", response_model=RuleSetRead, responses=SIGNED_IN)
async def get_screening_rules(actor: CurrentPsychiatrist) -> RuleSetRead:
    """The contraindication rule set in force, as data."""
    return screening_service.rules()
