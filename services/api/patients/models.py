from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.api.core.db import Base, IdMixin


class Patient(Base):
    """The patient's own record; its id is the user's id."""

    __tablename__ = "patients"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    date_of_birth: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(2))
    time_zone: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(2))
    created_at: Mapped[datetime]


class CareTeamMember(IdMixin, Base):
    """A psychiatrist who may see a patient's chart (by booking or admin assignment)."""

    __tablename__ = "care_team_members"
    __table_args__ = (UniqueConstraint("patient_id", "psychiatrist_id"),)

    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.user_id", ondelete="CASCADE"), index=True)
    psychiatrist_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    added_at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(String(30))
