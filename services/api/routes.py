"""Every domain router, mounted in one list."""

from fastapi import APIRouter

from services.api.accounts.endpoints import admin_router as accounts_admin_router
from services.api.accounts.endpoints import me_router
from services.api.accounts.endpoints import router as auth_router
from services.api.accounts.oidc import router as oidc_router
from services.api.audit.endpoints import router as audit_router
from services.api.billing.endpoints import ROUTERS as BILLING_ROUTERS
from services.api.clinicians.endpoints import router as clinicians_router
from services.api.consents.endpoints import chart_router as consents_chart_router
from services.api.consents.endpoints import router as consents_router
from services.api.consults.endpoints import internal_router as consults_internal_router
from services.api.consults.endpoints import router as consults_router
from services.api.notes.endpoints import router as notes_router
from services.api.notes.endpoints import summaries_router as visit_summaries_router
from services.api.patients.endpoints import admin_router as patients_admin_router
from services.api.patients.endpoints import router as patients_router
from services.api.payments.endpoints import admin_router as payments_admin_router
from services.api.payments.endpoints import router as payments_router
from services.api.payments.endpoints import webhook_router as stripe_webhook_router
from services.api.practice.endpoints import admin_router as practice_admin_router
from services.api.practice.endpoints import router as practice_router
from services.api.safety.endpoints import admin_router as safety_admin_router
from services.api.safety.endpoints import chart_router as safety_chart_router
from services.api.safety.endpoints import router as safety_router
from services.api.scales.endpoints import chart_router as scales_chart_router
from services.api.scales.endpoints import router as scales_router
from services.api.scheduling.endpoints import ROUTERS as SCHEDULING_ROUTERS
from services.api.screening.endpoints import intake_router
from services.api.screening.endpoints import router as screening_router
from services.api.timeline.endpoints import router as timeline_router
from services.api.treatment.endpoints import router as treatment_router

ROUTERS: list[APIRouter] = [
    auth_router,
    oidc_router,
    me_router,
    accounts_admin_router,
    audit_router,
    clinicians_router,
    practice_router,
    practice_admin_router,
    patients_router,
    patients_admin_router,
    intake_router,
    screening_router,
    scales_router,
    scales_chart_router,
    safety_router,
    safety_chart_router,
    safety_admin_router,
    consents_router,
    consents_chart_router,
    notes_router,
    visit_summaries_router,
    treatment_router,
    timeline_router,
    *SCHEDULING_ROUTERS,
    consults_router,
    consults_internal_router,
    payments_router,
    payments_admin_router,
    stripe_webhook_router,
    *BILLING_ROUTERS,
]
