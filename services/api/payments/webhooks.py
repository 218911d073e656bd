"""Stripe webhook events: verified on the raw body, stored once by id, then synced from.

A duplicate delivery finds its id already stored and changes nothing. Handlers sync our rows
from the object the event carries, with statuses that only move forward, so events arriving
twice or out of order end in the state Stripe reports. A handler that cannot finish (Stripe
down while refunding, say) rolls the whole event back, the event id included, and answers 503
so Stripe delivers it again.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.api.config import Settings
from services.api.core.context import RequestContext
from services.api.core.errors import BadRequest, NotFound
from services.api.integrations.stripe.client import BadSignature, intent_from, refund_from
from services.api.payments.repository import payment_repository as repo
from services.api.payments.service import gateway_for, payment_service
from services.common.clock import utcnow


class WebhookOff(NotFound):
    title = "Stripe webhooks are not configured"
    type_slug = "webhook-off"


class WebhookRejected(BadRequest):
    title = "The webhook's signature does not verify"
    type_slug = "webhook-signature"


INTENT_EVENTS = frozenset(
    {
        "payment_intent.created",
        "payment_intent.succeeded",
        "payment_intent.payment_failed",
        "payment_intent.canceled",
        "payment_intent.processing",
        "payment_intent.requires_action",
        "payment_intent.amount_capturable_updated",
    }
)
REFUND_EVENTS = frozenset({"refund.created", "refund.updated", "refund.failed", "charge.refund.updated"})


def verify(settings: Settings, payload: bytes, signature: str | None) -> dict[str, Any]:
    gw = gateway_for(settings)
    if not gw.webhook_secrets:
        raise WebhookOff("Set HALCYON_STRIPE_WEBHOOK_SECRETS to receive Stripe's events.")
    try:
        return gw.verify_event(payload, signature)
    except BadSignature as exc:
        raise WebhookRejected(f"Rejected: {exc}.") from None


async def handle(session: AsyncSession, ctx: RequestContext, settings: Settings, event: dict[str, Any]) -> str:
    """Store the event once and apply it; returns what became of it."""
    obj = (event.get("data") or {}).get("object") or {}
    type_ = str(event.get("type") or "")
    created = event.get("created")
    fresh = await repo.record_event(
        session,
        event_id=event["id"],
        type_=type_[:80],
        object_id=str(obj.get("id"))[:255] if isinstance(obj, dict) and obj.get("id") else None,
        created=int(created) if isinstance(created, int) else 0,
        now=utcnow(),
    )
    if not fresh:
        return "duplicate"
    outcome = await _apply(session, ctx, settings, type_, obj if isinstance(obj, dict) else {})
    await repo.set_event_outcome(session, event["id"], outcome)
    return outcome


async def _apply(
    session: AsyncSession, ctx: RequestContext, settings: Settings, type_: str, obj: dict[str, Any]
) -> str:
    if type_ in INTENT_EVENTS and obj.get("object") == "payment_intent":
        return await payment_service.apply_intent(session, ctx, settings, intent_from(obj))
    if type_ in REFUND_EVENTS and obj.get("object") == "refund":
        return await payment_service.apply_refund(session, refund_from(obj), intent_id=None)
    if type_ == "charge.refunded" and obj.get("object") == "charge":
        refunds = (obj.get("refunds") or {}).get("data") or []
        intent_id = obj.get("payment_intent")
        outcomes = [
            await payment_service.apply_refund(session, refund_from(r), intent_id=intent_id)
            for r in refunds
            if isinstance(r, dict)
        ]
        if not outcomes:
            return "ignored"
        return "applied" if "applied" in outcomes else outcomes[0]
    return "ignored"
