from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.api.core.db import Base, IdMixin


class ScaleResult(IdMixin, Base):
    """One completed questionnaire. Never edited: a correction is a new result that supersedes it."""

    __tablename__ = "scale_results"
    __table_args__ = (Index("ix_scale_results_patient_id_scale_entered_at", "patient_id", "scale", "entered_at"),)

    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.user_id", ondelete="CASCADE"))
    scale: Mapped[str] = mapped_column(String(20))
    scale_version: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(2))
    answers: Mapped[dict[str, int]] = mapped_column(JSON)  # item number (as text) -> answer value
    total: Mapped[int] = mapped_column(Integer)
    band: Mapped[str | None] = mapped_column(String(30))
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    entered_by_role: Mapped[str] = mapped_column(String(20))  # patient | clinician
    entered_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    entered_at: Mapped[datetime]
    supersedes_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("scale_results.id"), unique=True)
    correction_reason: Mapped[str | None] = mapped_column(Text)


class ScaleAssignment(IdMixin, Base):
    """A scale a psychiatrist sent a patient to fill in by a date."""

    __tablename__ = "scale_assignments"

    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.user_id", ondelete="CASCADE"), index=True)
    scale: Mapped[str] = mapped_column(String(20))
    due_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(String(300))
    assigned_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    assigned_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]
    result_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("scale_results.id"))
