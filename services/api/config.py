"""API settings (env prefix HALCYON_); every knob has a safe default for the embedded run."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated

from pydantic import AfterValidator, Field, SecretStr

from services.api.core.schemas import TimeZoneName
from services.common.settings import CommonSettings, Environment


def _distinct_earliest_first(offsets: list[int]) -> list[int]:
    """Reminder offsets without repeats, the longest (the first reminder to go out) first."""
    return sorted(set(offsets), reverse=True)


# Minutes before a visit, each its own reminder e-mail: at most five, from 5 minutes to 14 days.
ReminderOffsets = Annotated[
    list[Annotated[int, Field(ge=5, le=60 * 24 * 14)]],
    Field(max_length=5),
    AfterValidator(_distinct_earliest_first),
]


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

    # Scheduling and booking (a psychiatrist may set their own notice and horizon). The ones listed
    # in practice/service.py's CATALOGUE (cancellation policy, booking, crisis resources, clinical
    # thresholds) are only defaults: an admin may override them in the app.
    booking_hold_minutes: int = Field(default=10, ge=1, le=120, description="A paid booking's hold lasts this long.")
    cancellation_notice_hours: int = Field(
        default=24, ge=0, le=24 * 14, description="Patients cancelling at least this far ahead get a full refund."
    )
    cancellation_fee_cents: int = Field(
        default=5000, ge=0, description="Kept from the refund of a later patient cancellation (at most the price)."
    )
    reminder_offsets_minutes: ReminderOffsets = Field(
        default_factory=lambda: [24 * 60, 60],
        description="Reminder e-mails go out this many minutes before a visit (none when empty). A change "
        "re-plans the reminders of visits already booked that have not gone out.",
    )
    booking_min_notice_minutes: int = Field(
        default=120, ge=0, le=60 * 24 * 30, description="The earliest bookable time is this far ahead."
    )
    booking_horizon_days: int = Field(default=60, ge=1, le=366, description="Patients may book this far ahead.")

    practice_name: str = "Halcyon Ketamine & Interventional Psychiatry"
    practice_address: str = Field(
        default="1200 W Main St, Suite 300, Boise, ID 83702", description="Printed on superbills and receipts."
    )
    practice_phone: str = Field(default="(208) 555-0142", description="Printed on superbills and receipts.")
    practice_time_zone: TimeZoneName = Field(
        default="America/Boise", description="The practice's own zone: billing reports bucket days in it."
    )
    practice_npi: str = Field(default="", description="The practice's group NPI (type 2), printed on superbills.")
    practice_tax_id: str = Field(default="", description="The practice's tax id (EIN), printed on superbills.")

    # Payments (Stripe). No secret key: the embedded run starts the localstripe stand-in.
    stripe_secret_key: SecretStr = Field(
        default=SecretStr(""), description="Stripe secret key; empty: test payments through the local stand-in."
    )
    stripe_publishable_key: str = Field(default="", description="Stripe publishable key handed to Stripe.js.")
    stripe_webhook_secrets: SecretStr = Field(
        default=SecretStr(""),
        description="Webhook signing secrets, comma-separated (several during rotation); empty: endpoint off.",
    )
    stripe_api_base: str = Field(default="", description="Stripe API address; empty: Stripe itself.")
    stripe_js_url: str = Field(default="https://js.stripe.com/v3/", description="Where the web app loads Stripe.js.")
    stripe_standin_port: int = Field(
        default=8420, ge=0, le=65535, description="Embedded run without keys: the stand-in's port on 127.0.0.1."
    )
    payment_reconcile_after_minutes: int = Field(
        default=15, ge=1, le=24 * 60, description="Ask Stripe about payments still pending after this long."
    )
    trust_proxy_headers: bool = Field(
        default=False, description="Take the client address from X-Forwarded-For (only behind your own proxy)."
    )
    max_body_bytes: int = 1_000_000

    # Clinical thresholds (docs: clinical.md). Each is the practice's judgement, so a setting.
    crisis_line_phone: str = Field(
        default="988", description="Crisis line shown at once when a patient reports thoughts of self-harm."
    )
    crisis_resources_text: str = Field(
        default="If you are thinking about hurting yourself, call or text 988 (Suicide & Crisis Lifeline) now. "
        "If you are in immediate danger, call 911.",
        description="Crisis resources shown to the patient (English).",
    )
    crisis_resources_text_es: str = Field(
        default="Si está pensando en hacerse daño, llame o envíe un mensaje de texto al 988 (Línea de Prevención "
        "del Suicidio y Crisis; oprima 2 para español) ahora. Si está en peligro inmediato, llame al 911.",
        description="Crisis resources shown to the patient (Spanish).",
    )
    program_entry_phq9_min: int = Field(default=10, ge=0, le=27, description="PHQ-9 total that meets program entry.")
    program_entry_gad7_min: int = Field(default=10, ge=0, le=21, description="GAD-7 total that meets program entry.")
    program_entry_pcl5_min: int = Field(default=33, ge=0, le=80, description="PCL-5 total that meets program entry.")
    hypertension_systolic_mmhg: int = Field(
        default=140, ge=90, le=250, description="Screening flags uncontrolled hypertension above this systolic BP."
    )
    hypertension_diastolic_mmhg: int = Field(
        default=90, ge=50, le=150, description="Screening flags uncontrolled hypertension above this diastolic BP."
    )
    screening_min_age_years: int = Field(default=18, ge=0, le=120, description="Screening flags patients younger.")
    treatment_resistance_min_trials: int = Field(
        default=2, ge=1, le=10, description="Adequate antidepressant trials that make depression treatment-resistant."
    )
    safety_task_due_hours: int = Field(
        default=24, ge=1, le=168, description="A safety task is overdue this long after it opens (same day)."
    )

    # Infusion sessions and series trends (clinical.md; each a judgement of the practice).
    infusion_hold_systolic: int = Field(
        default=160,
        ge=90,
        le=250,
        description="Pre-infusion systolic BP above this needs a hold or an override reason.",
    )
    infusion_hold_diastolic: int = Field(
        default=100,
        ge=50,
        le=160,
        description="Pre-infusion diastolic BP above this needs a hold or an override reason.",
    )
    infusion_dose_min_mg_per_kg: float = Field(default=0.1, gt=0, le=5, description="Lowest ketamine dose per kg.")
    infusion_dose_max_mg_per_kg: float = Field(default=1.0, gt=0, le=5, description="Highest ketamine dose per kg.")
    infusion_dose_max_mg: float = Field(default=150.0, gt=0, le=1000, description="Highest ketamine dose per infusion.")
    phq9_response_drop_percent: int = Field(
        default=50, ge=1, le=100, description="PHQ-9 drop from baseline (percent) that counts as response."
    )
    phq9_remission_below: int = Field(default=5, ge=1, le=27, description="PHQ-9 below this counts as remission.")

    # Video consults (join tokens for signaling, call events back from it).
    consult_join_early_minutes: int = Field(
        default=15, ge=0, le=240, description="A consult can be joined from this long before its start."
    )
    consult_join_grace_minutes: int = Field(
        default=30, ge=0, le=480, description="...and until this long after its scheduled end."
    )
    join_token_minutes: int = Field(
        default=10, ge=1, le=120, description="A join token lasts this long (never past the join window)."
    )
    precall_token_minutes: int = Field(default=15, ge=1, le=120, description="A pre-call check token lasts this long.")
    internal_secret: SecretStr = Field(
        default=SecretStr(""),
        description="Shared with signaling to sign call events; empty: <var_dir>/internal_secret (embedded run).",
    )

    # Observability.
    metrics_enabled: bool = Field(
        default=True, description="Serve Prometheus metrics at /metrics (keep it off the public origin: see infra/)."
    )

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
