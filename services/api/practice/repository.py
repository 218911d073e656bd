from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.accounts.models import User
from services.api.practice.models import PracticeSettingOverride

# Built once: every API instance runs it whenever its cache of the overrides lapses.
_IN_FORCE = select(PracticeSettingOverride.key, PracticeSettingOverride.value).where(
    PracticeSettingOverride.value.is_not(None)
)
_WITH_NAMES = select(PracticeSettingOverride, User.full_name).outerjoin(
    User, User.id == PracticeSettingOverride.updated_by
)
# Any constant will do: it only has to be the same for every writer of practice settings.
_WRITERS_LOCK = text("SELECT pg_advisory_xact_lock(7319000009)")


class PracticeSettingsRepository:
    async def in_force(self, session: AsyncSession) -> dict[str, Any]:
        """Every administrator's value now in force, by setting name."""
        return dict((await session.execute(_IN_FORCE)).all())

    async def rows(self, session: AsyncSession) -> dict[str, tuple[PracticeSettingOverride, str | None]]:
        """Every row (reset ones too) with the name of who wrote it last."""
        return {row.key: (row, name) for row, name in await session.execute(_WITH_NAMES)}

    async def lock_writers(self, session: AsyncSession) -> None:
        """Serialise changes, so two admins saving at once cannot break a rule between two
        settings (dose min <= max) or both insert the same row. SQLite's write lock does it there."""
        if session.get_bind().dialect.name == "postgresql":
            await session.execute(_WRITERS_LOCK)

    async def put(
        self,
        session: AsyncSession,
        existing: dict[str, PracticeSettingOverride],
        values: Iterable[tuple[str, Any]],
        *,
        by: uuid.UUID | None,
        at: datetime,
    ) -> None:
        """Write each (name, value); a None value resets the setting to its default."""
        for key, value in values:
            row = existing.get(key)
            if row is None:
                session.add(PracticeSettingOverride(key=key, value=value, updated_at=at, updated_by=by))
            else:
                row.value = value
                row.updated_at = at
                row.updated_by = by
        await session.flush()


practice_settings_repository = PracticeSettingsRepository()
