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

    # Profile (the patient edits these; every change is audited by field name).
    legal_name: Mapped[str | None] = mapped_column(String(200))
    preferred_name: Mapped[str | None] = mapped_column(String(200))
    sex: Mapped[str | None] = mapped_column(String(20))
    current_state: Mapped[str | None] = mapped_column(String(2))
    phone: Mapped[str | None] = mapped_column(String(32))
    emergency_contact_name: Mapped[str | None] = mapped_column(String(200))
    emergency_contact_phone: Mapped[str | None] = mapped_column(String(32))
    emergency_contact_relationship: Mapped[str | None] = mapped_column(String(60))
    primary_care_name: Mapped[str | None] = mapped_column(String(200))
    primary_care_phone: Mapped[str | None] = mapped_column(String(32))
    pharmacy_name: Mapped[str | None] = mapped_column(String(200))
    pharmacy_phone: Mapped[str | None] = mapped_column(String(32))
    pharmacy_address: Mapped[str | None] = mapped_column(String(300))
    profile_updated_at: Mapped[datetime | None]


class CareTeamMember(IdMixin, Base):
    """A psychiatrist who may see a patient's chart (by booking or admin assignment)."""

    __tablename__ = "care_team_members"
    __table_args__ = (UniqueConstraint("patient_id", "psychiatrist_id"),)

    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.user_id", ondelete="CASCADE"), index=True)
    psychiatrist_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    added_at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(String(30))
