from __future__ import annotations

import uuid

from services.api.core.errors import BadRequest, Forbidden, Unauthorized, Unprocessable, responses
from services.api.core.routing import APIRouter
from services.api.deps import Ctx, CurrentPatient, CurrentPsychiatrist, EffectiveSettings, ReadSession, WriteSession
from services.api.patients.service import PatientNotFound
from services.api.treatment import service as svc
from services.api.treatment.schemas import (
    Discharge,
    InfusionSessionRead,
    PatientPlanRead,
    PlanCreate,
    PlanRead,
    PlanStatusChange,
    PlanUpdate,
    SeriesProgress,
    SessionPrefill,
    SessionStart,
    SessionUpdate,
    Timepoint,
    TreatmentReadiness,
    TrendsRead,
    VitalsIn,
)
from services.api.treatment.service import treatment_service

router = APIRouter(prefix="/api", tags=["treatment"])

SIGNED_IN = (Unauthorized, Forbidden, Unprocessable)
WITH_BODY = (*SIGNED_IN, BadRequest)  # BadRequest: a body that is not JSON at all
PATIENT = responses(*SIGNED_IN, PatientNotFound)
PLAN = responses(*SIGNED_IN, svc.PlanNotFound, PatientNotFound)
INFUSION = responses(*SIGNED_IN, svc.InfusionNotFound, PatientNotFound)
# Writes to a plan or an infusion session: a body, then the same not-founds as the reads.
PLAN_WRITE = (*WITH_BODY, svc.PlanNotFound, PatientNotFound)
INFUSION_WRITE = (*WITH_BODY, svc.InfusionNotFound, PatientNotFound)


@router.get("/patients/{patient_id:uuid}/treatment-plans", response_model=list[PlanRead], responses=PATIENT)
async def list_treatment_plans(
    patient_id: uuid.UUID, session: ReadSession, ctx: Ctx, actor: CurrentPsychiatrist
) -> list[PlanRead]:
    """A patient's treatment plans, newest first, with status history and infusions given."""
    return await treatment_service.list_plans(session, ctx, actor, patient_id)


@router.post(
    "/patients/{patient_id:uuid}/treatment-plans",
    status_code=201,
    response_model=PlanRead,
    responses=responses(*WITH_BODY, PatientNotFound, svc.DoseOutOfRange),
)
async def create_treatment_plan(
    patient_id: uuid.UUID,
    body: PlanCreate,
    session: WriteSession,
    ctx: Ctx,
    actor: CurrentPsychiatrist,
    settings: EffectiveSettings,
) -> PlanRead:
    """Propose a treatment plan (it starts as `proposed`)."""
    return await treatment_service.create_plan(session, ctx, actor, settings, patient_id, body)


@router.get("/patients/{patient_id:uuid}/treatment-readiness", response_model=TreatmentReadiness, responses=PATIENT)
async def get_treatment_readiness(
    patient_id: uuid.UUID, session: ReadSession, ctx: Ctx, actor: CurrentPsychiatrist, settings: EffectiveSettings
) -> TreatmentReadiness:
    """What must happen before a plan of this patient can become active, and the practice's dose limits."""
    return await treatment_service.readiness(session, ctx, actor, settings, patient_id)


@router.get("/treatment-plans/{plan_id}", response_model=PlanRead, responses=PLAN)
async def get_treatment_plan(
    plan_id: uuid.UUID, session: ReadSession, ctx: Ctx, actor: CurrentPsychiatrist
) -> PlanRead:
    """One treatment plan."""
    return await treatment_service.get_plan(session, ctx, actor, plan_id)


@router.patch(
    "/treatment-plans/{plan_id}",
    response_model=PlanRead,
    responses=responses(*PLAN_WRITE, svc.PlanCompleted, svc.DoseOutOfRange),
)
async def update_treatment_plan(
    plan_id: uuid.UUID,
    body: PlanUpdate,
    session: WriteSession,
    ctx: Ctx,
    actor: CurrentPsychiatrist,
    settings: EffectiveSettings,
) -> PlanRead:
    """Change a plan's dose, schedule or maintenance (not once it is completed)."""
    return await treatment_service.update_plan(session, ctx, actor, settings, plan_id, body)


@router.post(
    "/treatment-plans/{plan_id}/status",
    response_model=PlanRead,
    responses=responses(
        *PLAN_WRITE,
        svc.InvalidPlanTransition,
        svc.PlanBlocked,
        svc.AnotherPlanActive,
        svc.InfusionInProgress,
    ),
)
async def change_treatment_plan_status(
    plan_id: uuid.UUID, body: PlanStatusChange, session: WriteSession, ctx: Ctx, actor: CurrentPsychiatrist
) -> PlanRead:
    """Activate, pause or complete a plan; activation waits for reviewed flags and signed consents."""
    return await treatment_service.change_status(session, ctx, actor, plan_id, body)


@router.get("/treatment-plans/{plan_id}/progress", response_model=SeriesProgress, responses=PLAN)
async def get_series_progress(
    plan_id: uuid.UUID, session: ReadSession, ctx: Ctx, actor: CurrentPsychiatrist, settings: EffectiveSettings
) -> SeriesProgress:
    """Infusions done against planned, and the scores along the series."""
    return await treatment_service.progress(session, ctx, actor, settings, plan_id)


