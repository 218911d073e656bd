"""Every domain's tables, imported once so Alembic and tests see the whole schema."""

from services.api.accounts.models import AuthSession, OneTimeToken, RefreshToken, User
from services.api.audit.models import AuditEntry
from services.api.clinicians.models import License, PsychiatristProfile
from services.api.consents.models import ConsentSignature
from services.api.consults.models import CallEvent, Consult, ConsultMessage
from services.api.notes.models import NoteAddendum, VisitNote
from services.api.notifications.models import OutboxMessage
from services.api.patients.models import CareTeamMember, Patient
from services.api.payments.models import Payment, Refund, StripeEvent
from services.api.practice.models import PracticeSettingOverride
from services.api.safety.models import SafetyTask, SafetyTaskAssignee
from services.api.scales.models import ScaleAssignment, ScaleResult
from services.api.scheduling.models import (
    AvailabilityOverride,
    AvailabilityRule,
    Booking,
    BookingReminder,
    ScheduleSettings,
    TimeOff,
    VisitType,
)
from services.api.screening.models import Intake, ScreeningFlag
from services.api.treatment.models import InfusionSession, InfusionVitals, TreatmentPlan, TreatmentPlanStatusChange

__all__ = [
    "AuditEntry",
    "AuthSession",
    "AvailabilityOverride",
    "AvailabilityRule",
    "Booking",
    "BookingReminder",
    "CallEvent",
    "CareTeamMember",
    "ConsentSignature",
    "Consult",
    "ConsultMessage",
    "InfusionSession",
    "InfusionVitals",
    "Intake",
    "License",
    "NoteAddendum",
    "OneTimeToken",
    "OutboxMessage",
    "Patient",
    "Payment",
    "PracticeSettingOverride",
    "PsychiatristProfile",
    "RefreshToken",
    "Refund",
    "SafetyTask",
    "SafetyTaskAssignee",
    "ScaleAssignment",
    "ScaleResult",
    "ScheduleSettings",
    "ScreeningFlag",
    "StripeEvent",
    "TimeOff",
    "TreatmentPlan",
    "TreatmentPlanStatusChange",
    "User",
    "VisitNote",
    "VisitType",
]
