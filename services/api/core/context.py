"""Who is asking, from where: filled by middleware and the auth dependency, read by audit."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    patient = "patient"
    psychiatrist = "psychiatrist"
    admin = "admin"


STAFF_ROLES = frozenset({Role.psychiatrist, Role.admin})


@dataclass(slots=True)
class Actor:
    user_id: uuid.UUID
    role: Role
    session_id: uuid.UUID | None = None
    mfa_verified: bool = False


@dataclass(slots=True)
class RequestContext:
    request_id: str
    ip: str | None = None
    user_agent: str | None = None
    actor: Actor | None = field(default=None)
