from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query

from services.api.consents.documents import ConsentKind
from services.api.consents.schemas import ConsentDocumentRead, ConsentSign, ConsentSignatureRead, PatientConsents
from services.api.consents.service import (
    ConsentAlreadySigned,
    ConsentDocumentNotFound,
    ConsentTextMismatch,
    ConsentVersionOutdated,
    consent_service,
)
from services.api.core.errors import BadRequest, Forbidden, Unauthorized, Unprocessable, responses
from services.api.core.routing import APIRouter
from services.api.deps import Ctx, CurrentPatient, CurrentPsychiatrist, CurrentUser, ReadSession, WriteSession
from services.api.patients.fields import Language
from services.api.patients.service import PatientNotFound

router = APIRouter(prefix="/api/consents", tags=["consents"])
chart_router = APIRouter(prefix="/api/patients", tags=["consents"])

# A body that is not JSON at all (or not UTF-8) is a 400; one that is, but invalid, a 422.
BODY = responses(BadRequest, Unprocessable)
SIGNED_IN = responses(Unauthorized, Forbidden, Unprocessable)


@router.get(
    "/documents/{kind}", response_model=ConsentDocumentRead, responses=SIGNED_IN | responses(ConsentDocumentNotFound)
)
async def get_consent_document(
    kind: ConsentKind,
    actor: CurrentUser,
    language: Language = "en",
    version: Annotated[str | None, Query(max_length=20, description="An earlier version (default: current).")] = None,
) -> ConsentDocumentRead:
    """A consent document's text and its hash, current or an earlier version."""
    return consent_service.document(kind, language, version)


@chart_router.get("/me/consents", response_model=PatientConsents, responses=SIGNED_IN)
async def get_my_consents(session: ReadSession, ctx: Ctx, actor: CurrentPatient) -> PatientConsents:
    """Which consents I have signed and which need my signature."""
    return await consent_service.consents(session, ctx, actor, actor.user_id)


@chart_router.post(
    "/me/consents/{kind}/signatures",
    status_code=201,
    response_model=ConsentSignatureRead,
    responses=SIGNED_IN | BODY | responses(ConsentVersionOutdated, ConsentTextMismatch, ConsentAlreadySigned),
)
async def sign_consent(
    kind: ConsentKind, body: ConsentSign, session: WriteSession, ctx: Ctx, actor: CurrentPatient
) -> ConsentSignatureRead:
    """Sign the current version of a consent by typing my name."""
    return await consent_service.sign(session, ctx, actor, kind, body)


@chart_router.get(
    "/{patient_id:uuid}/consents", response_model=PatientConsents, responses=SIGNED_IN | responses(PatientNotFound)
)
async def get_patient_consents(
    patient_id: uuid.UUID, session: ReadSession, ctx: Ctx, actor: CurrentPsychiatrist
) -> PatientConsents:
    """A care-team patient's consents and signatures."""
    return await consent_service.consents(session, ctx, actor, patient_id)
