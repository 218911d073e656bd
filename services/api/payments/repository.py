"""Payment, refund and webhook-event rows."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.payments.models import Payment, Refund, StripeEvent
from services.api.scheduling.models import Booking

OPEN_STATUSES = ("requires_payment", "requires_action", "processing")


def _postgres(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


class PaymentRepository:
    async def by_booking(self, session: AsyncSession, booking_id: uuid.UUID, *, lock: bool = False) -> Payment | None:
        stmt = select(Payment).where(Payment.booking_id == booking_id)
        if lock and _postgres(session):
            stmt = stmt.with_for_update()
        return await session.scalar(stmt)

    async def by_intent(self, session: AsyncSession, intent_id: str, *, lock: bool = False) -> Payment | None:
        stmt = select(Payment).where(Payment.stripe_payment_intent_id == intent_id)
        if lock and _postgres(session):
            stmt = stmt.with_for_update()
        return await session.scalar(stmt)

    async def get(self, session: AsyncSession, payment_id: uuid.UUID, *, lock: bool = False) -> Payment | None:
        stmt = select(Payment).where(Payment.id == payment_id)
        if lock and _postgres(session):
            stmt = stmt.with_for_update()
        return await session.scalar(stmt)

    async def refunds(self, session: AsyncSession, payment_id: uuid.UUID) -> Sequence[Refund]:
        return (
            await session.scalars(select(Refund).where(Refund.payment_id == payment_id).order_by(Refund.created_at))
        ).all()

    async def refund_by_stripe_id(self, session: AsyncSession, stripe_refund_id: str) -> Refund | None:
        return await session.scalar(select(Refund).where(Refund.stripe_refund_id == stripe_refund_id))

    async def refund(self, session: AsyncSession, refund_id: uuid.UUID) -> Refund | None:
        return await session.get(Refund, refund_id)

    async def committed_refunds(self, session: AsyncSession, payment_id: uuid.UUID) -> int:
        """Cents refunded or on their way back (pending or succeeded)."""
        total = await session.scalar(
            select(func.coalesce(func.sum(Refund.amount_cents), 0)).where(
                Refund.payment_id == payment_id, Refund.status.in_(("pending", "succeeded"))
            )
        )
        return int(total or 0)

    async def record_event(
        self, session: AsyncSession, *, event_id: str, type_: str, object_id: str | None, created: int, now: datetime
    ) -> bool:
        """Insert the event's id; False when it was already there (a duplicate delivery)."""
        values = {
            "id": event_id,
            "type": type_,
            "object_id": object_id,
            "stripe_created": created,
            "received_at": now,
            "outcome": "received",
        }
        stmt = (pg_insert if _postgres(session) else sqlite_insert)(StripeEvent).values(**values)
        result = await session.execute(stmt.on_conflict_do_nothing(index_elements=["id"]))
        return bool(getattr(result, "rowcount", 0))

    async def set_event_outcome(self, session: AsyncSession, event_id: str, outcome: str) -> None:
        event = await session.get(StripeEvent, event_id)
        if event is not None:
            event.outcome = outcome

    async def due_for_reconciliation(self, session: AsyncSession, *, before: datetime, limit: int) -> Sequence[Payment]:
        """Open payments, and paid ones not yet settled, not heard of since `before` (a lost webhook)."""
        stmt = (
            select(Payment)
            .where(
                Payment.status.in_(OPEN_STATUSES) | ((Payment.status == "succeeded") & Payment.outcome.is_(None)),
                Payment.updated_at < before,
            )
            .order_by(Payment.updated_at)
            .limit(limit)
        )
        if _postgres(session):
            stmt = stmt.with_for_update(skip_locked=True)
        return (await session.scalars(stmt)).all()

    async def unpaid_with_lapsed_hold(self, session: AsyncSession, *, now: datetime, limit: int) -> Sequence[Payment]:
        """Open payments whose booking no longer holds its time: cancel them at Stripe."""
        stmt = (
            select(Payment)
            .join(Booking, Booking.id == Payment.booking_id)
            .where(
                Payment.status.in_(("requires_payment", "requires_action")),
                (Booking.status.in_(("expired", "released", "cancelled")))
                | ((Booking.status == "held") & (Booking.hold_expires_at <= now)),
            )
            .order_by(Payment.created_at)
            .limit(limit)
        )
        if _postgres(session):
            stmt = stmt.with_for_update(of=Payment, skip_locked=True)
        return (await session.scalars(stmt)).all()


payment_repository = PaymentRepository()
