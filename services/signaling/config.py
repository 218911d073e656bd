"""Signaling settings (env prefix HALCYON_SIGNALING_)."""

from __future__ import annotations

from functools import lru_cache

from pydantic_settings import SettingsConfigDict

from services.common.settings import CommonSettings


class SignalingSettings(CommonSettings):
    model_config = SettingsConfigDict(env_prefix="HALCYON_SIGNALING_", env_file=".env", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8001
    api_url: str = "http://127.0.0.1:8000"
    redis_url: str = ""


@lru_cache
def get_signaling_settings() -> SignalingSettings:
    return SignalingSettings()
