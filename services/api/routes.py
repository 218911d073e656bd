"""Every domain router, mounted in one list."""

from fastapi import APIRouter

from services.api.accounts.endpoints import admin_router as accounts_admin_router
from services.api.accounts.endpoints import me_router
from services.api.accounts.endpoints import router as auth_router
from services.api.accounts.oidc import router as oidc_router
from services.api.audit.endpoints import router as audit_router
from services.api.clinicians.endpoints import router as clinicians_router
from services.api.practice.endpoints import router as practice_router

ROUTERS: list[APIRouter] = [
    auth_router,
    oidc_router,
    me_router,
    accounts_admin_router,
    audit_router,
    clinicians_router,
    practice_router,
]
