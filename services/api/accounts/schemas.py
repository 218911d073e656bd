from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import EmailStr, Field, field_validator

from services.api.core.context import Role
from services.api.core.schemas import (
    OpaqueToken,
    OtpCode,
    Password,
    RequestBody,
    ResponseBody,
    ShortText,
    TimeZoneName,
    USState,
)

Language = Literal["en", "es"]


def _lower(v: str) -> str:
    return v.lower()


class RegisterRequest(RequestBody):
    email: EmailStr = Field(max_length=254)
    password: Password
    full_name: ShortText
    date_of_birth: date
    state: USState = Field(description="State of residence (two letters).")
    time_zone: TimeZoneName
    language: Language = "en"

    _email = field_validator("email")(_lower)


class MessageResponse(ResponseBody):
    message: str


class TokenRequest(RequestBody):
    token: OpaqueToken


class EmailRequest(RequestBody):
    email: EmailStr = Field(max_length=254)

    _email = field_validator("email")(_lower)


class LoginRequest(RequestBody):
    email: EmailStr = Field(max_length=254)
    password: Password

    _email = field_validator("email")(_lower)


class MfaLoginRequest(RequestBody):
    mfa_token: str = Field(min_length=10, max_length=4096)
    code: OtpCode


class Me(ResponseBody):
    id: uuid.UUID
    email: str
    role: Role
    full_name: str
    email_verified: bool
    mfa_enabled: bool
    mfa_required: bool = Field(description="Staff must enrol MFA before reaching patient data.")


class LoginResult(ResponseBody):
    status: Literal["ok", "mfa_required", "mfa_enrollment_required"]
    access_token: str | None = None
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 (a scheme name, not a secret)
    expires_in: int | None = Field(default=None, description="Seconds until the access token expires.")
    mfa_token: str | None = Field(default=None, description="Send with the code to /auth/login/mfa.")
    user: Me | None = None


class PasswordResetConfirm(RequestBody):
    token: OpaqueToken
    new_password: Password


class PasswordChange(RequestBody):
    current_password: Password
    new_password: Password


class SessionRead(ResponseBody):
    id: uuid.UUID
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    ip: str | None
    user_agent: str | None
    method: str
    current: bool


class RevokedCount(ResponseBody):
    revoked: int


class MfaEnrollment(ResponseBody):
    secret: str
    otpauth_uri: str


class MfaConfirm(RequestBody):
    code: OtpCode


class InvitationCreate(RequestBody):
    email: EmailStr = Field(max_length=254)
    role: Literal["psychiatrist", "admin"]
    full_name: ShortText

    _email = field_validator("email")(_lower)


class InvitationRead(ResponseBody):
    id: uuid.UUID
    email: str
    role: str
    full_name: str
    created_at: datetime
    expires_at: datetime
    accepted: bool


class InvitationInfo(ResponseBody):
    email: str
    role: str
    full_name: str
    expires_at: datetime


class InvitationAccept(RequestBody):
    token: OpaqueToken
    password: Password


class UserRead(ResponseBody):
    id: uuid.UUID
    email: str
    role: Role
    full_name: str
    is_active: bool
    email_verified: bool
    mfa_enabled: bool
    created_at: datetime


class OidcInfo(ResponseBody):
    enabled: bool
    display_name: str | None = None
