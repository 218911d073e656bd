from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.accounts.models import AuthSession, OneTimeToken, RefreshToken, User


class AccountRepository:
    async def user_by_email(self, session: AsyncSession, email: str) -> User | None:
        return await session.scalar(select(User).where(User.email == email.lower()))

    async def user_by_id(self, session: AsyncSession, user_id: uuid.UUID) -> User | None:
        return await session.get(User, user_id)

    async def session_with_user(self, session: AsyncSession, session_id: uuid.UUID) -> tuple[AuthSession, User] | None:
        row = (
            await session.execute(
                select(AuthSession, User).join(User, User.id == AuthSession.user_id).where(AuthSession.id == session_id)
            )
        ).first()
        return (row[0], row[1]) if row else None

    async def refresh_token(self, session: AsyncSession, token_hash: str) -> RefreshToken | None:
        return await session.scalar(select(RefreshToken).where(RefreshToken.token_hash == token_hash))

    async def claim_refresh_token(self, session: AsyncSession, token_id: uuid.UUID, now: datetime) -> bool:
        """Mark a refresh token used; False when another request already used it."""
        result = await session.execute(
            update(RefreshToken)
            .where(RefreshToken.id == token_id, RefreshToken.used_at.is_(None))
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def active_sessions(self, session: AsyncSession, user_id: uuid.UUID, now: datetime) -> Sequence[AuthSession]:
        return (
            await session.scalars(
                select(AuthSession)
                .where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None), AuthSession.expires_at > now)
                .order_by(AuthSession.last_seen_at.desc())
            )
        ).all()

    async def revoke_sessions(
        self,
        session: AsyncSession,
        user_id: uuid.UUID,
        now: datetime,
        reason: str,
        *,
        except_id: uuid.UUID | None = None,
    ) -> int:
        stmt = update(AuthSession).where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
        if except_id is not None:
            stmt = stmt.where(AuthSession.id != except_id)
        result = await session.execute(
            stmt.values(revoked_at=now, revoked_reason=reason).execution_options(synchronize_session=False)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def one_time_token(self, session: AsyncSession, token_hash: str, purpose: str) -> OneTimeToken | None:
        return await session.scalar(
            select(OneTimeToken).where(OneTimeToken.token_hash == token_hash, OneTimeToken.purpose == purpose)
        )

    async def expire_open_tokens(self, session: AsyncSession, user_id: uuid.UUID, purpose: str, now: datetime) -> None:
        await session.execute(
            update(OneTimeToken)
            .where(OneTimeToken.user_id == user_id, OneTimeToken.purpose == purpose, OneTimeToken.used_at.is_(None))
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        )

    async def open_invitation_for(self, session: AsyncSession, email: str, now: datetime) -> OneTimeToken | None:
        return await session.scalar(
            select(OneTimeToken).where(
                OneTimeToken.purpose == "invitation",
                OneTimeToken.email == email,
                OneTimeToken.used_at.is_(None),
                OneTimeToken.expires_at > now,
            )
        )

    async def invitations(
        self, session: AsyncSession, *, offset: int, limit: int
    ) -> tuple[Sequence[OneTimeToken], int]:
        base = select(OneTimeToken).where(OneTimeToken.purpose == "invitation")
        total = await session.scalar(select(func.count()).select_from(base.subquery()))
        rows = (await session.scalars(base.order_by(OneTimeToken.created_at.desc()).offset(offset).limit(limit))).all()
        return rows, int(total or 0)

    async def users(
        self, session: AsyncSession, *, role: str | None, offset: int, limit: int
    ) -> tuple[Sequence[User], int]:
        base = select(User)
        if role:
            base = base.where(User.role == role)
        total = await session.scalar(select(func.count()).select_from(base.subquery()))
        rows = (await session.scalars(base.order_by(User.created_at.desc(), User.id).offset(offset).limit(limit))).all()
        return rows, int(total or 0)


account_repository = AccountRepository()
