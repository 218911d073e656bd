from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from services.api.core.db import Base


class PracticeSettingOverride(Base):
    """An administrator's value for one practice setting; the environment gives the default.

    A row whose `value` is NULL was reset to the default: it is kept so the settings page can
    say who reset it and when (the audit log has the full history).
    """

    __tablename__ = "practice_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON(none_as_null=True), nullable=True)
    updated_at: Mapped[datetime]
    updated_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
