"""The dependency aliases every endpoint uses, in one place."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.accounts.deps import (
    get_account_service,
    get_request_context,
    get_session,
    require_admin,
    require_patient,
    require_psychiatrist,
    require_staff,
    require_user,
)
from services.api.accounts.service import AccountService
from services.api.core.context import Actor, RequestContext

WriteSession = Annotated[AsyncSession, Depends(get_session)]
ReadSession = WriteSession  # one transaction per request either way; reads of charts write audit rows
Ctx = Annotated[RequestContext, Depends(get_request_context)]
Accounts = Annotated[AccountService, Depends(get_account_service)]
CurrentUser = Annotated[Actor, Depends(require_user)]
CurrentPatient = Annotated[Actor, Depends(require_patient)]
CurrentPsychiatrist = Annotated[Actor, Depends(require_psychiatrist)]
CurrentAdmin = Annotated[Actor, Depends(require_admin)]
CurrentStaff = Annotated[Actor, Depends(require_staff)]


__all__ = [
    "Accounts",
    "Ctx",
    "CurrentAdmin",
    "CurrentPatient",
    "CurrentPsychiatrist",
    "CurrentStaff",
    "CurrentUser",
    "ReadSession",
    "WriteSession",
]
