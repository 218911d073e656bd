"""Authentication and role dependencies. Each role dependency is tagged with the access it
grants so the route-walking authorization test reads access from the app, not from a list."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.accounts.models import User
from services.api.accounts.service import AccountService, MfaRequired
from services.api.core.context import Actor, RequestContext, Role
from services.api.core.errors import Forbidden, Unauthorized

bearer_scheme = HTTPBearer(auto_error=False, description="Access token from /api/auth/login.")


def get_request_context(request: Request) -> RequestContext:
    ctx: RequestContext = request.state.ctx
    return ctx


def get_session(request: Request) -> AsyncSession:
    session: AsyncSession | None = getattr(request.state, "db", None)
    if session is None:
        raise RuntimeError("route is not transactional: mount it on services.api.core.routing.APIRouter")
    return session


def get_account_service(request: Request) -> AccountService:
    return AccountService(request.app.state.auth_kit)


async def _authenticate(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> tuple[Actor, User]:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("Sign in to continue.", headers={"WWW-Authenticate": "Bearer"})
    cached: tuple[Actor, User] | None = getattr(request.state, "auth", None)
    if cached is not None:
        return cached
    result = await get_account_service(request).authenticate(get_session(request), credentials.credentials)
    request.state.auth = result
    request.state.ctx.actor = result[0]
    return result


def _tag(fn: Callable[..., Awaitable[Any]], access: str) -> Callable[..., Awaitable[Any]]:
    fn.__halcyon_access__ = access  # type: ignore[attr-defined,unused-ignore]
    return fn


def _role_dependency(access: str, roles: frozenset[Role], *, needs_mfa: bool) -> Callable[..., Awaitable[Actor]]:
    async def dependency(auth: Annotated[tuple[Actor, User], Depends(_authenticate)]) -> Actor:
        actor = auth[0]
        if actor.role not in roles:
            raise Forbidden("This page is not available for your account type.")
        if needs_mfa and not actor.mfa_verified:
            raise MfaRequired("Set up two-factor sign-in (an authenticator app) to continue.")
        return actor

    dependency.__name__ = f"require_{access}"
    _tag(dependency, access)
    return dependency


require_user = _role_dependency("user", frozenset(Role), needs_mfa=False)
require_patient = _role_dependency("patient", frozenset({Role.patient}), needs_mfa=False)
require_psychiatrist = _role_dependency("psychiatrist", frozenset({Role.psychiatrist}), needs_mfa=True)
require_admin = _role_dependency("admin", frozenset({Role.admin}), needs_mfa=True)
require_staff = _role_dependency("staff", frozenset({Role.psychiatrist, Role.admin}), needs_mfa=True)

ACCESS_DEPENDENCIES = (require_user, require_patient, require_psychiatrist, require_admin, require_staff)
