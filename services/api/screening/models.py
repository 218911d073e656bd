from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from services.api.core.db import Base, IdMixin


class Intake(IdMixin, Base):
    """A patient's intake answers: one draft at a time; submitted ones are kept as history."""

    __tablename__ = "intakes"
    __table_args__ = (
        Index("ix_intakes_patient_id_created_at", "patient_id", "created_at"),
        # At most one draft per patient.
        Index(
            "uq_intakes_patient_id_draft",
            "patient_id",
            unique=True,
            sqlite_where=text("status = 'draft'"),
            postgresql_where=text("status = 'draft'"),
        ),
    )

    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.user_id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(12))  # draft | submitted
    form_version: Mapped[str] = mapped_column(String(20))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    submitted_at: Mapped[datetime | None]
    rule_set_version: Mapped[str | None] = mapped_column(String(20))


class ScreeningFlag(IdMixin, Base):
    """A contraindication rule that matched a submitted intake, and its review."""

    __tablename__ = "screening_flags"

    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.user_id", ondelete="CASCADE"), index=True)
    intake_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("intakes.id", ondelete="CASCADE"), index=True)
    rule_id: Mapped[str] = mapped_column(String(60))
    rule_version: Mapped[int] = mapped_column(Integer)
    rule_set_version: Mapped[str] = mapped_column(String(20))
    severity: Mapped[str] = mapped_column(String(12))
    message: Mapped[str] = mapped_column(Text)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(12), default="unreviewed")  # unreviewed | cleared | overridden
    created_at: Mapped[datetime]
    reviewed_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None]
    review_reason: Mapped[str | None] = mapped_column(Text)
