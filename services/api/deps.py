"""The dependency aliases every endpoint uses, in one place."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
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
from services.api.config import Settings
from services.api.core.context import Actor, RequestContext


def get_app_settings(request: Request) -> Settings:
    """The settings this app was created with (tests build apps with their own)."""
    settings: Settings = request.app.state.settings
    return settings


AppSettings = Annotated[Settings, Depends(get_app_settings)]
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
    "AppSettings",
    "Ctx",
    "CurrentAdmin",
    "CurrentPatient",
    "CurrentPsychiatrist",
    "CurrentStaff",
    "CurrentUser",
    "ReadSession",
    "WriteSession",
    "get_app_settings",
]
