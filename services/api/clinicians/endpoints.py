from __future__ import annotations

import uuid
from datetime import date

from services.api.clinicians.service import clinician_service
from services.api.core.routing import APIRouter
from services.api.core.schemas import ResponseBody
from services.api.deps import ReadSession
from services.common.clock import utcnow

router = APIRouter(prefix="/api", tags=["psychiatrists"])


class LicenseRead(ResponseBody):
    state: str
    expires_on: date
    active: bool


class PsychiatristRead(ResponseBody):
    id: uuid.UUID
    display_name: str
    credentials: str
    bio: str
    languages: list[str]
    time_zone: str
    licenses: list[LicenseRead]


@router.get("/psychiatrists", response_model=list[PsychiatristRead])
async def list_psychiatrists(session: ReadSession) -> list[PsychiatristRead]:
    """The practice's psychiatrists, with the states they are licensed in."""
    today = utcnow().date()
    return [
        PsychiatristRead(
            id=p.user_id,
            display_name=p.display_name,
            credentials=p.credentials,
            bio=p.bio,
            languages=list(p.languages),
            time_zone=p.time_zone,
            licenses=[
                LicenseRead(state=lic.state, expires_on=lic.expires_on, active=lic.expires_on >= today) for lic in lics
            ],
        )
        for p, lics in await clinician_service.directory(session)
    ]
