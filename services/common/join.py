"""Join-token claims: the only thing the API and the signaling service agree on about a call.

The API mints a join token for one seat of one consult (`mint_join_token`); the signaling
service verifies it with the API's public key set (`verify_join_token`) and never reads the
database. Claims carry opaque ids only: consult (booking) id, user id and seat role. A
pre-call token admits a user to the pre-call echo check and nothing else.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from services.common.clock import utcnow
from services.common.tokens import SigningKeys, TokenError

JOIN_TOKEN_TYP = "join"  # noqa: S105 - token kinds, not secrets
PRECALL_TOKEN_TYP = "precall"  # noqa: S105
SIGNALING_AUDIENCE = "halcyon-signaling"


class SeatRole(StrEnum):
    patient = "patient"
    psychiatrist = "psychiatrist"

    @property
    def other(self) -> SeatRole:
        return SeatRole.psychiatrist if self is SeatRole.patient else SeatRole.patient


@dataclass(frozen=True, slots=True)
class JoinClaims:
    consult_id: uuid.UUID
    user_id: uuid.UUID
    role: SeatRole
    not_before: datetime
    expires_at: datetime
    token_id: str


@dataclass(frozen=True, slots=True)
class PrecallClaims:
    user_id: uuid.UUID
    expires_at: datetime
    token_id: str


def _ts(at: datetime) -> int:
    if at.tzinfo is None:
        raise ValueError("join-token times must be aware")
    return int(at.timestamp())


def mint_join_token(
    keys: SigningKeys,
    *,
    consult_id: uuid.UUID,
    user_id: uuid.UUID,
    role: SeatRole,
    not_before: datetime,
    expires_at: datetime,
) -> str:
    """A signed join token for one seat, valid from `not_before` until `expires_at`."""
    if expires_at <= not_before:
        raise ValueError("a join token must expire after it becomes valid")
    return keys.encode(
        {
            "typ": JOIN_TOKEN_TYP,
            "aud": SIGNALING_AUDIENCE,
            "sub": str(user_id),
            "consult": str(consult_id),
            "role": role.value,
            "iat": _ts(utcnow()),
            "nbf": _ts(not_before),
            "exp": _ts(expires_at),
            "jti": secrets.token_hex(8),
        }
    )


def mint_precall_token(keys: SigningKeys, *, user_id: uuid.UUID, expires_at: datetime) -> str:
    return keys.encode(
        {
            "typ": PRECALL_TOKEN_TYP,
            "aud": SIGNALING_AUDIENCE,
            "sub": str(user_id),
            "iat": _ts(utcnow()),
            "exp": _ts(expires_at),
            "jti": secrets.token_hex(8),
        }
    )


def _uuid(claims: dict[str, Any], name: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(claims[name]))
    except (KeyError, ValueError) as exc:
        raise TokenError(f"token claim `{name}` is missing or not an id") from exc


def _time(claims: dict[str, Any], name: str) -> datetime:
    value = claims.get(name)
    if not isinstance(value, int):
        raise TokenError(f"token claim `{name}` is missing")
    return datetime.fromtimestamp(value, UTC)


def verify_join_token(keys: SigningKeys, token: str, *, now: datetime | None = None) -> JoinClaims:
    """Check signature, kind, audience and validity window; return the seat it grants."""
    claims = keys.decode(token, typ=JOIN_TOKEN_TYP, audience=SIGNALING_AUDIENCE, now=now)
    try:
        role = SeatRole(str(claims.get("role")))
    except ValueError as exc:
        raise TokenError("token grants no seat") from exc
    if "nbf" not in claims:
        raise TokenError("token claim `nbf` is missing")
    return JoinClaims(
        consult_id=_uuid(claims, "consult"),
        user_id=_uuid(claims, "sub"),
        role=role,
        not_before=_time(claims, "nbf"),
        expires_at=_time(claims, "exp"),
        token_id=str(claims.get("jti") or ""),
    )


def verify_precall_token(keys: SigningKeys, token: str, *, now: datetime | None = None) -> PrecallClaims:
    claims = keys.decode(token, typ=PRECALL_TOKEN_TYP, audience=SIGNALING_AUDIENCE, now=now)
    return PrecallClaims(
        user_id=_uuid(claims, "sub"), expires_at=_time(claims, "exp"), token_id=str(claims.get("jti") or "")
    )


__all__ = [
    "JOIN_TOKEN_TYP",
    "PRECALL_TOKEN_TYP",
    "SIGNALING_AUDIENCE",
    "JoinClaims",
    "PrecallClaims",
    "SeatRole",
    "TokenError",
    "mint_join_token",
    "mint_precall_token",
    "verify_join_token",
    "verify_precall_token",
]
