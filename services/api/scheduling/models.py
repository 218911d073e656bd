"""Scheduling: visit types, availability (weekly rules, date overrides, time off), bookings.

No double booking is guaranteed by the database, not by the code that usually checks first:
- PostgreSQL: an exclusion constraint over `tstzrange(starts_at, blocked_until)` per
  psychiatrist for rows that hold time (status `held` or `confirmed`), created in the
  migration with btree_gist (the ORM cannot express it).
- SQLite: BEFORE INSERT/UPDATE triggers that abort when the new range overlaps another row
  that holds time. SQLite has a single writer (our engine opens every write transaction with
  BEGIN IMMEDIATE, and a stale WAL snapshot cannot be upgraded to a writer), so the trigger's
  check and the write happen with no other writer in between: the same guarantee as the
  exclusion constraint, for every writer, including raw SQL. We chose triggers over a
  slot-claim table (one row per psychiatrist and time unit under a unique constraint) because
  they keep arbitrary durations and buffers exact and need no second table to keep in step.
An expired hold still has status `held` until someone books over it (the booking marks it
`expired` in the same transaction) or cleanup runs, so reads ignore holds past their expiry.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from services.api.core.db import Base, IdMixin

OVERLAP_CONSTRAINT = "ex_bookings_no_overlap"  # PostgreSQL exclusion constraint / SQLite trigger message

# Statuses whose rows hold the psychiatrist's time (the constraint's predicate).
HOLDING_STATUSES = ("held", "confirmed")


class VisitType(IdMixin, Base):
    """What a patient can book: duration, price and who may book it (admin-managed)."""

    __tablename__ = "visit_types"
    __table_args__ = (
        CheckConstraint("duration_minutes > 0", name="duration_positive"),
        CheckConstraint("price_cents >= 0", name="price_not_negative"),
    )

    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    name_es: Mapped[str | None] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    duration_minutes: Mapped[int] = mapped_column(Integer)
    price_cents: Mapped[int] = mapped_column(Integer, default=0)
    currency: Mapped[str] = mapped_column(String(3), default="usd")
    eligibility: Mapped[str] = mapped_column(String(12), default="any")  # any | new | established
    requires_intake: Mapped[bool] = mapped_column(Boolean, default=False)
    requires_consents: Mapped[bool] = mapped_column(Boolean, default=False)
    is_infusion: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]


class ScheduleSettings(Base):
    """A psychiatrist's own booking knobs; empty values fall back to the practice's settings."""

    __tablename__ = "schedule_settings"

    psychiatrist_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("psychiatrist_profiles.user_id", ondelete="CASCADE"), primary_key=True
    )
    buffer_minutes: Mapped[int] = mapped_column(Integer, default=0)
    slot_step_minutes: Mapped[int] = mapped_column(Integer, default=15)
    min_notice_minutes: Mapped[int | None] = mapped_column(Integer)
    horizon_days: Mapped[int | None] = mapped_column(Integer)


class AvailabilityRule(IdMixin, Base):
    """A weekly window in the psychiatrist's own time zone (weekday 0 = Monday)."""

    __tablename__ = "availability_rules"
    __table_args__ = (
        CheckConstraint("end_time > start_time", name="ends_after_start"),
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
    )

    psychiatrist_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("psychiatrist_profiles.user_id", ondelete="CASCADE"), index=True
    )
    weekday: Mapped[int] = mapped_column(SmallInteger)
    start_time: Mapped[time] = mapped_column(Time)
    end_time: Mapped[time] = mapped_column(Time)
    created_at: Mapped[datetime]


class AvailabilityOverride(IdMixin, Base):
    """One date's hours replacing the weekly rules (no windows: not available that day)."""

    __tablename__ = "availability_overrides"
    __table_args__ = (UniqueConstraint("psychiatrist_id", "on_date"),)

    psychiatrist_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("psychiatrist_profiles.user_id", ondelete="CASCADE"), index=True
    )
    on_date: Mapped[date] = mapped_column(Date)
    windows: Mapped[list[list[str]]] = mapped_column(JSON, default=list)  # [["09:00", "12:00"], ...]
    reason: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]


class TimeOff(IdMixin, Base):
    __tablename__ = "time_off"
    __table_args__ = (CheckConstraint("ends_at > starts_at", name="ends_after_start"),)

    psychiatrist_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("psychiatrist_profiles.user_id", ondelete="CASCADE"), index=True
    )
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    reason: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]


class Booking(IdMixin, Base):
    """A held or confirmed visit. The row that a payment, a consult and reminders hang on."""

    __tablename__ = "bookings"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("blocked_until >= ends_at", name="blocked_after_end"),
        Index("ix_bookings_psychiatrist_id_starts_at", "psychiatrist_id", "starts_at"),
        Index("ix_bookings_patient_id_starts_at", "patient_id", "starts_at"),
        Index("ix_bookings_status_hold_expires_at", "status", "hold_expires_at"),  # hold cleanup
    )

    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.user_id", ondelete="CASCADE"))
    psychiatrist_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("psychiatrist_profiles.user_id", ondelete="CASCADE"))
    visit_type_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("visit_types.id"), index=True)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    # ends_at plus the psychiatrist's buffer: the range the no-overlap guarantee covers.
    blocked_until: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(12))  # held | confirmed | cancelled | expired | no_show
    hold_expires_at: Mapped[datetime | None]
    price_cents: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    sequence: Mapped[int] = mapped_column(Integer, default=0)  # iCalendar SEQUENCE: bumps on each move
    created_at: Mapped[datetime]
    confirmed_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    cancelled_by: Mapped[uuid.UUID | None]
    cancelled_by_role: Mapped[str | None] = mapped_column(String(20))
    cancel_reason: Mapped[str | None] = mapped_column(String(300))
    # The cancellation-policy decision taken at cancellation (the payments domain acts on it).
    refund_cents: Mapped[int | None] = mapped_column(Integer)
    fee_cents: Mapped[int | None] = mapped_column(Integer)
    cancellation_rule: Mapped[str | None] = mapped_column(String(30))
    no_show_at: Mapped[datetime | None]
    no_show_marked_by: Mapped[uuid.UUID | None]


class BookingReminder(IdMixin, Base):
    """A reminder due at a time; the worker turns each into one outbox e-mail, exactly once."""

    __tablename__ = "booking_reminders"
    __table_args__ = (
        UniqueConstraint("booking_id", "offset_minutes", "due_at"),
        Index("ix_booking_reminders_status_due_at", "status", "due_at"),
    )

    booking_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"), index=True)
    offset_minutes: Mapped[int] = mapped_column(Integer)
    due_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending | enqueued | skipped
    processed_at: Mapped[datetime | None]
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