@router.get("/treatment-plans/{plan_id}/sessions", response_model=list[InfusionSessionRead], responses=PLAN)
async def list_infusion_sessions(
    plan_id: uuid.UUID, session: ReadSession, ctx: Ctx, actor: CurrentPsychiatrist
) -> list[InfusionSessionRead]:
    """Every infusion session of a plan, in order."""
    return await treatment_service.list_sessions(session, ctx, actor, plan_id)


@router.get("/treatment-plans/{plan_id}/sessions/prefill", response_model=SessionPrefill, responses=PLAN)
async def prefill_infusion_session(
    plan_id: uuid.UUID, session: ReadSession, ctx: Ctx, actor: CurrentPsychiatrist, settings: EffectiveSettings
) -> SessionPrefill:
    """The next session's form, pre-filled from the plan and the last session."""
    return await treatment_service.prefill(session, ctx, actor, settings, plan_id)


@router.post(
    "/treatment-plans/{plan_id}/sessions",
    status_code=201,
    response_model=InfusionSessionRead,
    responses=responses(
        *PLAN_WRITE,
        svc.PlanNotActive,
        svc.PlanBlocked,
        svc.InfusionInProgress,
        svc.HoldRequired,
        svc.DoseOutOfRange,
        svc.InvalidTimes,
    ),
)
async def start_infusion_session(
    plan_id: uuid.UUID,
    body: SessionStart,
    session: WriteSession,
    ctx: Ctx,
    actor: CurrentPsychiatrist,
    settings: EffectiveSettings,
) -> InfusionSessionRead:
    """Start (or hold) an infusion: weight, dose, lot and pre-infusion vitals."""
    return await treatment_service.start_session(session, ctx, actor, settings, plan_id, body)


@router.get("/infusion-sessions/{session_id}", response_model=InfusionSessionRead, responses=INFUSION)
async def get_infusion_session(
    session_id: uuid.UUID, session: ReadSession, ctx: Ctx, actor: CurrentPsychiatrist
) -> InfusionSessionRead:
    """One infusion session with its vitals."""
    return await treatment_service.get_session(session, ctx, actor, session_id)


@router.patch(
    "/infusion-sessions/{session_id}",
    response_model=InfusionSessionRead,
    responses=responses(*INFUSION_WRITE, svc.InfusionClosed, svc.InvalidTimes),
)
async def update_infusion_session(
    session_id: uuid.UUID, body: SessionUpdate, session: WriteSession, ctx: Ctx, actor: CurrentPsychiatrist
) -> InfusionSessionRead:
    """Record CADSS-6, side effects, interventions, lot, times or notes of a session in progress."""
    return await treatment_service.update_session(session, ctx, actor, session_id, body)


@router.put(
    "/infusion-sessions/{session_id}/vitals/{timepoint}",
    response_model=InfusionSessionRead,
    responses=responses(*INFUSION_WRITE, svc.InfusionClosed, svc.PreVitalsFixed),
)
async def record_infusion_vitals(
    session_id: uuid.UUID,
    timepoint: Timepoint,
    body: VitalsIn,
    session: WriteSession,
    ctx: Ctx,
    actor: CurrentPsychiatrist,
) -> InfusionSessionRead:
    """Record BP, heart rate and SpO2 at 15, 30, 45 min, end or discharge."""
    return await treatment_service.record_vitals(session, ctx, actor, session_id, timepoint, body)


@router.post(
    "/infusion-sessions/{session_id}/discharge",
    response_model=InfusionSessionRead,
    responses=responses(
        *INFUSION_WRITE,
        svc.InfusionClosed,
        svc.NotReadyForDischarge,
        svc.InvalidTimes,
    ),
)
async def discharge_infusion_session(
    session_id: uuid.UUID, body: Discharge, session: WriteSession, ctx: Ctx, actor: CurrentPsychiatrist
) -> InfusionSessionRead:
    """Discharge the patient: alert, vitals near baseline, escort present; the session closes."""
    return await treatment_service.discharge(session, ctx, actor, session_id, body)


@router.get("/patients/{patient_id:uuid}/trends", response_model=TrendsRead, responses=PATIENT)
async def get_patient_trends(
    patient_id: uuid.UUID, session: ReadSession, ctx: Ctx, actor: CurrentPsychiatrist, settings: EffectiveSettings
) -> TrendsRead:
    """A patient's scores over time beside the infusion dates; PHQ-9 response and remission marked."""
    return await treatment_service.trends(session, ctx, actor, settings, patient_id)


@router.get(
    "/patients/me/trends", response_model=TrendsRead, responses=responses(Unauthorized, Forbidden, PatientNotFound)
)
async def get_my_trends(
    session: ReadSession, ctx: Ctx, actor: CurrentPatient, settings: EffectiveSettings
) -> TrendsRead:
    """My scores over time beside my infusion dates."""
    return await treatment_service.trends(session, ctx, actor, settings, actor.user_id)


@router.get(
    "/patients/me/treatment-plans",
    response_model=list[PatientPlanRead],
    responses=responses(Unauthorized, Forbidden, PatientNotFound),
)
async def list_my_treatment_plans(session: ReadSession, ctx: Ctx, actor: CurrentPatient) -> list[PatientPlanRead]:
    """My treatment plans and how far along each series is."""
    return await treatment_service.my_plans(session, ctx, actor)
