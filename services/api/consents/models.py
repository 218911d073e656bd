from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.api.core.db import Base, IdMixin


class ConsentSignature(IdMixin, Base):
    """A patient's signature of one version of a consent document. Never edited or deleted."""

    __tablename__ = "consent_signatures"
    __table_args__ = (UniqueConstraint("patient_id", "kind", "version"),)

    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.user_id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    version: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(2))
    typed_name: Mapped[str] = mapped_column(String(200))
    signed_at: Mapped[datetime]
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(300))
    text_sha256: Mapped[str] = mapped_column(String(64))
