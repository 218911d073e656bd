"""API settings (env prefix HALCYON_); every knob has a safe default for the embedded run."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field, SecretStr

from services.common.settings import CommonSettings, Environment


class Settings(CommonSettings):
    # Where the API listens and how it is reached from a browser.
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    public_url: str = Field(
        default="http://127.0.0.1:8000", description="Origin users reach the web app at (links in e-mail)."
    )
    signaling_public_url: str = "http://127.0.0.1:8001"

    # Persistence. Empty database_url means the embedded SQLite file in var_dir.
    database_url: str = ""
    database_echo: bool = False
    redis_url: str = Field(default="", description="Empty: in-process rate limits and bus.")

    # Sessions and tokens.
    access_token_minutes: int = 10
    refresh_token_days: int = 14
    staff_idle_minutes: int = 15
    staff_absolute_hours: int = 12
    patient_idle_minutes: int = 60 * 24
    mfa_challenge_minutes: int = 5
    email_verification_hours: int = 48
    password_reset_minutes: int = 30
    invitation_days: int = 7
    refresh_cookie_name: str = "halcyon_refresh"
    cookie_secure: bool = False

    # Sign-in throttling.
    login_max_failures_per_account: int = 5
    login_max_failures_per_address: int = 20
    login_window_minutes: int = 15
    login_lockout_minutes: int = 15

    # Mail.
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 8025
    smtp_username: str = ""
    smtp_password: SecretStr = SecretStr("")
    smtp_starttls: bool = False
    mail_from: str = "Halcyon <no-reply@halcyon.local>"
    local_smtp: bool = Field(default=True, description="Embedded run: start a local SMTP server + mailbox page.")

    # Outside OpenID Connect provider (empty issuer: off).
    oidc_issuer: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: SecretStr = SecretStr("")
    oidc_display_name: str = "Single sign-on"

    # Frontend.
    serve_frontend: bool = True
    frontend_dist: str = "frontend/dist"

    practice_name: str = "Halcyon Ketamine & Interventional Psychiatry"
    trust_proxy_headers: bool = Field(
        default=False, description="Take the client address from X-Forwarded-For (only behind your own proxy)."
    )
    max_body_bytes: int = 1_000_000

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.var_dir / 'halcyon.db'}"

    @property
    def is_development(self) -> bool:
        return self.env == Environment.development


@lru_cache
def get_settings() -> Settings:
    return Settings()
