"""Paying for a visit, syncing from Stripe, refunds.

- `start` creates the booking's PaymentIntent (idempotent) and hands the client its secret.
- `pay_with_token` confirms it with a card token Stripe.js made in the browser. Its answer is
  recorded but never confirms the booking: only Stripe's own word does, through a verified
  webhook or the reconciliation job asking Stripe (`apply_intent(..., settle=True)`).
- `apply_intent` syncs our row from a PaymentIntent however often and in whatever order it
  arrives: statuses only move forward (succeeded and canceled are final), and the booking is
  settled once (`outcome`): confirmed, re-taken, or refunded in full when its time is gone.
- `refund` never returns more than was paid: the payment row is locked while the amount still
  refundable is computed and the refund row written (SQLite has one writer anyway).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.api.audit import service as audit
from services.api.config import Settings
from services.api.core.context import Actor, RequestContext, Role
from services.api.core.errors import Conflict, HalcyonError, NotFound, Unprocessable
from services.api.integrations.stripe.client import (
    CardDeclined,
    Intent,
    RefundResult,
    StripeGateway,
    StripeRejected,
    StripeUnavailable,
)
from services.api.payments.models import Payment, Refund
from services.api.payments.notify import send_payment_mail
from services.api.payments.repository import payment_repository as repo
from services.api.scheduling.flows import (
    BookingClosed,
    BookingNotFound,
    HoldExpired,
    SlotTaken,
    booking_flows,
    on_cancel,
)
from services.api.scheduling.models import Booking
from services.api.scheduling.notify import format_money
from services.api.scheduling.repository import scheduling_repository
from services.api.scheduling.service import CancellationDecision
from services.common.clock import utcnow


# --- problems ------------------------------------------------------------------------------
class PaymentNotFound(NotFound):
    title = "Payment not found"
    type_slug = "payment-not-found"


class NothingToPay(Conflict):
    title = "There is nothing to pay for this visit"
    type_slug = "nothing-to-pay"


class HoldLapsed(Conflict):
    title = "The hold on this time has ended"
    type_slug = "hold-lapsed"


class PaymentClosed(Conflict):
    title = "This payment can no longer be made"
    type_slug = "payment-closed"


class PaymentDeclined(HalcyonError):
    status = 402
    title = "The card was declined"
    type_slug = "card-declined"


class CardTokenRejected(Unprocessable):
    title = "The card details could not be used"
    type_slug = "card-token-rejected"


class NotRefundable(Conflict):
    title = "This payment cannot be refunded"
    type_slug = "not-refundable"


class RefundTooLarge(Conflict):
    title = "The refund is larger than what is left to refund"
    type_slug = "refund-too-large"


class PaymentProviderUnavailable(HalcyonError):
    status = 503
    title = "The payment provider is not answering"
    type_slug = "payment-provider-unavailable"


class PaymentProviderRefused(HalcyonError):
    status = 502
    title = "The payment provider refused the request"
    type_slug = "payment-provider-refused"


# --- Stripe status -> ours -----------------------------------------------------------------
_RANK = {"requires_payment": 0, "failed": 1, "requires_action": 1, "processing": 2, "succeeded": 3, "canceled": 3}
FINAL = ("succeeded", "canceled")


def our_status(intent: Intent) -> str:
    s = intent.status
    if s == "requires_payment_method":
        return "failed" if intent.failure_code or intent.failure_message else "requires_payment"
    if s == "requires_confirmation":
        return "requires_payment"
    if s == "requires_action":
        return "requires_action"
    if s in ("processing", "requires_capture"):
        return "processing"
    if s in ("succeeded", "canceled"):
        return s
    return "requires_payment"


_gateways: dict[tuple[str, str, str, str, str], StripeGateway] = {}


def gateway_for(settings: Settings) -> StripeGateway:
    """One gateway (one HTTP connection pool) per distinct Stripe configuration."""
    key = (
        settings.stripe_secret_key.get_secret_value(),
        settings.stripe_publishable_key,
        settings.stripe_api_base,
        settings.stripe_js_url,
        settings.stripe_webhook_secrets.get_secret_value(),
    )
    gw = _gateways.get(key)
    if gw is None:
        gw = _gateways[key] = StripeGateway(settings)
    return gw


async def _stripe(coro: Any) -> Any:
    """Await a gateway call, turning Stripe's failures into problems (declines are the caller's)."""
    try:
        return await coro
    except StripeUnavailable:
        raise PaymentProviderUnavailable("Stripe did not answer. Nothing was charged or changed: try again.") from None
    except StripeRejected as exc:
        raise PaymentProviderRefused(f"Stripe refused the request: {exc}") from None


@dataclass(frozen=True, slots=True)
class PaymentState:
    payment: Payment
    booking: Booking
    refunds: list[Refund]
    client_secret: str | None
    gateway: StripeGateway


def _now_lapsed(booking: Booking, now: datetime) -> bool:
    return booking.status != "held" or (booking.hold_expires_at is not None and booking.hold_expires_at <= now)


class PaymentService:
    # --- the patient paying ----------------------------------------------------------------
    async def state(
        self, session: AsyncSession, settings: Settings, payment: Payment, booking: Booking, *, with_secret: bool
    ) -> PaymentState:
        gw = gateway_for(settings)
        secret = None
        if (
            with_secret
            and payment.status in ("requires_payment", "requires_action")
            and not _now_lapsed(booking, utcnow())
        ):
            secret = (await _stripe(gw.retrieve_intent(payment.stripe_payment_intent_id))).client_secret
        return PaymentState(payment, booking, list(await repo.refunds(session, payment.id)), secret, gw)

    async def start(
        self, session: AsyncSession, ctx: RequestContext, settings: Settings, actor: Actor, booking_id: uuid.UUID
    ) -> PaymentState:
        """Create (or find) the booking's PaymentIntent; the answer carries its client secret."""
        booking = await booking_flows.load(session, actor, booking_id, write=True)
        if booking.price_cents == 0:
            raise NothingToPay("This visit is free: there is nothing to pay.")
        payment = await repo.by_booking(session, booking.id, lock=True)
        now = utcnow()
        if payment is not None and payment.status not in ("requires_payment", "requires_action"):
            return await self.state(session, settings, payment, booking, with_secret=False)
        if _now_lapsed(booking, now):
            raise HoldLapsed(
                "Your hold on this time has ended, so it can no longer be paid for. Pick a time again to book."
            )
        gw = gateway_for(settings)
        if payment is None:
            payment_id = uuid.uuid4()
            intent = await _stripe(
                gw.create_intent(
                    amount=booking.price_cents,
                    currency=booking.currency,
                    booking_id=str(booking.id),
                    payment_id=str(payment_id),
                    description=f"Visit {booking.id}",
                )
            )
            payment = Payment(
                id=payment_id,
                booking_id=booking.id,
                patient_id=booking.patient_id,
                psychiatrist_id=booking.psychiatrist_id,
                visit_type_id=booking.visit_type_id,
                stripe_payment_intent_id=intent.id,
                amount_cents=booking.price_cents,
                currency=booking.currency,
                status=our_status(intent),
                stripe_status=intent.status,
                refunded_cents=0,
                test_mode=gw.test_mode,
                created_at=now,
                updated_at=now,
            )
            session.add(payment)
            await session.flush()
            audit.record(
                session,
                ctx,
                action="payment.started",
                subject_type="payment",
                subject_id=payment.id,
                patient_id=booking.patient_id,
                detail={"booking_id": str(booking.id), "amount_cents": booking.price_cents},
            )
            return PaymentState(payment, booking, [], intent.client_secret, gw)
        return await self.state(session, settings, payment, booking, with_secret=True)

    async def get(
        self, session: AsyncSession, ctx: RequestContext, settings: Settings, actor: Actor, booking_id: uuid.UUID
    ) -> PaymentState:
        booking = await booking_flows.load(session, actor, booking_id, write=False)
        payment = await repo.by_booking(session, booking.id)
        if payment is None:
            raise PaymentNotFound("No payment has been started for this visit.")
        audit.record(
            session,
            ctx,
            action="payment.viewed",
            subject_type="payment",
            subject_id=payment.id,
            patient_id=booking.patient_id,
        )
        return await self.state(session, settings, payment, booking, with_secret=actor.role == Role.patient)

    async def pay_with_token(
        self,
        session: AsyncSession,
        ctx: RequestContext,
        settings: Settings,
        actor: Actor,
        booking_id: uuid.UUID,
        token: str,
    ) -> PaymentState:
        """Confirm the intent with a Stripe.js card token. The booking waits for Stripe's webhook."""
        booking = await booking_flows.load(session, actor, booking_id, write=True)
        payment = await repo.by_booking(session, booking.id, lock=True)
        if payment is None:
            raise PaymentNotFound("Start the payment first.")
        if payment.status in ("processing", "succeeded"):
            return await self.state(session, settings, payment, booking, with_secret=False)
        if payment.status in ("failed", "canceled"):
            raise PaymentClosed("This payment was closed after a failed attempt: pick a time again to book.")
        if _now_lapsed(booking, utcnow()):
            raise HoldLapsed("Your hold on this time has ended before the payment was made: pick a time again.")
        gw = gateway_for(settings)
        try:
            intent = await gw.confirm_with_token(
                payment.stripe_payment_intent_id, token, attempt=f"{payment.id}-{token}"
            )
        except CardDeclined as exc:
            await self._fail(session, ctx, settings, payment, code=exc.code, message=exc.message)
            with_release = "The time you picked was released; pick a time again and try another card."
            raise PaymentDeclined(f"{exc.message} {with_release}", keep_changes=True) from None
        except StripeRejected as exc:
            raise CardTokenRejected.on_field(
                "body.token", f"Stripe could not use these card details ({exc}).", "card_token_rejected"
            ) from None
        except StripeUnavailable:
            raise PaymentProviderUnavailable("Stripe did not answer. Nothing was charged: try again.") from None
        self._sync(payment, intent)
        audit.record(
            session,
            ctx,
            action="payment.submitted",
            subject_type="payment",
            subject_id=payment.id,
            patient_id=booking.patient_id,
            detail={"stripe_status": intent.status},
        )
        return await self.state(session, settings, payment, booking, with_secret=intent.status == "requires_action")

    async def _fail(
        self,
        session: AsyncSession,
        ctx: RequestContext | None,
        settings: Settings,
        payment: Payment,
        *,
        code: str | None,
        message: str,
    ) -> None:
        """A declined card: record why, free the time, stop the intent (the patient books again)."""
        payment.status = "failed"
        payment.failure_code = (code or "card_declined")[:80]
        payment.failure_message = message[:500]
        payment.updated_at = utcnow()
        await booking_flows.release_hold(session, ctx, payment.booking_id, reason="payment_failed")
        payment.outcome = payment.outcome or "released"
        try:
            intent = await gateway_for(settings).cancel_intent(payment.stripe_payment_intent_id)
        except (StripeUnavailable, StripeRejected):
            return  # the reconciliation job cancels it later
        self._sync(payment, intent)

    # --- syncing from Stripe ----------------------------------------------------------------
    def _sync(self, payment: Payment, intent: Intent) -> bool:
        """Move our row forward to the intent's state; False when the intent is older news."""
        new = our_status(intent)
        now = utcnow()
        payment.last_synced_at = now
        if intent.latest_charge:
            payment.stripe_charge_id = intent.latest_charge
        if payment.status in FINAL and new != payment.status:
            return False
        if _RANK[new] < _RANK[payment.status]:
            return False
        payment.stripe_status = intent.status
        if payment.status == "failed" and new == "canceled":
            return False  # we cancel a failed intent ourselves: "failed" stays the reason shown
        payment.status = new
        if new == "failed":
            payment.failure_code = (intent.failure_code or "payment_failed")[:80]
            payment.failure_message = (intent.failure_message or "The payment failed.")[:500]
        if new == "succeeded" and payment.succeeded_at is None:
            payment.succeeded_at = now
        payment.updated_at = now
        return True

    async def apply_intent(
        self, session: AsyncSession, ctx: RequestContext | None, settings: Settings, intent: Intent
    ) -> str:
        """Stripe's word on an intent (webhook or our own question): sync and settle the booking."""
        payment = await repo.by_intent(session, intent.id, lock=True)
        if payment is None:
            return "unknown_object"
        moved = self._sync(payment, intent)
        if payment.status == "succeeded" and payment.outcome in (None, "released"):
            await self._settle_paid(session, ctx, settings, payment)
            return "applied"
        if payment.status in ("failed", "canceled") and payment.outcome is None:
            booking = await booking_flows.release_hold(
                session, ctx, payment.booking_id, reason=f"payment_{payment.status}"
            )
            payment.outcome = "released" if booking is not None and booking.status == "released" else payment.outcome
            if payment.status == "failed":
                try:
                    self._sync(payment, await gateway_for(settings).cancel_intent(intent.id))
                except (StripeUnavailable, StripeRejected):
                    pass  # the reconciliation job cancels it later
        return "applied" if moved else "stale"

    async def _settle_paid(
        self, session: AsyncSession, ctx: RequestContext | None, settings: Settings, payment: Payment
    ) -> None:
        """The money arrived: confirm the visit, re-take its time, or give the money back."""
        before = await scheduling_repository.booking(session, payment.booking_id)
        lapsed = before is not None and before.status in ("expired", "released")
        try:
            await booking_flows.confirm_hold(session, ctx, settings, payment.booking_id)
        except (HoldExpired, BookingClosed, SlotTaken, BookingNotFound):
            if before is not None and before.status == "cancelled":
                # Paid a moment before the patient (or the practice) cancelled: all of it goes back.
                await self.refund(
                    session,
                    ctx,
                    settings,
                    payment,
                    amount_cents=None,
                    kind="booking_cancelled",
                    reason="The visit was cancelled before the payment confirmed it.",
                    actor=None,
                )
                payment.outcome = "refunded_cancelled"
                return
            await self.refund(
                session,
                ctx,
                settings,
                payment,
                amount_cents=None,
                kind="hold_lost",
                reason="The payment arrived after the visit's time was no longer held for it.",
                actor=None,
            )
            payment.outcome = "refunded_hold_lost"
            await send_payment_mail(session, settings, payment, template="payment_hold_lost")
            return
        payment.outcome = "retaken" if lapsed else "confirmed"
        await send_payment_mail(session, settings, payment, template="payment_receipt")

    async def apply_refund(self, session: AsyncSession, result: RefundResult, *, intent_id: str | None) -> str:
        """Stripe's word on a refund (webhook): create or update our ledger row."""
        row = await repo.refund_by_stripe_id(session, result.id)
        if row is None and result.metadata.get("refund_id"):
            try:
                row = await repo.refund(session, uuid.UUID(result.metadata["refund_id"]))
            except ValueError:
                row = None
        payment = None
        if row is not None:
            payment = await repo.get(session, row.payment_id, lock=True)
        elif intent_id or result.payment_intent:
            payment = await repo.by_intent(session, str(intent_id or result.payment_intent), lock=True)
        if payment is None:
            return "unknown_object"
        now = utcnow()
        if row is None:
            row = Refund(
                id=uuid.uuid4(),
                payment_id=payment.id,
                stripe_refund_id=result.id,
                amount_cents=result.amount,
                currency=result.currency or payment.currency,
                status=result.status,
                kind="stripe",
                reason="Refunded outside Halcyon (Stripe dashboard).",
                created_at=now,
                updated_at=now,
            )
            session.add(row)
        else:
            row.stripe_refund_id = row.stripe_refund_id or result.id
            if row.status == "pending" or result.status in ("failed", "canceled"):
                row.status = result.status
            row.updated_at = now
        await session.flush()
        payment.refunded_cents = min(payment.amount_cents, await repo.committed_refunds(session, payment.id))
        payment.updated_at = now
        return "applied"

    # --- refunds ----------------------------------------------------------------------------
    async def refund(
        self,
        session: AsyncSession,
        ctx: RequestContext | None,
        settings: Settings,
        payment: Payment,
        *,
        amount_cents: int | None,
        kind: str,
        reason: str,
        actor: Actor | None,
    ) -> Refund:
        """Give money back through Stripe, never more than is left (the row is locked meanwhile)."""
        locked = await repo.get(session, payment.id, lock=True)
        if locked is None:
            raise PaymentNotFound()
        if locked.status != "succeeded":
            raise NotRefundable(f"Only a completed payment can be refunded (this one is {locked.status}).")
        committed = await repo.committed_refunds(session, locked.id)
        left = locked.amount_cents - committed
        amount = left if amount_cents is None else amount_cents
        if left <= 0:
            raise RefundTooLarge.on_field("body.amount_cents", "This payment has already been refunded in full.")
        if amount <= 0 or amount > left:
            raise RefundTooLarge.on_field(
                "body.amount_cents",
                f"At most {format_money(left, locked.currency)} of this payment can still be refunded.",
                "refund_too_large",
            )
        now = utcnow()
        row = Refund(
            id=uuid.uuid4(),
            payment_id=locked.id,
            amount_cents=amount,
            currency=locked.currency,
            status="pending",
            kind=kind,
            reason=reason,
            requested_by=actor.user_id if actor else None,
            requested_by_role=actor.role.value if actor else "system",
            created_at=now,
            updated_at=now,
        )
        session.add(row)
        await session.flush()
        result = await _stripe(
            gateway_for(settings).refund(
                intent_id=locked.stripe_payment_intent_id, amount=amount, refund_id=str(row.id), kind=kind
            )
        )
        row.stripe_refund_id = result.id
        row.status = result.status if result.status in ("pending", "succeeded", "failed", "canceled") else "pending"
        await session.flush()
        locked.refunded_cents = min(locked.amount_cents, await repo.committed_refunds(session, locked.id))
        locked.updated_at = now
        audit.record(
            session,
            ctx,
            action="payment.refunded",
            subject_type="payment",
            subject_id=locked.id,
            patient_id=locked.patient_id,
            actor_role=None if actor else "system",
            detail={"refund_id": str(row.id), "amount_cents": amount, "kind": kind},
        )
        if kind != "hold_lost":  # that one has its own e-mail
            await send_payment_mail(session, settings, locked, template="refund_receipt", refund=row)
        return row

    async def admin_refund(
        self,
        session: AsyncSession,
        ctx: RequestContext,
        settings: Settings,
        actor: Actor,
        payment_id: uuid.UUID,
        *,
        amount_cents: int | None,
        reason: str,
    ) -> Refund:
        payment = await repo.get(session, payment_id)
        if payment is None:
            raise PaymentNotFound()
        return await self.refund(
            session, ctx, settings, payment, amount_cents=amount_cents, kind="admin", reason=reason, actor=actor
        )

    async def admin_get(
        self, session: AsyncSession, ctx: RequestContext, settings: Settings, payment_id: uuid.UUID
    ) -> PaymentState:
        payment = await repo.get(session, payment_id)
        if payment is None:
            raise PaymentNotFound()
        booking = await scheduling_repository.booking(session, payment.booking_id)
        if booking is None:
            raise PaymentNotFound()
        audit.record(
            session,
            ctx,
            action="payment.viewed",
            subject_type="payment",
            subject_id=payment.id,
            patient_id=payment.patient_id,
        )
        return await self.state(session, settings, payment, booking, with_secret=False)

    # --- cancellations (registered with scheduling) -----------------------------------------
    async def on_booking_cancelled(
        self,
        session: AsyncSession,
        ctx: RequestContext,
        settings: Settings,
        actor: Actor,
        booking: Booking,
        decision: CancellationDecision,
    ) -> None:
        payment = await repo.by_booking(session, booking.id, lock=True)
        if payment is None:
            return
        if payment.status == "succeeded" and payment.outcome is None:
            # Stripe took the money but its webhook has not confirmed the visit yet.
            await self._settle_paid(session, ctx, settings, payment)
            return
        if payment.status == "succeeded":
            if decision.refund_cents > 0:
                kind = "practice_cancelled" if decision.by == "staff" else "cancellation_policy"
                left = payment.amount_cents - await repo.committed_refunds(session, payment.id)
                amount = min(decision.refund_cents, left)
                if amount > 0:
                    await self.refund(
                        session,
                        ctx,
                        settings,
                        payment,
                        amount_cents=amount,
                        kind=kind,
                        reason=f"Visit cancelled ({decision.reason}).",
                        actor=actor,
                    )
            return
        if payment.status in ("requires_payment", "requires_action", "processing"):
            intent = await _stripe(gateway_for(settings).cancel_intent(payment.stripe_payment_intent_id))
            self._sync(payment, intent)
            if payment.status == "succeeded" and payment.outcome is None:
                # Paid a moment before the cancellation: the visit stays cancelled, all of it goes back.
                await self._settle_paid(session, ctx, settings, payment)


payment_service = PaymentService()


async def _cancel_hook(
    session: AsyncSession,
    ctx: RequestContext,
    settings: Settings,
    actor: Actor,
    booking: Booking,
    decision: CancellationDecision,
) -> None:
    await payment_service.on_booking_cancelled(session, ctx, settings, actor, booking, decision)


on_cancel(_cancel_hook)
