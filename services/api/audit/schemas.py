from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from services.api.core.schemas import ResponseBody


class AuditEntryRead(ResponseBody):
    id: int
    at: datetime
    actor_id: uuid.UUID | None
    actor_role: str | None
    action: str
    subject_type: str
    subject_id: str | None
    patient_id: uuid.UUID | None
    request_id: str | None
    ip: str | None
    detail: dict[str, Any]


class ChainStatus(ResponseBody):
    checked: int
    ok: bool
    first_bad_id: int | None
    reason: str | None
