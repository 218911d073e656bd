from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query
from pydantic import AwareDatetime

from services.api.audit import service as audit
from services.api.audit.schemas import AuditEntryRead, ChainStatus
from services.api.core.errors import Forbidden, Unauthorized, Unprocessable, responses
from services.api.core.pagination import Page, Pagination
from services.api.core.routing import APIRouter
from services.api.deps import CurrentAdmin, ReadSession

router = APIRouter(prefix="/api/admin/audit", tags=["audit"])


@router.get("", response_model=Page[AuditEntryRead], responses=responses(Unauthorized, Forbidden, Unprocessable))
async def list_audit_entries(
    session: ReadSession,
    actor: CurrentAdmin,
    pagination: Pagination,
    action: Annotated[str | None, Query(max_length=80)] = None,
    actor_id: uuid.UUID | None = None,
    patient_id: uuid.UUID | None = None,
    since: AwareDatetime | None = None,
    until: AwareDatetime | None = None,
) -> Page[AuditEntryRead]:
    """The audit log, newest first, with filters (entries hold ids, never clinical content)."""
    rows, total = await audit.search(
        session,
        action=action,
        actor_id=actor_id,
        patient_id=patient_id,
        since=since,
        until=until,
        offset=pagination.offset,
        limit=pagination.limit,
    )
    return Page(
        items=[AuditEntryRead.model_validate(r) for r in rows],
        total=total,
        page=pagination.page,
        limit=pagination.limit,
    )


@router.get("/verify", response_model=ChainStatus, responses=responses(Unauthorized, Forbidden))
async def verify_audit_chain(session: ReadSession, actor: CurrentAdmin) -> ChainStatus:
    """Recompute the hash chain and report the first broken row, if any."""
    report = await audit.verify_chain(session)
    return ChainStatus(checked=report.checked, ok=report.ok, first_bad_id=report.first_bad_id, reason=report.reason)
