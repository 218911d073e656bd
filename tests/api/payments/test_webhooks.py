"""The Stripe webhook: signatures on the raw body, each event once, any order ends in Stripe's state."""

from __future__ import annotations

import json
import random
import time
import uuid
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.api.audit.models import AuditEntry
from services.api.config import Settings
from services.api.main import create_app
from services.api.notifications.models import OutboxMessage
from services.api.payments.models import Payment, Refund, StripeEvent
from services.api.scheduling.models import Booking
from tests.api.payments.conftest import SLOT, World, hold
from tests.support.stripe import OLD_WEBHOOK_SECRET, WEBHOOK_SECRET, Delivery, StandIn, make_event, signed_event


async def deliver(client: httpx.AsyncClient, d: Delivery) -> httpx.Response:
    return await client.post(
        "/api/webhooks/stripe",
        content=d.body,
        headers={"Stripe-Signature": d.signature, "Content-Type": "application/json"},
    )


async def paid_intent(
    client: httpx.AsyncClient, world: World, standin: StandIn, at: datetime = SLOT
) -> tuple[str, str]:
    """A held visit whose intent Stripe has taken the money for; returns (booking id, intent id)."""
    booking_id = await hold(client, world, at)
    started = (await client.post(f"/api/bookings/{booking_id}/payment", headers=world.h)).json()
    intent_id = started["client_secret"].split("_secret_")[0]
    r = await client.post(
        f"/api/bookings/{booking_id}/payment/card", json={"token": standin.card_token()}, headers=world.h
    )
    assert r.json()["status"] == "succeeded", r.text
    return booking_id, intent_id


async def count(session: AsyncSession, model: Any, *where: Any) -> int:
    return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def status_of(session: AsyncSession, booking_id: str) -> str:
    return str(await session.scalar(select(Booking.status).where(Booking.id == uuid.UUID(booking_id))))


async def test_forged_altered_stale_and_unsigned_events_get_400_and_change_nothing(
    client: httpx.AsyncClient, world: World, standin: StandIn, session: AsyncSession
) -> None:
    booking_id, intent_id = await paid_intent(client, world, standin)
    real = standin.receiver.wait_for("payment_intent.succeeded", intent_id)
    event = real.event
    ts = int(time.time())
    forged = signed_event(event, "whsec_not_ours")
    altered = Delivery(real.body.replace(b'"succeeded"', b'"canceled"'), real.signature)
    stale = signed_event(event, WEBHOOK_SECRET, at=ts - 301)
    future = signed_event(event, WEBHOOK_SECRET, at=ts + 900)
    cases = {
        "forged": forged,
        "altered": altered,
        "stale": stale,
        "from the future": future,
        "unsigned": Delivery(real.body, ""),
        "garbled header": Delivery(real.body, "t=abc,v1="),
        "not JSON": Delivery(b"\xff\xfe", signed_event(event).signature),
    }
    for name, d in cases.items():
        r = await deliver(client, d)
        assert r.status_code == 400, f"{name}: {r.status_code} {r.text}"
        assert r.headers["content-type"].startswith("application/problem+json"), name
        assert r.json()["type"].endswith("/webhook-signature"), name
    assert await status_of(session, booking_id) == "held"
    assert await count(session, StripeEvent) == 0

    # The real delivery, and the same event signed with the previous secret (rotation), count.
    assert (await deliver(client, real)).json()["outcome"] == "applied"
    assert await status_of(session, booking_id) == "confirmed"
    rotated = signed_event(event, OLD_WEBHOOK_SECRET)
    assert (await deliver(client, rotated)).json()["outcome"] == "duplicate"


