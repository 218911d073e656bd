"""Keyword-only async factories for billing tests: bookings, payments and refunds written
straight to the database, as the scheduling and payments domains would leave them."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from services.api.payments.models import Payment, Refund
from services.api.scheduling.models import Booking, VisitType
from services.common.clock import utcnow


async def create_booking(
    session: AsyncSession,
    *,
    patient_id: uuid.UUID,
    psychiatrist_id: uuid.UUID,
    visit_type: VisitType,
    starts_at: datetime,
    status: str = "confirmed",
    hold_expires_at: datetime | None = None,
) -> Booking:
    ends_at = starts_at + timedelta(minutes=visit_type.duration_minutes)
    booking = Booking(
        patient_id=patient_id,
        psychiatrist_id=psychiatrist_id,
        visit_type_id=visit_type.id,
        starts_at=starts_at,
        ends_at=ends_at,
        blocked_until=ends_at,
        status=status,
        hold_expires_at=hold_expires_at,
        price_cents=visit_type.price_cents,
        currency=visit_type.currency,
        created_at=starts_at - timedelta(days=7),
        confirmed_at=starts_at - timedelta(days=7) if status == "confirmed" else None,
    )
    session.add(booking)
    await session.commit()
    return booking


async def create_payment(
    session: AsyncSession,
    *,
    booking: Booking,
    status: str = "succeeded",
    amount_cents: int | None = None,
    created_at: datetime | None = None,
    succeeded_at: datetime | None = None,
    refunded_cents: int = 0,
    outcome: str | None = None,
    failure_code: str | None = None,
    test_mode: bool = True,
) -> Payment:
    created_at = created_at or utcnow()
    payment = Payment(
        booking_id=booking.id,
        patient_id=booking.patient_id,
        psychiatrist_id=booking.psychiatrist_id,
        visit_type_id=booking.visit_type_id,
        stripe_payment_intent_id=f"pi_{uuid.uuid4().hex}",
        amount_cents=amount_cents if amount_cents is not None else booking.price_cents,
        currency=booking.currency,
        status=status,
        stripe_status={"failed": "requires_payment_method"}.get(status, status),
        refunded_cents=refunded_cents,
        outcome=outcome if outcome is not None else ("confirmed" if status == "succeeded" else None),
        failure_code=failure_code,
        failure_message="Your card was declined." if failure_code else None,
        test_mode=test_mode,
        created_at=created_at,
        updated_at=succeeded_at or created_at,
        succeeded_at=succeeded_at or (created_at if status == "succeeded" else None),
    )
    session.add(payment)
    await session.commit()
    return payment


async def create_refund(
    session: AsyncSession,
    *,
    payment: Payment,
    amount_cents: int,
    status: str = "succeeded",
    kind: str = "admin",
    reason: str = "",
    requested_by: uuid.UUID | None = None,
    requested_by_role: str | None = None,
    created_at: datetime | None = None,
) -> Refund:
    created_at = created_at or utcnow()
    refund = Refund(
        payment_id=payment.id,
        stripe_refund_id=f"re_{uuid.uuid4().hex}",
        amount_cents=amount_cents,
        currency=payment.currency,
        status=status,
        kind=kind,
        reason=reason,
        requested_by=requested_by,
        requested_by_role=requested_by_role,
        created_at=created_at,
        updated_at=created_at,
    )
    session.add(refund)
    if status == "succeeded":
        payment.refunded_cents += amount_cents
    await session.commit()
    return refund
