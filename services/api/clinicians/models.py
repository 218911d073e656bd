from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import JSON, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.api.core.db import Base, IdMixin


class PsychiatristProfile(Base):
    __tablename__ = "psychiatrist_profiles"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(200))
    credentials: Mapped[str] = mapped_column(String(60), default="MD")
    bio: Mapped[str] = mapped_column(Text, default="")
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    time_zone: Mapped[str] = mapped_column(String(64))
    npi: Mapped[str | None] = mapped_column(String(10))


class License(IdMixin, Base):
    __tablename__ = "licenses"
    __table_args__ = (UniqueConstraint("psychiatrist_id", "state"),)

    psychiatrist_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("psychiatrist_profiles.user_id", ondelete="CASCADE"), index=True
    )
    state: Mapped[str] = mapped_column(String(2))
    number: Mapped[str] = mapped_column(String(40))
    expires_on: Mapped[date] = mapped_column(Date)
