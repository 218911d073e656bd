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
from services.api.practice.service import PracticeSettingsCache, practice_settings_service


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


def get_practice_cache(request: Request) -> PracticeSettingsCache:
    cache: PracticeSettingsCache = request.app.state.practice_settings_cache
    return cache


async def get_effective_settings(request: Request, session: WriteSession) -> Settings:
    """The app's settings with the practice settings an admin changed in the app applied.

    Use this (not `AppSettings`) for anything that reads a setting in the practice CATALOGUE:
    cancellation policy, booking, crisis resources, clinical thresholds.
    """
    return await practice_settings_service.effective(session, get_app_settings(request), get_practice_cache(request))


EffectiveSettings = Annotated[Settings, Depends(get_effective_settings)]
PracticeCache = Annotated[PracticeSettingsCache, Depends(get_practice_cache)]


__all__ = [
    "Accounts",
    "AppSettings",
    "Ctx",
    "CurrentAdmin",
    "CurrentPatient",
    "CurrentPsychiatrist",
    "CurrentStaff",
    "CurrentUser",
    "EffectiveSettings",
    "PracticeCache",
    "ReadSession",
    "WriteSession",
    "get_app_settings",
    "get_effective_settings",
]
