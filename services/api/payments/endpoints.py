"""Payments: the patient paying for a held visit, Stripe's webhook, admin refunds."""

from __future__ import annotations

import uuid

from fastapi import Request

from services.api.core.errors import BadRequest, Forbidden, Unauthorized, Unprocessable, responses
from services.api.core.routing import APIRouter
from services.api.deps import (
    AppSettings,
    Ctx,
    CurrentAdmin,
    CurrentPatient,
    CurrentUser,
    EffectiveSettings,
    WriteSession,
)
from services.api.payments import service as svc
from services.api.payments import webhooks
from services.api.payments.models import Refund
from services.api.payments.schemas import (
    CardTokenBody,
    PaymentRead,
    RefundCreate,
    RefundRead,
    StripeClientSetup,
    WebhookAck,
)
from services.api.scheduling.flows import BookingNotFound, NotYourBooking

router = APIRouter(prefix="/api/bookings", tags=["payments"])
admin_router = APIRouter(prefix="/api/admin/payments", tags=["payments"])
webhook_router = APIRouter(prefix="/api/webhooks", tags=["payments"])

SIGNED_IN = (Unauthorized, Forbidden, Unprocessable, BookingNotFound, NotYourBooking)
ADMIN = (Unauthorized, Forbidden, Unprocessable)
STRIPE_DOWN = (svc.PaymentProviderUnavailable, svc.PaymentProviderRefused)


def _message(state: svc.PaymentState) -> str:
    p, b = state.payment, state.booking
    if p.outcome == "refunded_hold_lost":
        return "The payment arrived after this time was taken by someone else, so it was refunded in full."
    if p.outcome == "refunded_cancelled":
        return "The visit was cancelled before the payment confirmed it, so it was refunded in full."
    if p.status == "succeeded" and b.status == "confirmed":
        extra = " (the same time was still free, so it is booked again)" if p.outcome == "retaken" else ""
        return f"Paid. Your visit is confirmed{extra}."
    if p.status == "succeeded":
        return "Paid. Confirming your visit..."
    if p.status == "processing":
        return "Payment received by Stripe; waiting for its confirmation. This page updates by itself."
    if p.status == "requires_action":
        return "Your bank asks you to confirm this payment."
    if p.status == "failed":
        return f"{p.failure_message or 'The payment failed.'} The time was released: pick a time again."
    if p.status == "canceled":
        return "This payment was cancelled; nothing was charged."
    if b.status != "held":
        return "The hold on this time has ended; nothing was charged. Pick a time again."
    return "Enter your card to pay and confirm the visit before the hold ends."


def _refund(r: Refund) -> RefundRead:
    return RefundRead.model_validate(r)


def _read(state: svc.PaymentState) -> PaymentRead:
    p, b, gw = state.payment, state.booking, state.gateway
    return PaymentRead(
        id=p.id,
        booking_id=b.id,
        booking_status=b.status,
        hold_expires_at=b.hold_expires_at if b.status == "held" else None,
        status=p.status,
        amount_cents=p.amount_cents,
        currency=p.currency,
        refunded_cents=p.refunded_cents,
        outcome=p.outcome,
        failure_message=p.failure_message,
        client_secret=state.client_secret,
        next_action="confirm_card" if p.status == "requires_action" and state.client_secret else None,
        message=_message(state),
        stripe=StripeClientSetup(
            publishable_key=gw.publishable_key, js_url=gw.js_url, test_mode=gw.test_mode, stand_in=gw.standin
        ),
        refunds=[_refund(r) for r in state.refunds],
        created_at=p.created_at,
        succeeded_at=p.succeeded_at,
    )


@router.post(
    "/{booking_id}/payment",
    response_model=PaymentRead,
    responses=responses(*SIGNED_IN, svc.NothingToPay, svc.HoldLapsed, *STRIPE_DOWN),
)
async def start_payment(
    booking_id: uuid.UUID, actor: CurrentPatient, session: WriteSession, ctx: Ctx, settings: AppSettings
) -> PaymentRead:
    """Start paying for a held visit (or pick up the payment already started): Stripe.js setup
    and the PaymentIntent's client secret."""
    return _read(await svc.payment_service.start(session, ctx, settings, actor, booking_id))


@router.get(
    "/{booking_id}/payment",
    response_model=PaymentRead,
    responses=responses(*SIGNED_IN, svc.PaymentNotFound, *STRIPE_DOWN),
)
async def get_payment(
    booking_id: uuid.UUID, actor: CurrentUser, session: WriteSession, ctx: Ctx, settings: AppSettings
) -> PaymentRead:
    """The visit's payment as we know it (poll this after paying: the webhook confirms the visit)."""
    return _read(await svc.payment_service.get(session, ctx, settings, actor, booking_id))


@router.post(
    "/{booking_id}/payment/card",
    response_model=PaymentRead,
    responses=responses(
        BadRequest,
        *SIGNED_IN,
        svc.PaymentNotFound,
        svc.PaymentClosed,
        svc.HoldLapsed,
        svc.PaymentDeclined,
        svc.CardTokenRejected,
        *STRIPE_DOWN,
    ),
)
async def pay_with_card(
    booking_id: uuid.UUID,
    body: CardTokenBody,
    actor: CurrentPatient,
    session: WriteSession,
    ctx: Ctx,
    settings: AppSettings,
) -> PaymentRead:
    """Pay with a card token from Stripe.js. A declined card frees the time (402 says why);
    otherwise the visit is confirmed when Stripe's webhook arrives."""
    return _read(await svc.payment_service.pay_with_token(session, ctx, settings, actor, booking_id, body.token))


@admin_router.get("/{payment_id}", response_model=PaymentRead, responses=responses(*ADMIN, svc.PaymentNotFound))
async def admin_get_payment(
    payment_id: uuid.UUID, actor: CurrentAdmin, session: WriteSession, ctx: Ctx, settings: AppSettings
) -> PaymentRead:
    del actor
    return _read(await svc.payment_service.admin_get(session, ctx, settings, payment_id))


@admin_router.post(
    "/{payment_id}/refunds",
    status_code=201,
    response_model=RefundRead,
    responses=responses(*ADMIN, BadRequest, svc.PaymentNotFound, svc.NotRefundable, svc.RefundTooLarge, *STRIPE_DOWN),
)
async def admin_refund(
    payment_id: uuid.UUID,
    body: RefundCreate,
    actor: CurrentAdmin,
    session: WriteSession,
    ctx: Ctx,
    settings: AppSettings,
) -> RefundRead:
    """Refund a payment in full (no amount) or in part, with a reason; never more than is left."""
    row = await svc.payment_service.admin_refund(
        session, ctx, settings, actor, payment_id, amount_cents=body.amount_cents, reason=body.reason
    )
    return _refund(row)


@webhook_router.post(
    "/stripe",
    response_model=WebhookAck,
    responses=responses(webhooks.WebhookRejected, webhooks.WebhookOff, Unprocessable, *STRIPE_DOWN),
)
async def stripe_webhook(request: Request, session: WriteSession, ctx: Ctx, settings: EffectiveSettings) -> WebhookAck:
    """Stripe's events, verified on the raw body (`Stripe-Signature`); each event id counts once."""
    # The practice's settings, not only the environment's: a visit this confirms gets its reminders.
    payload = await request.body()
    event = webhooks.verify(settings, payload, request.headers.get("stripe-signature"))
    outcome = await webhooks.handle(session, ctx, settings, event)
    return WebhookAck(received=True, outcome=outcome)
