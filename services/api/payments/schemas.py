"""Payment request and response bodies."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field

from services.api.core.schemas import RequestBody, ResponseBody

PaymentStatus = Literal["requires_payment", "requires_action", "processing", "succeeded", "failed", "canceled"]
RefundStatus = Literal["pending", "succeeded", "failed", "canceled"]


class CardTokenBody(RequestBody):
    token: str = Field(
        min_length=5,
        max_length=255,
        pattern=r"^tok_[A-Za-z0-9_]+$",
        description="A card token from Stripe.js `createToken` (card data never reaches Halcyon).",
    )


class RefundCreate(RequestBody):
    amount_cents: int | None = Field(
        default=None, gt=0, le=10_000_000, description="Empty: everything still refundable."
    )
    reason: str = Field(min_length=3, max_length=500, description="Why: kept in the ledger and shown to admins.")


class RefundRead(ResponseBody):
    id: uuid.UUID
    payment_id: uuid.UUID
    amount_cents: int
    currency: str
    status: RefundStatus
    kind: str
    reason: str
    requested_by_role: str | None
    created_at: datetime


class StripeClientSetup(ResponseBody):
    publishable_key: str
    js_url: str = Field(description="Load Stripe.js from here (the stand-in serves its own copy).")
    test_mode: bool = Field(description="True: test payments (stand-in or test keys); label them so.")
    stand_in: bool = Field(description="True: the local Stripe stand-in, not Stripe.")


class PaymentRead(ResponseBody):
    id: uuid.UUID
    booking_id: uuid.UUID
    booking_status: str
    hold_expires_at: datetime | None
    status: PaymentStatus
    amount_cents: int
    currency: str
    refunded_cents: int
    outcome: str | None = Field(
        description="confirmed | retaken | refunded_hold_lost | refunded_cancelled | released, once settled."
    )
    failure_message: str | None
    client_secret: str | None = Field(description="For Stripe.js, while the payment can still be made.")
    next_action: Literal["confirm_card"] | None = Field(
        description="`confirm_card`: call Stripe.js confirmCardPayment(client_secret) (3-D Secure)."
    )
    message: str = Field(description="What the patient should know now, in plain words.")
    stripe: StripeClientSetup
    refunds: list[RefundRead]
    created_at: datetime
    succeeded_at: datetime | None


class WebhookAck(ResponseBody):
    received: bool
    outcome: str
