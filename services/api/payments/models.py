"""Payments: one Stripe PaymentIntent per paid booking, the refunds against it, the webhook log.

Our rows mirror Stripe's objects and are synced from them (webhooks, the reconciliation job,
the answers to our own calls), so the same object seen twice or out of order ends in the state
Stripe reports. The ledger is `payments.amount_cents` (what was charged) and `refunds`
(what went back); a refund is never allowed past what was paid (checked under a row lock).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.api.core.db import Base, IdMixin

# Our payment status, from the PaymentIntent's (rank: a later state never goes back).
PAYMENT_STATUSES = ("requires_payment", "requires_action", "processing", "succeeded", "failed", "canceled")


class Payment(IdMixin, Base):
    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        CheckConstraint("refunded_cents >= 0 AND refunded_cents <= amount_cents", name="refunds_within_amount"),
        Index("ix_payments_status_updated_at", "status", "updated_at"),
        Index("ix_payments_created_at", "created_at"),
    )

    booking_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("bookings.id", ondelete="RESTRICT"), unique=True)
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.user_id"), index=True)
    # Copied from the booking for the billing reports (a booking's psychiatrist never changes).
    psychiatrist_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("psychiatrist_profiles.user_id"), index=True)
    visit_type_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("visit_types.id"), index=True)
    stripe_payment_intent_id: Mapped[str] = mapped_column(String(255), unique=True)
    amount_cents: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(20))  # one of PAYMENT_STATUSES
    stripe_status: Mapped[str] = mapped_column(String(40))  # the PaymentIntent's own status, as last seen
    refunded_cents: Mapped[int] = mapped_column(Integer, default=0)
    # What became of the booking: confirmed | retaken | refunded_hold_lost | released
    outcome: Mapped[str | None] = mapped_column(String(30))
    failure_code: Mapped[str | None] = mapped_column(String(80))
    failure_message: Mapped[str | None] = mapped_column(String(500))
    stripe_charge_id: Mapped[str | None] = mapped_column(String(255))
    test_mode: Mapped[bool] = mapped_column(default=True)  # paid through the stand-in or Stripe test keys
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    succeeded_at: Mapped[datetime | None]
    last_synced_at: Mapped[datetime | None]


class Refund(IdMixin, Base):
    """Money going back. Written before Stripe is asked (the id is the idempotency key)."""

    __tablename__ = "refunds"
    __table_args__ = (
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        Index("ix_refunds_created_at", "created_at"),
    )

    payment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("payments.id", ondelete="RESTRICT"), index=True)
    stripe_refund_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    amount_cents: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(20))  # pending | succeeded | failed | canceled
    # cancellation_policy | practice_cancelled | admin | hold_lost | stripe (made outside Halcyon)
    kind: Mapped[str] = mapped_column(String(30))
    reason: Mapped[str] = mapped_column(Text, default="")
    requested_by: Mapped[uuid.UUID | None]
    requested_by_role: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class StripeEvent(Base):
    """Every webhook event we accepted, once: a duplicate delivery finds its id here."""

    __tablename__ = "stripe_events"

    id: Mapped[str] = mapped_column(String(255), primary_key=True)  # evt_...
    type: Mapped[str] = mapped_column(String(80))
    object_id: Mapped[str | None] = mapped_column(String(255), index=True)
    stripe_created: Mapped[int] = mapped_column(BigInteger)
    received_at: Mapped[datetime]
    outcome: Mapped[str] = mapped_column(String(40))  # applied | ignored | unknown_object | stale
