from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import Cookie, Query, Request, Response

from services.api.accounts import service as svc
from services.api.accounts.models import OneTimeToken
from services.api.accounts.schemas import (
    EmailRequest,
    InvitationAccept,
    InvitationCreate,
    InvitationInfo,
    InvitationRead,
    LoginRequest,
    LoginResult,
    Me,
    MessageResponse,
    MfaConfirm,
    MfaEnrollment,
    MfaLoginRequest,
    PasswordChange,
    PasswordResetConfirm,
    RegisterRequest,
    RevokedCount,
    SessionRead,
    TokenRequest,
    UserRead,
)
from services.api.config import Settings
from services.api.core.errors import BadRequest, Conflict, Forbidden, NotFound, Unauthorized, Unprocessable, responses
from services.api.core.pagination import Page, Pagination
from services.api.core.routing import APIRouter
from services.api.deps import Accounts, Ctx, CurrentAdmin, CurrentUser, WriteSession

router = APIRouter(prefix="/api/auth", tags=["auth"])
me_router = APIRouter(prefix="/api", tags=["me"])
admin_router = APIRouter(prefix="/api/admin", tags=["admin"])

LINK_ERRORS = responses(svc.InvalidLink, svc.LinkUsed, svc.LinkExpired, Unprocessable)
SIGNED_IN = responses(Unauthorized, Forbidden, Unprocessable)


def _set_refresh_cookie(request: Request, response: Response, issued: svc.Issued) -> None:
    settings: Settings = request.app.state.settings
    if issued.refresh_token:
        response.set_cookie(
            settings.refresh_cookie_name,
            issued.refresh_token,
            max_age=issued.refresh_max_age,
            httponly=True,
            secure=settings.cookie_secure,
            samesite="strict",
            path="/api/auth",
        )


def _clear_refresh_cookie(request: Request, response: Response) -> None:
    settings: Settings = request.app.state.settings
    response.delete_cookie(settings.refresh_cookie_name, path="/api/auth", samesite="strict", httponly=True)


@router.post("/register", status_code=202, response_model=MessageResponse, responses=responses(Unprocessable))
async def register(body: RegisterRequest, session: WriteSession, ctx: Ctx, accounts: Accounts) -> MessageResponse:
    """Create a patient account and e-mail a confirmation link."""
    return MessageResponse(message=await accounts.register(session, ctx, body))


@router.post("/verify-email", response_model=MessageResponse, responses=LINK_ERRORS)
async def verify_email(body: TokenRequest, session: WriteSession, ctx: Ctx, accounts: Accounts) -> MessageResponse:
    """Confirm an e-mail address with the single-use link's token."""
    await accounts.verify_email(session, ctx, body.token)
    return MessageResponse(message="Your e-mail is confirmed. You can sign in now.")


@router.post(
    "/verify-email/resend", status_code=202, response_model=MessageResponse, responses=responses(Unprocessable)
)
async def resend_verification(body: EmailRequest, session: WriteSession, accounts: Accounts) -> MessageResponse:
    """Send a new confirmation link if this e-mail has an unconfirmed account."""
    await accounts.resend_verification(session, body.email)
    return MessageResponse(message="If an unconfirmed account uses this e-mail, a new link is on its way.")


@router.post(
    "/login",
    response_model=LoginResult,
    responses=responses(svc.InvalidCredentials, svc.EmailNotVerified, svc.SignInLocked, Unprocessable),
)
async def login(
    body: LoginRequest, request: Request, response: Response, session: WriteSession, ctx: Ctx, accounts: Accounts
) -> LoginResult:
    """Sign in with e-mail and password; staff continue with their authenticator code."""
    issued = await accounts.login(session, ctx, body.email, body.password)
    _set_refresh_cookie(request, response, issued)
    return issued.result


