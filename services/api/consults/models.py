"""Video consults: what happened in the call of one booking.

A consult is keyed by its booking (one video call per visit). It records the patient's
confirmed location for this visit (licensure), when the patient waited, when they were
admitted, the actual start (media first connected), end and duration that the superbill and
the psychiatrist's time depend on, the raw call events as reported by signaling, and the
in-call chat both parties can read afterwards.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.api.core.db import Base, IdMixin

CONSULT_STATUSES = ("scheduled", "waiting", "in_progress", "completed")


class Consult(Base):
    __tablename__ = "consults"

    booking_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"), primary_key=True)
    status: Mapped[str] = mapped_column(String(12), default="scheduled")  # see CONSULT_STATUSES
    patient_location_state: Mapped[str | None] = mapped_column(String(2))
    patient_location_confirmed_at: Mapped[datetime | None]
    patient_waiting_since: Mapped[datetime | None]
    psychiatrist_joined_at: Mapped[datetime | None]
    admitted_at: Mapped[datetime | None]
    started_at: Mapped[datetime | None]  # media first connected
    ended_at: Mapped[datetime | None]
    duration_seconds: Mapped[int | None] = mapped_column(Integer)
    end_reason: Mapped[str | None] = mapped_column(String(30))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class CallEvent(IdMixin, Base):
    """One event as signaling reported it; `event_id` makes a retried report a no-op."""

    __tablename__ = "consult_call_events"
    __table_args__ = (Index("ix_consult_call_events_booking_id_at", "booking_id", "at"),)

    event_id: Mapped[uuid.UUID] = mapped_column(unique=True)
    booking_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("consults.booking_id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(12))
    role: Mapped[str] = mapped_column(String(12))
    user_id: Mapped[uuid.UUID]
    at: Mapped[datetime]
    received_at: Mapped[datetime]
    reason: Mapped[str | None] = mapped_column(String(30))


class ConsultMessage(Base):
    """An in-call chat message, kept on the consult record; its id is the one signaling gave it."""

    __tablename__ = "consult_messages"
    __table_args__ = (Index("ix_consult_messages_booking_id_sent_at", "booking_id", "sent_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    booking_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("consults.booking_id", ondelete="CASCADE"))
    sender_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    sender_role: Mapped[str] = mapped_column(String(12))
    text: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[datetime]
