from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from services.api.config import Settings


def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


AppSettings = Annotated[Settings, Depends(get_app_settings)]
