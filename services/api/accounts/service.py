"""Accounts and sign-in: registration, verification, sessions, MFA, invitations, resets."""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pyotp
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.accounts.models import AuthSession, OneTimeToken, RefreshToken, User
from services.api.accounts.repository import account_repository as repo
from services.api.accounts.schemas import (
    InvitationCreate,
    LoginResult,
    Me,
    MfaEnrollment,
    RegisterRequest,
    SessionRead,
)
from services.api.audit import service as audit
from services.api.clinicians.service import clinician_service
from services.api.config import Settings
from services.api.core.context import STAFF_ROLES, Actor, RequestContext, Role
from services.api.core.errors import (
    BadRequest,
    Conflict,
    FieldError,
    Forbidden,
    NotFound,
    TooManyRequests,
    Unauthorized,
)
from services.api.core.passwords import hash_password, needs_rehash, password_problems, verify_password
from services.api.core.ratelimit import RateStore
from services.api.core.security import SecretBox, new_token, token_hash
from services.api.notifications.service import notification_service
from services.api.patients.service import patient_service
from services.common.clock import utcnow
from services.common.tokens import SigningKeys, TokenError

MIN_AGE = 18


# --- errors -------------------------------------------------------------------------------
class InvalidCredentials(Unauthorized):
    title = "E-mail or password is incorrect"
    type_slug = "invalid-credentials"


class InvalidCode(Unauthorized):
    title = "That code is not right"
    type_slug = "invalid-mfa-code"


class SignInLocked(TooManyRequests):
    title = "Too many sign-in attempts"
    type_slug = "sign-in-locked"


class EmailNotVerified(Forbidden):
    title = "Confirm your e-mail first"
    type_slug = "email-not-verified"


class MfaRequired(Forbidden):
    title = "Two-factor sign-in required"
    type_slug = "mfa-required"


class SessionEnded(Unauthorized):
    title = "Your session has ended"
    type_slug = "session-ended"


class InvalidLink(BadRequest):
    title = "This link is not valid"
    type_slug = "invalid-link"


class LinkUsed(BadRequest):
    title = "This link was already used"
    type_slug = "link-used"


class LinkExpired(BadRequest):
    title = "This link has expired"
    type_slug = "link-expired"


class EmailTaken(Conflict):
    title = "An account with this e-mail already exists"
    type_slug = "email-taken"


class SessionNotFound(NotFound):
    title = "Session not found"


class InvalidInput(BadRequest):
    """422-style field problems found by business rules (not by schema validation)."""

    status = 422
    title = "Invalid input"
    type_slug = "validation"


# --- results ------------------------------------------------------------------------------
@dataclass(slots=True)
class Issued:
    """A sign-in result plus the refresh token the endpoint puts in the cookie."""

    result: LoginResult
    refresh_token: str | None = None
    refresh_max_age: int = 0


@dataclass(slots=True)
class AuthKit:
    settings: Settings
    keys: SigningKeys
    box: SecretBox
    rate: RateStore


def _me(user: User) -> Me:
    role = Role(user.role)
    return Me(
        id=user.id,
        email=user.email,
        role=role,
        full_name=user.full_name,
        email_verified=user.email_verified_at is not None,
        mfa_enabled=user.mfa_enabled_at is not None,
        mfa_required=role in STAFF_ROLES and user.mfa_enabled_at is None,
    )


def _age_on(dob: date, today: date) -> int:
    return today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))


