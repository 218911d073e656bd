"""Plain keyword-only async factories and helpers that act as a user would."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

import httpx
import pyotp
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.api.accounts.models import User
from services.api.clinicians.service import clinician_service
from services.api.config import Settings
from services.api.core.passwords import hash_password
from services.api.core.security import SecretBox
from services.api.notifications.worker import deliver_due
from services.api.patients.service import patient_service
from services.common.clock import utcnow

PASSWORD = "correct horse battery"


def unique_email(prefix: str = "user") -> str:
    return f"{prefix}.{uuid.uuid4().hex[:10]}@example.org"


@dataclass
class Account:
    user: User
    email: str
    password: str
    mfa_secret: str | None = None
    last_step: int = -1

    def next_code(self) -> str:
        """A TOTP code not used before (the server accepts each time step once)."""
        assert self.mfa_secret
        totp = pyotp.TOTP(self.mfa_secret)
        step = max(int(utcnow().timestamp()) // totp.interval, self.last_step + 1)
        self.last_step = step
        return totp.at(step * totp.interval)

    @property
    def id(self) -> uuid.UUID:
        return self.user.id


async def create_patient(
    session: AsyncSession,
    *,
    email: str | None = None,
    state: str = "ID",
    time_zone: str = "America/Boise",
    language: str = "en",
    verified: bool = True,
    date_of_birth: date = date(1985, 6, 1),
) -> Account:
    email = email or unique_email("patient")
    user = User(
        email=email,
        password_hash=hash_password(PASSWORD),
        role="patient",
        full_name="Pat Example",
        is_active=True,
        email_verified_at=utcnow() if verified else None,
        created_at=utcnow(),
    )
    session.add(user)
    await session.flush()
    await patient_service.create(
        session, user_id=user.id, date_of_birth=date_of_birth, state=state, time_zone=time_zone, language=language
    )
    await session.commit()
    return Account(user, email, PASSWORD)


async def create_staff(
    session: AsyncSession,
    settings: Settings,
    *,
    role: str = "psychiatrist",
    email: str | None = None,
    with_mfa: bool = True,
    time_zone: str = "America/Boise",
) -> Account:
    email = email or unique_email(role)
    secret = pyotp.random_base32() if with_mfa else None
    box = SecretBox.load_or_create(settings.var_dir / "secret.key")
    user = User(
        email=email,
        password_hash=hash_password(PASSWORD),
        role=role,
        full_name=f"Staff {role}",
        is_active=True,
        email_verified_at=utcnow(),
        created_at=utcnow(),
        mfa_secret_enc=box.encrypt(secret) if secret else None,
        mfa_enabled_at=utcnow() if secret else None,
    )
    session.add(user)
    await session.flush()
    if role == "psychiatrist":
        await clinician_service.create_profile(
            session, user_id=user.id, display_name=user.full_name, time_zone=time_zone
        )
    await session.commit()
    return Account(user, email, PASSWORD, secret)


async def sign_in(client: httpx.AsyncClient, account: Account) -> dict[str, str]:
    """Sign in as a user would (password, then code for staff); returns auth headers."""
    r = await client.post("/api/auth/login", json={"email": account.email, "password": account.password})
    assert r.status_code == 200, r.text
    body = r.json()
    if body["status"] == "mfa_required":
        assert account.mfa_secret
        r = await client.post("/api/auth/login/mfa", json={"mfa_token": body["mfa_token"], "code": account.next_code()})
        assert r.status_code == 200, r.text
        body = r.json()
    return {"Authorization": f"Bearer {body['access_token']}"}


async def deliver_mail(settings: Settings, maker: async_sessionmaker[AsyncSession]) -> int:
    """Run the outbox worker once, sending to the test SMTP server."""
    return await deliver_due(settings, maker)