@router.post(
    "/login/mfa", response_model=LoginResult, responses=responses(svc.InvalidCode, svc.SignInLocked, Unprocessable)
)
async def login_mfa(
    body: MfaLoginRequest, request: Request, response: Response, session: WriteSession, ctx: Ctx, accounts: Accounts
) -> LoginResult:
    """Finish a staff sign-in with the 6-digit authenticator code."""
    issued = await accounts.login_mfa(session, ctx, body.mfa_token, body.code)
    _set_refresh_cookie(request, response, issued)
    return issued.result


@router.post("/refresh", response_model=LoginResult, responses=responses(svc.SessionEnded, Unprocessable))
async def refresh(
    request: Request,
    response: Response,
    session: WriteSession,
    ctx: Ctx,
    accounts: Accounts,
    halcyon_refresh: Annotated[str | None, Cookie(max_length=200)] = None,
) -> LoginResult:
    """Swap the refresh cookie for a new access token (the cookie rotates on every use)."""
    name = request.app.state.settings.refresh_cookie_name
    issued = await accounts.refresh(session, ctx, request.cookies.get(name) or halcyon_refresh)
    _set_refresh_cookie(request, response, issued)
    return issued.result


@router.post("/logout", status_code=204, responses=responses(Unauthorized, Forbidden))
async def logout(request: Request, session: WriteSession, ctx: Ctx, accounts: Accounts, actor: CurrentUser) -> Response:
    """Sign out this device."""
    await accounts.logout(session, ctx, actor)
    response = Response(status_code=204)
    _clear_refresh_cookie(request, response)
    return response


@router.post(
    "/password-reset/request", status_code=202, response_model=MessageResponse, responses=responses(Unprocessable)
)
async def request_password_reset(
    body: EmailRequest, session: WriteSession, ctx: Ctx, accounts: Accounts
) -> MessageResponse:
    """E-mail a password-reset link if an account uses this address."""
    await accounts.request_password_reset(session, ctx, body.email)
    return MessageResponse(message="If an account uses this e-mail, a reset link is on its way.")


@router.post("/password-reset/confirm", response_model=MessageResponse, responses=LINK_ERRORS)
async def confirm_password_reset(
    body: PasswordResetConfirm, session: WriteSession, ctx: Ctx, accounts: Accounts
) -> MessageResponse:
    """Choose a new password with a reset link; every session is signed out."""
    await accounts.confirm_password_reset(session, ctx, body.token, body.new_password)
    return MessageResponse(message="Your password is changed. Sign in with the new one.")


@router.post("/password/change", response_model=MessageResponse, responses=SIGNED_IN | responses(svc.SignInLocked))
async def change_password(
    body: PasswordChange, session: WriteSession, ctx: Ctx, accounts: Accounts, actor: CurrentUser
) -> MessageResponse:
    """Change my password; my other sessions are signed out."""
    await accounts.change_password(session, ctx, actor, body.current_password, body.new_password)
    return MessageResponse(message="Password changed. Your other sessions were signed out.")


@router.get("/sessions", response_model=list[SessionRead], responses=SIGNED_IN)
async def list_sessions(session: WriteSession, accounts: Accounts, actor: CurrentUser) -> list[SessionRead]:
    """List the devices signed in to my account."""
    return await accounts.list_sessions(session, actor)


@router.delete("/sessions/{session_id}", status_code=204, responses=SIGNED_IN | responses(NotFound))
async def revoke_session(
    session_id: uuid.UUID, session: WriteSession, ctx: Ctx, accounts: Accounts, actor: CurrentUser
) -> Response:
    """Sign out one of my devices."""
    await accounts.revoke_session(session, ctx, actor, session_id)
    return Response(status_code=204)


@router.post("/sessions/revoke-others", response_model=RevokedCount, responses=SIGNED_IN)
async def revoke_other_sessions(
    session: WriteSession, ctx: Ctx, accounts: Accounts, actor: CurrentUser
) -> RevokedCount:
    """Sign out every device but this one."""
    return RevokedCount(revoked=await accounts.revoke_others(session, ctx, actor))


