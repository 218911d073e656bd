from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import Path
from pydantic import Field, StringConstraints

from services.api.clinicians.models import License, PsychiatristProfile
from services.api.clinicians.service import LicenseNotFound, NotYourProfile, PsychiatristNotFound, clinician_service
from services.api.core.errors import BadRequest, Forbidden, Unauthorized, Unprocessable, responses
from services.api.core.routing import APIRouter
from services.api.core.schemas import RequestBody, ResponseBody, ShortText, TimeZoneName, USState
from services.api.deps import Ctx, CurrentStaff, ReadSession, WriteSession
from services.common.clock import utcnow

router = APIRouter(prefix="/api", tags=["psychiatrists"])

LanguageCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2}$", to_lower=True)]
StatePath = Annotated[USState, Path(description="Two-letter US state code.")]
STAFF_EDIT = responses(Unauthorized, Forbidden, NotYourProfile, PsychiatristNotFound, Unprocessable)
STAFF_EDIT_BODY = responses(Unauthorized, Forbidden, NotYourProfile, PsychiatristNotFound, Unprocessable, BadRequest)


class LicenseRead(ResponseBody):
    state: str
    expires_on: date
    active: bool


class LicenseDetail(LicenseRead):
    number: str


class PsychiatristRead(ResponseBody):
    id: uuid.UUID
    display_name: str
    credentials: str
    bio: str
    languages: list[str]
    time_zone: str
    licenses: list[LicenseRead]


class PsychiatristProfileUpdate(RequestBody):
    display_name: ShortText | None = None
    credentials: Annotated[str, StringConstraints(min_length=1, max_length=60)] | None = None
    bio: Annotated[str, StringConstraints(max_length=4000)] | None = None
    languages: list[LanguageCode] | None = Field(
        default=None, min_length=1, max_length=12, description="ISO 639-1 codes, e.g. en, es."
    )
    time_zone: TimeZoneName | None = Field(
        default=None, description="IANA zone; weekly availability is read in this zone."
    )


class LicensePut(RequestBody):
    number: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    expires_on: date = Field(description="Booking in this state stops after this date.")


def _read(profile: PsychiatristProfile, lics: list[License]) -> PsychiatristRead:
    today = utcnow().date()
    return PsychiatristRead(
        id=profile.user_id,
        display_name=profile.display_name,
        credentials=profile.credentials,
        bio=profile.bio,
        languages=list(profile.languages),
        time_zone=profile.time_zone,
        licenses=[
            LicenseRead(state=lic.state, expires_on=lic.expires_on, active=lic.expires_on >= today) for lic in lics
        ],
    )


def _detail(lic: License) -> LicenseDetail:
    return LicenseDetail(
        state=lic.state, number=lic.number, expires_on=lic.expires_on, active=lic.expires_on >= utcnow().date()
    )


@router.get("/psychiatrists", response_model=list[PsychiatristRead])
async def list_psychiatrists(session: ReadSession) -> list[PsychiatristRead]:
    """The practice's psychiatrists, with the states they are licensed in."""
    return [_read(p, lics) for p, lics in await clinician_service.directory(session)]


@router.get(
    "/psychiatrists/{psychiatrist_id}",
    response_model=PsychiatristRead,
    responses=responses(PsychiatristNotFound, Unprocessable),
)
async def get_psychiatrist(psychiatrist_id: uuid.UUID, session: ReadSession) -> PsychiatristRead:
    """One psychiatrist's public profile."""
    profile = await clinician_service.get(session, psychiatrist_id)
    return _read(profile, await clinician_service.licenses(session, psychiatrist_id))


@router.patch("/psychiatrists/{psychiatrist_id}", response_model=PsychiatristRead, responses=STAFF_EDIT_BODY)
async def update_psychiatrist(
    psychiatrist_id: uuid.UUID, body: PsychiatristProfileUpdate, actor: CurrentStaff, session: WriteSession, ctx: Ctx
) -> PsychiatristRead:
    """Edit a profile: the psychiatrist's own, or anyone's for admins."""
    profile = await clinician_service.update_profile(
        session, ctx, actor, psychiatrist_id, body.model_dump(exclude_unset=True)
    )
    return _read(profile, await clinician_service.licenses(session, psychiatrist_id))


@router.get("/psychiatrists/{psychiatrist_id}/licenses", response_model=list[LicenseDetail], responses=STAFF_EDIT)
async def list_licenses(psychiatrist_id: uuid.UUID, actor: CurrentStaff, session: ReadSession) -> list[LicenseDetail]:
    """A psychiatrist's licences with their numbers (own, or anyone's for admins)."""
    await clinician_service.get(session, psychiatrist_id)
    clinician_service.ensure_may_edit(actor, psychiatrist_id)
    return [_detail(lic) for lic in await clinician_service.licenses(session, psychiatrist_id)]


@router.put(
    "/psychiatrists/{psychiatrist_id}/licenses/{state}", response_model=LicenseDetail, responses=STAFF_EDIT_BODY
)
async def put_license(
    psychiatrist_id: uuid.UUID, state: StatePath, body: LicensePut, actor: CurrentStaff, session: WriteSession, ctx: Ctx
) -> LicenseDetail:
    """Add or renew the licence in a state."""
    lic = await clinician_service.put_license(
        session, ctx, actor, psychiatrist_id, state=state, number=body.number, expires_on=body.expires_on
    )
    return _detail(lic)


@router.delete(
    "/psychiatrists/{psychiatrist_id}/licenses/{state}",
    status_code=204,
    responses=responses(Unauthorized, Forbidden, NotYourProfile, LicenseNotFound, Unprocessable),
)
async def delete_license(
    psychiatrist_id: uuid.UUID, state: StatePath, actor: CurrentStaff, session: WriteSession, ctx: Ctx
) -> None:
    """Remove the licence in a state (booking there stops at once)."""
    await clinician_service.remove_license(session, ctx, actor, psychiatrist_id, state)
