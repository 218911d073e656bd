"""Signaling settings (env prefix HALCYON_SIGNALING_)."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from services.common.settings import CommonSettings


class SignalingSettings(CommonSettings):
    model_config = SettingsConfigDict(env_prefix="HALCYON_SIGNALING_", env_file=".env", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8001
    api_url: str = Field(default="http://127.0.0.1:8000", description="Where call events are reported.")
    jwks_url: str = Field(default="", description="The API's public keys; empty: <api_url>/.well-known/jwks.json.")
    redis_url: str = Field(default="", description="Empty: one instance with an in-process bus.")
    bus_prefix: str = Field(default="halcyon:sig", min_length=1, max_length=60, description="Redis key prefix.")
    internal_secret: SecretStr = Field(
        default=SecretStr(""), description="Signs call events to the API; empty: <var_dir>/internal_secret."
    )

    # ICE servers handed to clients in `joined`. No public STUN server by default.
    stun_urls: list[str] = Field(default_factory=list, description="e.g. stun:turn.example.org:3478")
    turn_urls: list[str] = Field(default_factory=list, description="e.g. turn:turn.example.org:3478?transport=udp")
    turn_secret: SecretStr = Field(default=SecretStr(""), description="coturn's static-auth-secret.")
    turn_ttl_seconds: int = Field(default=3600, ge=60, le=86400, description="Lifetime of TURN credentials.")

    # Heartbeats, limits and rooms.
    auth_timeout_seconds: float = Field(default=5.0, gt=0, le=60, description="The first message must come by then.")
    heartbeat_interval_seconds: float = Field(default=10.0, gt=0, le=300)
    heartbeat_timeout_seconds: float = Field(default=30.0, gt=0, le=900, description="Silence longer than this closes.")
    max_frame_bytes: int = Field(default=65536, ge=1024, le=1_000_000, description="Larger messages close with 4413.")
    rate_per_second: float = Field(default=50.0, gt=0, le=10000, description="Sustained messages per connection.")
    rate_burst: int = Field(default=200, ge=1, le=100000, description="Messages a connection may send at once.")
    max_invalid_messages: int = Field(default=10, ge=1, le=1000, description="Invalid messages before close 4422.")
    send_queue_size: int = Field(default=512, ge=8, le=100000, description="A reader this far behind is closed.")
    room_idle_seconds: float = Field(
        default=1800.0, gt=0, le=86400, description="A room with one party and no activity this long is closed."
    )

    # Pre-call echo check.
    echo_max_concurrent: int = Field(default=4, ge=0, le=1000, description="Pre-call checks running at once.")
    echo_max_seconds: float = Field(default=60.0, gt=0, le=600, description="Each pre-call check ends after this.")
    echo_host_addresses: list[str] = Field(
        default_factory=list, description="Addresses the echo peer offers host candidates on; empty: every interface."
    )

    @property
    def effective_jwks_url(self) -> str:
        return self.jwks_url or f"{self.api_url.rstrip('/')}/.well-known/jwks.json"


@lru_cache
def get_signaling_settings() -> SignalingSettings:
    return SignalingSettings()