@router.post("/mfa/enroll", response_model=MfaEnrollment, responses=SIGNED_IN | responses(Conflict))
async def mfa_enroll(session: WriteSession, ctx: Ctx, accounts: Accounts, actor: CurrentUser) -> MfaEnrollment:
    """Start two-factor set-up: returns the secret and an otpauth URI for a QR code."""
    return await accounts.mfa_enroll(session, ctx, actor)


@router.post("/mfa/confirm", response_model=Me, responses=SIGNED_IN | responses(BadRequest))
async def mfa_confirm(body: MfaConfirm, session: WriteSession, ctx: Ctx, accounts: Accounts, actor: CurrentUser) -> Me:
    """Finish two-factor set-up with a code from the authenticator app."""
    return await accounts.mfa_confirm(session, ctx, actor, body.code)


@router.post("/invitations/inspect", response_model=InvitationInfo, responses=LINK_ERRORS)
async def inspect_invitation(body: TokenRequest, session: WriteSession, accounts: Accounts) -> InvitationInfo:
    """Show who an invitation is for before accepting it."""
    row = await accounts.inspect_invitation(session, body.token)
    return InvitationInfo(
        email=row.email or "",
        role=str(row.data.get("role")),
        full_name=str(row.data.get("full_name")),
        expires_at=row.expires_at,
    )


@router.post(
    "/invitations/accept", status_code=201, response_model=MessageResponse, responses=LINK_ERRORS | responses(Conflict)
)
async def accept_invitation(
    body: InvitationAccept, session: WriteSession, ctx: Ctx, accounts: Accounts
) -> MessageResponse:
    """Accept a staff invitation and choose a password."""
    await accounts.accept_invitation(session, ctx, body.token, body.password)
    return MessageResponse(message="Your account is ready. Sign in to set up two-factor sign-in.")


@me_router.get("/me", response_model=Me, responses=SIGNED_IN)
async def get_me(session: WriteSession, accounts: Accounts, actor: CurrentUser) -> Me:
    """Who I am signed in as."""
    return await accounts.me(session, actor)


@admin_router.post(
    "/invitations", status_code=201, response_model=InvitationRead, responses=SIGNED_IN | responses(Conflict)
)
async def create_invitation(
    body: InvitationCreate, session: WriteSession, ctx: Ctx, accounts: Accounts, actor: CurrentAdmin
) -> InvitationRead:
    """Invite a psychiatrist or administrator by e-mail (single-use, expiring link)."""
    row = await accounts.invite(session, ctx, actor, body)
    return _invitation_read(row)


def _invitation_read(row: OneTimeToken) -> InvitationRead:
    return InvitationRead(
        id=row.id,
        email=row.email or "",
        role=str(row.data.get("role")),
        full_name=str(row.data.get("full_name")),
        created_at=row.created_at,
        expires_at=row.expires_at,
        accepted=row.used_at is not None,
    )


@admin_router.get("/invitations", response_model=Page[InvitationRead], responses=SIGNED_IN)
async def list_invitations(
    session: WriteSession, accounts: Accounts, actor: CurrentAdmin, pagination: Pagination
) -> Page[InvitationRead]:
    """Invitations sent, newest first."""
    rows, total = await accounts.list_invitations(session, offset=pagination.offset, limit=pagination.limit)
    return Page(items=[_invitation_read(r) for r in rows], total=total, page=pagination.page, limit=pagination.limit)


@admin_router.get("/users", response_model=Page[UserRead], responses=SIGNED_IN)
async def list_users(
    session: WriteSession,
    accounts: Accounts,
    actor: CurrentAdmin,
    pagination: Pagination,
    role: Annotated[Literal["patient", "psychiatrist", "admin"] | None, Query()] = None,
) -> Page[UserRead]:
    """Accounts, newest first, optionally of one role."""
    rows, total = await accounts.list_users(session, role=role, offset=pagination.offset, limit=pagination.limit)
    return Page(
        items=[UserRead(**svc.user_read_fields(u)) for u in rows],
        total=total,
        page=pagination.page,
        limit=pagination.limit,
    )
