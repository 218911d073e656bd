from __future__ import annotations

from services.api.core.errors import BadRequest, Forbidden, Unauthorized, Unprocessable, responses
from services.api.core.routing import APIRouter
from services.api.deps import (
    AppSettings,
    Ctx,
    CurrentAdmin,
    EffectiveSettings,
    PracticeCache,
    ReadSession,
    WriteSession,
)
from services.api.practice.schemas import PracticeInfo, PracticeSettingsPatch, PracticeSettingsRead
from services.api.practice.service import InvalidPracticeSettings, practice_settings_service

router = APIRouter(prefix="/api", tags=["practice"])
admin_router = APIRouter(prefix="/api/admin/practice-settings", tags=["practice"])


@router.get("/practice", response_model=PracticeInfo)
async def get_practice(settings: EffectiveSettings) -> PracticeInfo:
    """Public facts about the practice for the home page, with the crisis resources in force."""
    return PracticeInfo(
        name=settings.practice_name,
        crisis_line_phone=settings.crisis_line_phone,
        crisis_line_text=settings.crisis_resources_text,
        crisis_line_text_es=settings.crisis_resources_text_es,
        environment=settings.env.value,
    )


@admin_router.get("", response_model=PracticeSettingsRead, responses=responses(Unauthorized, Forbidden))
async def get_practice_settings(session: ReadSession, actor: CurrentAdmin, base: AppSettings) -> PracticeSettingsRead:
    """Every setting an admin may change: the value in force, the environment's default, limits, last change."""
    return await practice_settings_service.read(session, base)


@admin_router.patch(
    "",
    response_model=PracticeSettingsRead,
    responses=responses(Unauthorized, Forbidden, BadRequest, Unprocessable, InvalidPracticeSettings),
)
async def update_practice_settings(
    body: PracticeSettingsPatch,
    session: WriteSession,
    ctx: Ctx,
    actor: CurrentAdmin,
    base: AppSettings,
    cache: PracticeCache,
) -> PracticeSettingsRead:
    """Change some settings (null puts one back to its default); all are saved or none, and audited."""
    return await practice_settings_service.update(session, ctx, base, cache, body)