async def test_with_no_secret_the_endpoint_is_off(
    settings: Settings, engine: Any, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    off = settings.model_copy(update={"stripe_webhook_secrets": settings.stripe_webhook_secrets.__class__("")})
    app = create_app(off, engine=engine, sessionmaker=sessionmaker, check_migrations=False, run_worker=False)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://app.test") as c:
        d = signed_event(make_event("payment_intent.succeeded", {"id": "pi_x", "object": "payment_intent"}))
        r = await deliver(c, d)
    assert r.status_code == 404
    assert r.json()["type"].endswith("/webhook-off")


async def test_the_same_event_ten_times_has_one_effect(
    client: httpx.AsyncClient, world: World, standin: StandIn, session: AsyncSession
) -> None:
    booking_id, intent_id = await paid_intent(client, world, standin)
    real = standin.receiver.wait_for("payment_intent.succeeded", intent_id)
    outcomes = [(await deliver(client, real)).json()["outcome"] for _ in range(10)]
    assert outcomes == ["applied"] + ["duplicate"] * 9
    assert await status_of(session, booking_id) == "confirmed"
    assert await count(session, StripeEvent) == 1
    assert await count(session, AuditEntry, AuditEntry.action == "booking.confirmed") == 1
    assert await count(session, OutboxMessage, OutboxMessage.kind == "payment_receipt") == 1
    assert await count(session, OutboxMessage, OutboxMessage.kind == "booking_confirmed") == 1


def _snapshot(standin: StandIn, path: str) -> dict[str, Any]:
    return standin.get(path)


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_events_in_any_order_end_in_the_state_stripe_reports(
    client: httpx.AsyncClient, world: World, standin: StandIn, session: AsyncSession, seed: int
) -> None:
    at = SLOT + timedelta(hours=seed)
    booking_id = await hold(client, world, at)
    started = (await client.post(f"/api/bookings/{booking_id}/payment", headers=world.h)).json()
    intent_id = started["client_secret"].split("_secret_")[0]
    created = _snapshot(standin, f"/v1/payment_intents/{intent_id}")
    await client.post(f"/api/bookings/{booking_id}/payment/card", json={"token": standin.card_token()}, headers=world.h)
    succeeded = _snapshot(standin, f"/v1/payment_intents/{intent_id}")
    charge = succeeded["latest_charge"]
    charge_id = charge["id"] if isinstance(charge, dict) else charge  # the stand-in expands it
    # Two refunds made in Stripe's dashboard (the stand-in sends no refund events: we sign them).
    first = standin.post("/v1/refunds", {"payment_intent": intent_id, "amount": "5000"})
    charge_after_first = _snapshot(standin, f"/v1/charges/{charge_id}")
    second = standin.post("/v1/refunds", {"payment_intent": intent_id, "amount": "2500"})
    charge_after_second = _snapshot(standin, f"/v1/charges/{charge_id}")
    for charge, refunds in ((charge_after_first, [first]), (charge_after_second, [first, second])):
        charge["refunds"] = {"object": "list", "data": refunds}
    events = [
        make_event("payment_intent.created", created),
        make_event("payment_intent.succeeded", succeeded),
        make_event("charge.refunded", charge_after_first),
        make_event("refund.created", first),
        make_event("charge.refunded", charge_after_second),
        make_event("refund.created", second),
    ]
    random.Random(seed).shuffle(events)
    for e in events:
        r = await deliver(client, signed_event(e))
        assert r.status_code == 200, r.text
    # What Stripe reports now: paid, 75.00 refunded in two refunds; the visit is confirmed.
    assert await status_of(session, booking_id) == "confirmed"
    payment = await session.scalar(
        select(Payment).where(Payment.booking_id == uuid.UUID(booking_id)).execution_options(populate_existing=True)
    )
    assert payment is not None
    assert (payment.status, payment.refunded_cents) == ("succeeded", 7500)
    rows = (await session.scalars(select(Refund).where(Refund.payment_id == payment.id))).all()
    assert sorted((r.stripe_refund_id, r.amount_cents, r.status) for r in rows) == sorted(
        [(first["id"], 5000, "succeeded"), (second["id"], 2500, "succeeded")]
    )


async def test_an_event_for_an_object_we_do_not_know_is_acknowledged_and_kept_once(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    event = make_event("payment_intent.succeeded", {"id": "pi_unknown", "object": "payment_intent", "status": "x"})
    r = await deliver(client, signed_event(event))
    assert r.status_code == 200
    assert r.json()["outcome"] == "unknown_object"
    ignored = make_event("customer.created", {"id": "cus_1", "object": "customer"})
    assert (await deliver(client, signed_event(ignored))).json()["outcome"] == "ignored"
    assert await count(session, StripeEvent) == 2
    body = json.dumps({"id": "evt_x", "type": "x"}).encode()
    assert (await deliver(client, Delivery(body, signed_event({"id": "evt_x"}).signature))).status_code == 400
