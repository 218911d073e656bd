"""Visit notes (draft -> signed, then locked) and their signed addenda.

Once signed, a note row is never updated or deleted, and an addendum never changes: the
migration adds database triggers that refuse it, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.api.core.db import Base, IdMixin


class VisitNote(IdMixin, Base):
    __tablename__ = "visit_notes"
    __table_args__ = (Index("ix_visit_notes_patient_id_visit_at", "patient_id", "visit_at"),)

    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.user_id"))
    consult_id: Mapped[uuid.UUID | None] = mapped_column(index=True)  # the consult/booking, when there is one
    author_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    template: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(10))  # draft | signed
    visit_at: Mapped[datetime]
    modality: Mapped[str] = mapped_column(String(12))  # video | audio_only | in_person
    place_of_service: Mapped[str] = mapped_column(String(2))
    subjective: Mapped[str] = mapped_column(Text, default="")
    objective: Mapped[str] = mapped_column(Text, default="")
    assessment: Mapped[str] = mapped_column(Text, default="")
    plan: Mapped[str] = mapped_column(Text, default="")
    diagnoses: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    billing_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    summary_sections: Mapped[list[str]] = mapped_column(JSON, default=list)  # what the patient sees
    patient_instructions: Mapped[str] = mapped_column(Text, default="")
    revision: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    signed_at: Mapped[datetime | None]
    signed_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    signer_name: Mapped[str | None] = mapped_column(String(260))
    content_hash: Mapped[str | None] = mapped_column(String(64))


class NoteAddendum(IdMixin, Base):
    __tablename__ = "visit_note_addenda"

    note_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("visit_notes.id"), index=True)
    author_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    author_name: Mapped[str] = mapped_column(String(260))
    text: Mapped[str] = mapped_column(Text)
    include_in_summary: Mapped[bool] = mapped_column(Boolean, default=False)
    signed_at: Mapped[datetime]
    content_hash: Mapped[str] = mapped_column(String(64))