def _retry_text(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    at = (utcnow() + timedelta(seconds=seconds)).strftime("%H:%M UTC")
    unit = "minute" if minutes == 1 else "minutes"
    return f"Try again in {minutes} {unit} (after {at})."


class AccountService:
    def __init__(self, kit: AuthKit) -> None:
        self.kit = kit
        self.s = kit.settings

    # --- links --------------------------------------------------------------------------
    def _link(self, path: str, token: str) -> str:
        return f"{self.s.public_url.rstrip('/')}{path}?token={quote(token)}"

    async def _email(
        self, session: AsyncSession, *, to: str, template: str, language: str, name: str, **context: Any
    ) -> None:
        """Queue an e-mail to `name`, signed with the practice's name."""
        await notification_service.enqueue_email(
            session, to=to, template=template, language=language, name=name, practice=self.s.practice_name, **context
        )

    @staticmethod
    def _audit_own(session: AsyncSession, ctx: RequestContext, user: User, action: str) -> None:
        """Audit what a user did to their own account."""
        audit.record(
            session,
            ctx,
            action=action,
            subject_type="user",
            subject_id=user.id,
            actor_id=user.id,
            actor_role=user.role,
        )

    async def _new_one_time(
        self,
        session: AsyncSession,
        *,
        purpose: str,
        ttl: timedelta,
        user_id: uuid.UUID | None = None,
        email: str | None = None,
        data: dict[str, Any] | None = None,
        created_by: uuid.UUID | None = None,
    ) -> tuple[str, OneTimeToken]:
        token = new_token()
        now = utcnow()
        row = OneTimeToken(
            purpose=purpose,
            token_hash=token_hash(token),
            user_id=user_id,
            email=email,
            data=data or {},
            created_by=created_by,
            created_at=now,
            expires_at=now + ttl,
        )
        session.add(row)
        await session.flush()
        return token, row

    async def _consume(self, session: AsyncSession, token: str, purpose: str) -> OneTimeToken:
        row = await repo.one_time_token(session, token_hash(token), purpose)
        if row is None:
            raise InvalidLink("Check that you copied the whole link, or ask for a new one.")
        if row.used_at is not None:
            raise LinkUsed("Each link works once. Ask for a new one if you still need it.")
        if row.expires_at <= utcnow():
            raise LinkExpired("Ask for a new link and use it soon after it arrives.")
        row.used_at = utcnow()
        return row

    # --- registration -------------------------------------------------------------------
    async def register(self, session: AsyncSession, ctx: RequestContext, body: RegisterRequest) -> str:
        today = utcnow().astimezone(ZoneInfo(body.time_zone)).date()
        problems: list[FieldError] = []
        if body.date_of_birth > today or body.date_of_birth.year < 1900:
            problems.append(FieldError(field="body.date_of_birth", message="Enter your real date of birth."))
        elif _age_on(body.date_of_birth, today) < MIN_AGE:
            problems.append(
                FieldError(
                    field="body.date_of_birth",
                    message="You must be 18 or older to use this service. If you are in crisis, call or text 988.",
                    code="under_age",
                )
            )
        if msg := password_problems(body.password, email=body.email):
            problems.append(FieldError(field="body.password", message=msg, code="weak_password"))
        if problems:
            raise InvalidInput("Some answers need attention.", errors=problems)

        password_hash = hash_password(body.password)  # hashed in both branches: same timing
        existing = await repo.user_by_email(session, body.email)
        if existing is not None:
            await self._email(
                session,
                to=existing.email,
                template="already_registered",
                language=body.language,
                name=existing.full_name,
                signin_link=f"{self.s.public_url}/sign-in",
                reset_link=f"{self.s.public_url}/forgot-password",
            )
        else:
            user = User(
                email=body.email,
                password_hash=password_hash,
                role=Role.patient.value,
                full_name=body.full_name,
                is_active=True,
                created_at=utcnow(),
            )
            session.add(user)
            await session.flush()
            await patient_service.create(
                session,
                user_id=user.id,
                date_of_birth=body.date_of_birth,
                state=body.state,
                time_zone=body.time_zone,
                language=body.language,
            )
            await self._send_verification(session, user, body.language)
            audit.record(
                session,
                ctx,
                action="account.registered",
                subject_type="user",
                subject_id=user.id,
                patient_id=user.id,
                actor_id=user.id,
                actor_role="patient",
            )
        return "Check your e-mail: we sent a link to confirm your address."

    async def _send_verification(self, session: AsyncSession, user: User, language: str) -> None:
        token, _ = await self._new_one_time(
            session, purpose="verify_email", ttl=timedelta(hours=self.s.email_verification_hours), user_id=user.id
        )
        await self._email(
            session,
            to=user.email,
            template="verify_email",
            language=language,
            name=user.full_name,
            link=self._link("/verify-email", token),
            hours=self.s.email_verification_hours,
        )

    async def verify_email(self, session: AsyncSession, ctx: RequestContext, token: str) -> None:
        row = await self._consume(session, token, "verify_email")
        user = await repo.user_by_id(session, row.user_id) if row.user_id else None
        if user is None:
            raise InvalidLink()
        if user.email_verified_at is None:
            user.email_verified_at = utcnow()
        self._audit_own(session, ctx, user, "account.email_verified")

    async def resend_verification(self, session: AsyncSession, email: str) -> None:
        user = await repo.user_by_email(session, email)
        if user is None or user.email_verified_at is not None or not user.is_active:
            return  # same answer either way: no enumeration
        key = f"resend:{user.id}"
        if await self.kit.rate.incr(key, 3600) > 5:
            return
        await repo.expire_open_tokens(session, user.id, "verify_email", utcnow())
        await self._send_verification(session, user, await self._language_of(session, user))

    async def _language_of(self, session: AsyncSession, user: User) -> str:
        from services.api.patients.repository import patient_repository

        if user.role == Role.patient.value:
            patient = await patient_repository.get(session, user.id)
            if patient is not None:
                return patient.language
        return "en"

    # --- sign-in ------------------------------------------------------------------------
    async def _check_locks(self, email: str, ip: str | None) -> None:
        for key in (f"lock:acct:{email}", f"lock:ip:{ip or '-'}"):
            ttl = await self.kit.rate.ttl(key)
            if ttl > 0:
                raise SignInLocked(
                    f"Too many sign-in attempts. {_retry_text(ttl)}",
                    retry_after=ttl,
                    headers={"Retry-After": str(ttl)},
                )

    async def _count_failure(self, email: str, ip: str | None) -> None:
        window = self.s.login_window_minutes * 60
        lock = self.s.login_lockout_minutes * 60
        if await self.kit.rate.incr(f"fail:acct:{email}", window) >= self.s.login_max_failures_per_account:
            await self.kit.rate.set_until(f"lock:acct:{email}", lock)
            await self.kit.rate.delete(f"fail:acct:{email}")
        if await self.kit.rate.incr(f"fail:ip:{ip or '-'}", window) >= self.s.login_max_failures_per_address:
            await self.kit.rate.set_until(f"lock:ip:{ip or '-'}", lock)
            await self.kit.rate.delete(f"fail:ip:{ip or '-'}")

    async def _fail(
        self, session: AsyncSession, ctx: RequestContext, email: str, user: User | None, error: Unauthorized
    ) -> None:
        await self._count_failure(email, ctx.ip)
        audit.record(
            session,
            ctx,
            action="auth.login_failed",
            subject_type="user",
            subject_id=user.id if user else None,
            actor_id=user.id if user else None,
            actor_role=user.role if user else None,
            detail={"reason": error.type_slug},
        )
        error.keep_changes = True  # the audit row of a failed attempt must land
        try:
            await self._check_locks(email, ctx.ip)  # this failure may have locked the account
        except SignInLocked as locked:
            locked.keep_changes = True
            raise
        raise error

    async def login(self, session: AsyncSession, ctx: RequestContext, email: str, password: str) -> Issued:
        await self._check_locks(email, ctx.ip)
        user = await repo.user_by_email(session, email)
        ok = verify_password(user.password_hash if user else None, password)
        if user is None or not ok or not user.is_active:
            await self._fail(session, ctx, email, user, InvalidCredentials("Check both and try again."))
            raise AssertionError("unreachable")
        await self.kit.rate.delete(f"fail:acct:{email}")
        if user.password_hash and needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        if user.email_verified_at is None:
            raise EmailNotVerified("Open the link we e-mailed you, or ask for a new one.")
        if Role(user.role) in STAFF_ROLES and user.mfa_enabled_at is not None:
            now = utcnow()
            mfa_token = self.kit.keys.encode(
                {
                    "typ": "mfa",
                    "sub": str(user.id),
                    "iat": int(now.timestamp()),
                    "exp": int((now + timedelta(minutes=self.s.mfa_challenge_minutes)).timestamp()),
                }
            )
            return Issued(LoginResult(status="mfa_required", mfa_token=mfa_token))
        return await self._start_session(session, ctx, user, mfa_verified=False, method="password")

    async def login_mfa(self, session: AsyncSession, ctx: RequestContext, mfa_token: str, code: str) -> Issued:
        try:
            claims = self.kit.keys.decode(mfa_token, typ="mfa")
            user_id = uuid.UUID(str(claims["sub"]))
        except (TokenError, ValueError, KeyError) as exc:
            raise SessionEnded("The sign-in step expired. Enter your e-mail and password again.") from exc
        user = await repo.user_by_id(session, user_id)
        if user is None or not user.is_active or user.mfa_secret_enc is None:
            raise SessionEnded("Enter your e-mail and password again.")
        await self._check_locks(user.email, ctx.ip)
        if not self._accept_totp(user, user.mfa_secret_enc, code):
            await self._fail(
                session, ctx, user.email, user, InvalidCode("Enter the current 6-digit code from your app.")
            )
        await self.kit.rate.delete(f"fail:acct:{user.email}")
        return await self._start_session(session, ctx, user, mfa_verified=True, method="password+totp")

    def _accept_totp(self, user: User, secret_enc: str, code: str) -> bool:
        totp = pyotp.TOTP(self.kit.box.decrypt(secret_enc))
        now = utcnow()
        step_now = int(now.timestamp()) // totp.interval
        for drift in (0, -1, 1):  # one step of clock drift either way
            step = step_now + drift
            if step > (user.mfa_last_step or -1) and totp.at(step * totp.interval) == code:
                user.mfa_last_step = step  # a code is accepted once: no replay
                return True
        return False

    async def sign_in_external(
        self, session: AsyncSession, ctx: RequestContext, *, email: str, email_verified: bool
    ) -> Issued:
        """Sign in through an outside OpenID Connect provider: links only by verified e-mail."""
        if not email_verified:
            raise Forbidden("Your identity provider has not verified this e-mail address.")
        user = await repo.user_by_email(session, email.lower())
        if user is None or not user.is_active:
            raise NotFound("No account uses this e-mail. Sign up first, then use single sign-on.")
        if user.email_verified_at is None:
            user.email_verified_at = utcnow()
        if Role(user.role) in STAFF_ROLES and user.mfa_enabled_at is not None:
            raise MfaRequired("Staff accounts sign in with their password and authenticator code.")
        return await self._start_session(session, ctx, user, mfa_verified=False, method="oidc")

    async def _start_session(
        self, session: AsyncSession, ctx: RequestContext, user: User, *, mfa_verified: bool, method: str
    ) -> Issued:
        now = utcnow()
        staff = Role(user.role) in STAFF_ROLES
        lifetime = timedelta(hours=self.s.staff_absolute_hours) if staff else timedelta(days=self.s.refresh_token_days)
        auth = AuthSession(
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + lifetime,
            mfa_verified=mfa_verified,
            ip=ctx.ip,
            user_agent=(ctx.user_agent or "")[:300] or None,
            method=method,
        )
        session.add(auth)
        await session.flush()
        audit.record(
            session,
            ctx,
            action="auth.signed_in",
            subject_type="session",
            subject_id=auth.id,
            actor_id=user.id,
            actor_role=user.role,
            detail={"method": method},
        )
        return await self._issue(session, user, auth)

    async def _issue(self, session: AsyncSession, user: User, auth: AuthSession) -> Issued:
        now = utcnow()
        refresh = new_token()
        session.add(
            RefreshToken(session_id=auth.id, token_hash=token_hash(refresh), created_at=now, expires_at=auth.expires_at)
        )
        await session.flush()
        ttl = self.s.access_token_minutes * 60
        access = self.kit.keys.encode(
            {
                "typ": "access",
                "sub": str(user.id),
                "sid": str(auth.id),
                "role": user.role,
                "iat": int(now.timestamp()),
                "exp": int(now.timestamp()) + ttl,
            }
        )
        me = _me(user)
        status = "mfa_enrollment_required" if me.mfa_required else "ok"
        return Issued(
            LoginResult(status=status, access_token=access, expires_in=ttl, user=me),
            refresh_token=refresh,
            refresh_max_age=max(1, int((auth.expires_at - now).total_seconds())),
        )

    def _idle_limit(self, role: str) -> timedelta:
        staff = Role(role) in STAFF_ROLES
        return timedelta(minutes=self.s.staff_idle_minutes if staff else self.s.patient_idle_minutes)

    async def refresh(self, session: AsyncSession, ctx: RequestContext, refresh_token: str | None) -> Issued:
        if not refresh_token or len(refresh_token) > 200:
            raise SessionEnded("Sign in to continue.")
        row = await repo.refresh_token(session, token_hash(refresh_token))
        if row is None:
            raise SessionEnded("Sign in to continue.")
        found = await repo.session_with_user(session, row.session_id)
        if found is None:
            raise SessionEnded("Sign in to continue.")
        auth, user = found
        now = utcnow()
        if row.used_at is not None or not await repo.claim_refresh_token(session, row.id, now):
            # A used refresh token came back: it was copied. End the whole family.
            if auth.revoked_at is None:
                auth.revoked_at = now
                auth.revoked_reason = "refresh_reuse"
                audit.record(
                    session,
                    ctx,
                    action="auth.refresh_reuse_detected",
                    subject_type="session",
                    subject_id=auth.id,
                    actor_id=user.id,
                    actor_role=user.role,
                )
            raise SessionEnded("For your safety this session was signed out. Sign in again.", keep_changes=True)
        self._check_alive(auth, user, now)
        auth.last_seen_at = now
        return await self._issue(session, user, auth)

    def _check_alive(self, auth: AuthSession, user: User, now: datetime) -> None:
        if auth.revoked_at is not None or not user.is_active:
            raise SessionEnded("You were signed out. Sign in again.")
        if auth.expires_at <= now:
            raise SessionEnded("Your session reached its time limit. Sign in again.")
        if now - auth.last_seen_at > self._idle_limit(user.role):
            raise SessionEnded("You were signed out after a period of inactivity. Sign in again.")

    async def authenticate(self, session: AsyncSession, bearer: str) -> tuple[Actor, User]:
        try:
            claims = self.kit.keys.decode(bearer, typ="access")
            sid = uuid.UUID(str(claims["sid"]))
        except (TokenError, ValueError, KeyError) as exc:
            raise Unauthorized("Your sign-in is not valid or has expired. Sign in again.") from exc
        found = await repo.session_with_user(session, sid)
        if found is None:
            raise SessionEnded("Sign in again.")
        auth, user = found
        now = utcnow()
        self._check_alive(auth, user, now)
        if now - auth.last_seen_at > timedelta(seconds=60):
            auth.last_seen_at = now
        return Actor(user_id=user.id, role=Role(user.role), session_id=auth.id, mfa_verified=auth.mfa_verified), user

    async def logout(self, session: AsyncSession, ctx: RequestContext, actor: Actor) -> None:
        if actor.session_id is None:
            return
        found = await repo.session_with_user(session, actor.session_id)
        if found and found[0].revoked_at is None:
            found[0].revoked_at = utcnow()
            found[0].revoked_reason = "logout"
        audit.record(session, ctx, action="auth.signed_out", subject_type="session", subject_id=actor.session_id)

    # --- sessions -----------------------------------------------------------------------
    async def list_sessions(self, session: AsyncSession, actor: Actor) -> list[SessionRead]:
        rows = await repo.active_sessions(session, actor.user_id, utcnow())
        return [
            SessionRead(
                id=r.id,
                created_at=r.created_at,
                last_seen_at=r.last_seen_at,
                expires_at=r.expires_at,
                ip=r.ip,
                user_agent=r.user_agent,
                method=r.method,
                current=r.id == actor.session_id,
            )
            for r in rows
        ]

    async def revoke_session(
        self, session: AsyncSession, ctx: RequestContext, actor: Actor, session_id: uuid.UUID
    ) -> None:
        found = await repo.session_with_user(session, session_id)
        if found is None or found[0].user_id != actor.user_id:
            raise SessionNotFound()
        auth = found[0]
        if auth.revoked_at is None:
            auth.revoked_at = utcnow()
            auth.revoked_reason = "revoked_by_user"
        audit.record(session, ctx, action="auth.session_revoked", subject_type="session", subject_id=session_id)

    async def revoke_others(self, session: AsyncSession, ctx: RequestContext, actor: Actor) -> int:
        count = await repo.revoke_sessions(
            session, actor.user_id, utcnow(), "revoked_by_user", except_id=actor.session_id
        )
        audit.record(
            session,
            ctx,
            action="auth.other_sessions_revoked",
            subject_type="user",
            subject_id=actor.user_id,
            detail={"count": count},
        )
        return count

    # --- passwords ----------------------------------------------------------------------
    async def request_password_reset(self, session: AsyncSession, ctx: RequestContext, email: str) -> None:
        user = await repo.user_by_email(session, email)
        if user is None or not user.is_active:
            return
        if await self.kit.rate.incr(f"reset:{user.id}", 3600) > 5:
            return
        await repo.expire_open_tokens(session, user.id, "reset_password", utcnow())
        token, _ = await self._new_one_time(
            session, purpose="reset_password", ttl=timedelta(minutes=self.s.password_reset_minutes), user_id=user.id
        )
        await self._email(
            session,
            to=user.email,
            template="password_reset",
            language=await self._language_of(session, user),
            name=user.full_name,
            link=self._link("/reset-password", token),
            minutes=self.s.password_reset_minutes,
        )
        self._audit_own(session, ctx, user, "auth.password_reset_requested")

    async def confirm_password_reset(
        self, session: AsyncSession, ctx: RequestContext, token: str, new_password: str
    ) -> None:
        row = await self._consume(session, token, "reset_password")
        user = await repo.user_by_id(session, row.user_id) if row.user_id else None
        if user is None or not user.is_active:
            raise InvalidLink()
        if msg := password_problems(new_password, email=user.email):
            raise InvalidInput(msg, errors=[FieldError(field="body.new_password", message=msg, code="weak_password")])
        await self._set_password(session, ctx, user, new_password, keep_session=None)
        if user.email_verified_at is None:
            user.email_verified_at = utcnow()  # they proved they read this mailbox
        await self.kit.rate.delete(f"lock:acct:{user.email}", f"fail:acct:{user.email}")

    async def change_password(
        self, session: AsyncSession, ctx: RequestContext, actor: Actor, current: str, new: str
    ) -> None:
        user = await repo.user_by_id(session, actor.user_id)
        if user is None:
            raise SessionEnded()
        await self._check_locks(user.email, ctx.ip)
        if not verify_password(user.password_hash, current):
            await self._count_failure(user.email, ctx.ip)
            raise InvalidInput(
                "Your current password is not right.",
                errors=[FieldError(field="body.current_password", message="This is not your current password.")],
            )
        if msg := password_problems(new, email=user.email):
            raise InvalidInput(msg, errors=[FieldError(field="body.new_password", message=msg, code="weak_password")])
        await self._set_password(session, ctx, user, new, keep_session=actor.session_id)

    async def _set_password(
        self, session: AsyncSession, ctx: RequestContext, user: User, new: str, *, keep_session: uuid.UUID | None
    ) -> None:
        now = utcnow()
        user.password_hash = hash_password(new)
        user.password_changed_at = now
        await repo.revoke_sessions(session, user.id, now, "password_changed", except_id=keep_session)
        await self._email(
            session,
            to=user.email,
            template="password_changed",
            language=await self._language_of(session, user),
            name=user.full_name,
            reset_link=f"{self.s.public_url}/forgot-password",
        )
        self._audit_own(session, ctx, user, "auth.password_changed")

    # --- MFA ----------------------------------------------------------------------------
    async def mfa_enroll(self, session: AsyncSession, ctx: RequestContext, actor: Actor) -> MfaEnrollment:
        user = await repo.user_by_id(session, actor.user_id)
        if user is None:
            raise SessionEnded()
        if user.mfa_enabled_at is not None:
            raise Conflict("Two-factor sign-in is already set up on this account.")
        secret = pyotp.random_base32()
        user.mfa_pending_secret_enc = self.kit.box.encrypt(secret)
        uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=self.s.practice_name)
        audit.record(session, ctx, action="auth.mfa_enrollment_started", subject_type="user", subject_id=user.id)
        return MfaEnrollment(secret=secret, otpauth_uri=uri)

    async def mfa_confirm(self, session: AsyncSession, ctx: RequestContext, actor: Actor, code: str) -> Me:
        user = await repo.user_by_id(session, actor.user_id)
        if user is None:
            raise SessionEnded()
        if user.mfa_pending_secret_enc is None:
            raise BadRequest("Start two-factor set-up first.")
        if not self._accept_totp(user, user.mfa_pending_secret_enc, code):
            raise InvalidInput(
                "That code is not right.",
                errors=[FieldError(field="body.code", message="Enter the current 6-digit code from your app.")],
            )
        user.mfa_secret_enc = user.mfa_pending_secret_enc
        user.mfa_pending_secret_enc = None
        user.mfa_enabled_at = utcnow()
        if actor.session_id:
            found = await repo.session_with_user(session, actor.session_id)
            if found:
                found[0].mfa_verified = True
        audit.record(session, ctx, action="auth.mfa_enabled", subject_type="user", subject_id=user.id)
        return _me(user)

    # --- invitations --------------------------------------------------------------------
    async def invite(
        self, session: AsyncSession, ctx: RequestContext, actor: Actor, body: InvitationCreate
    ) -> OneTimeToken:
        if await repo.user_by_email(session, body.email) is not None:
            raise EmailTaken(errors=[FieldError(field="body.email", message="This person already has an account.")])
        now = utcnow()
        if await repo.open_invitation_for(session, body.email, now) is not None:
            raise Conflict(
                "An invitation to this e-mail is still open.",
                errors=[FieldError(field="body.email", message="An invitation is already waiting for this address.")],
            )
        inviter = await repo.user_by_id(session, actor.user_id)
        token, row = await self._new_one_time(
            session,
            purpose="invitation",
            ttl=timedelta(days=self.s.invitation_days),
            email=body.email,
            data={"role": body.role, "full_name": body.full_name},
            created_by=actor.user_id,
        )
        await self._email(
            session,
            to=body.email,
            template="invitation",
            language="en",
            name=body.full_name,
            role_label="a psychiatrist" if body.role == "psychiatrist" else "an administrator",
            inviter=inviter.full_name if inviter else "An administrator",
            link=self._link("/accept-invite", token),
            days=self.s.invitation_days,
        )
        audit.record(
            session,
            ctx,
            action="account.invited",
            subject_type="invitation",
            subject_id=row.id,
            detail={"role": body.role},
        )
        return row

    async def list_invitations(
        self, session: AsyncSession, *, offset: int, limit: int
    ) -> tuple[Sequence[OneTimeToken], int]:
        return await repo.invitations(session, offset=offset, limit=limit)

    async def inspect_invitation(self, session: AsyncSession, token: str) -> OneTimeToken:
        row = await repo.one_time_token(session, token_hash(token), "invitation")
        if row is None:
            raise InvalidLink("Ask the practice to send a new invitation.")
        if row.used_at is not None:
            raise LinkUsed("This invitation was already accepted. Sign in instead.")
        if row.expires_at <= utcnow():
            raise LinkExpired("Ask the practice to send a new invitation.")
        return row

    async def accept_invitation(self, session: AsyncSession, ctx: RequestContext, token: str, password: str) -> User:
        row = await self._consume(session, token, "invitation")
        email = row.email or ""
        if msg := password_problems(password, email=email):
            raise InvalidInput(msg, errors=[FieldError(field="body.password", message=msg, code="weak_password")])
        if await repo.user_by_email(session, email) is not None:
            raise EmailTaken("Sign in with your existing account.")
        now = utcnow()
        role = str(row.data.get("role", "psychiatrist"))
        full_name = str(row.data.get("full_name", email))
        user = User(
            email=email,
            password_hash=hash_password(password),
            role=role,
            full_name=full_name,
            is_active=True,
            email_verified_at=now,
            created_at=now,
        )
        session.add(user)
        await session.flush()
        if role == Role.psychiatrist.value:
            await clinician_service.create_profile(session, user_id=user.id, display_name=full_name)
        self._audit_own(session, ctx, user, "account.invitation_accepted")
        return user

    async def list_users(
        self, session: AsyncSession, *, role: str | None, offset: int, limit: int
    ) -> tuple[Sequence[User], int]:
        return await repo.users(session, role=role, offset=offset, limit=limit)

    async def me(self, session: AsyncSession, actor: Actor) -> Me:
        user = await repo.user_by_id(session, actor.user_id)
        if user is None:
            raise SessionEnded()
        return _me(user)


def user_read_fields(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "email": user.email,
        "role": Role(user.role),
        "full_name": user.full_name,
        "is_active": user.is_active,
        "email_verified": user.email_verified_at is not None,
        "mfa_enabled": user.mfa_enabled_at is not None,
        "created_at": user.created_at,
    }
