"""Every domain's tables, imported once so Alembic and tests see the whole schema."""

from services.api.accounts.models import AuthSession, OneTimeToken, RefreshToken, User
from services.api.audit.models import AuditEntry
from services.api.clinicians.models import License, PsychiatristProfile
from services.api.notifications.models import OutboxMessage
from services.api.patients.models import CareTeamMember, Patient

__all__ = [
    "AuditEntry",
    "AuthSession",
    "CareTeamMember",
    "License",
    "OneTimeToken",
    "OutboxMessage",
    "Patient",
    "PsychiatristProfile",
    "RefreshToken",
    "User",
]
