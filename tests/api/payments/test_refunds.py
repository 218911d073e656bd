"""Refunds: the cancellation policy decides, admins refund in part or in full, never past what was paid."""

from __future__ import annotations

import asyncio
import collections
import uuid
from datetime import timedelta

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from services.api.config import Settings
from services.api.core.db import make_sessionmaker
from services.api.main import create_app
from services.api.payments.models import Payment, Refund
from services.common.clock import clock
from tests.api.payments.conftest import NOW, SLOT, World, hold
from tests.api.scheduling.factories import create_psychiatrist, create_visit_type
from tests.factories import create_patient, create_staff, deliver_mail, sign_in
from tests.support.mail import SmtpSink
from tests.support.stripe import StandIn


async def confirmed_paid_visit(client: httpx.AsyncClient, h: dict[str, str], booking_id: str, standin: StandIn) -> str:
    started = (await client.post(f"/api/bookings/{booking_id}/payment", headers=h)).json()
    intent_id = started["client_secret"].split("_secret_")[0]
    r = await client.post(f"/api/bookings/{booking_id}/payment/card", json={"token": standin.card_token()}, headers=h)
    assert r.status_code == 200, r.text
    d = standin.receiver.wait_for("payment_intent.succeeded", intent_id)
    ack = await client.post(
        "/api/webhooks/stripe",
        content=d.body,
        headers={"Stripe-Signature": d.signature, "Content-Type": "application/json"},
    )
    assert ack.json()["outcome"] == "applied", ack.text
    return intent_id


def stripe_refunds(standin: StandIn, intent_id: str) -> list[int]:
    return sorted(r["amount"] for r in standin.get(f"/v1/refunds?payment_intent={intent_id}")["data"])


async def ledger(session: AsyncSession, booking_id: str) -> tuple[Payment, list[Refund]]:
    payment = await session.scalar(
        select(Payment).where(Payment.booking_id == uuid.UUID(booking_id)).execution_options(populate_existing=True)
    )
    assert payment is not None
    rows = (
        await session.scalars(
            select(Refund).where(Refund.payment_id == payment.id).execution_options(populate_existing=True)
        )
    ).all()
    return payment, list(rows)


async def test_cancelling_early_refunds_everything_and_late_keeps_the_fee(
    client: httpx.AsyncClient,
    world: World,
    standin: StandIn,
    session: AsyncSession,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    smtp: SmtpSink,
) -> None:
    early = await hold(client, world, SLOT)
    early_intent = await confirmed_paid_visit(client, world.h, early, standin)
    r = await client.post(f"/api/bookings/{early}/cancel", json={"reason": "feeling better"}, headers=world.h)
    assert r.status_code == 200, r.text
    assert r.json()["cancellation"]["refund_cents"] == 35000
    assert stripe_refunds(standin, early_intent) == [35000]
    payment, rows = await ledger(session, early)
    assert payment.refunded_cents == 35000
    assert [(x.amount_cents, x.kind, x.status) for x in rows] == [(35000, "cancellation_policy", "succeeded")]

    late = await hold(client, world, SLOT + timedelta(hours=2))
    late_intent = await confirmed_paid_visit(client, world.h, late, standin)
    clock.freeze(SLOT + timedelta(hours=2) - timedelta(hours=3))  # three hours before: inside the 24 h notice
    h = await sign_in(client, world.patient)
    r = await client.post(f"/api/bookings/{late}/cancel", json={"reason": "work"}, headers=h)
    assert r.status_code == 200, r.text
    fee = settings.cancellation_fee_cents
    assert r.json()["cancellation"]["fee_cents"] == fee
    assert stripe_refunds(standin, late_intent) == [35000 - fee]
    payment, rows = await ledger(session, late)
    assert payment.refunded_cents == 35000 - fee

    await deliver_mail(settings, sessionmaker)
    refund_mails = [m for m in smtp.to(world.patient.email) if m.subject.startswith("Refund of")]
    assert {m.subject.split(" for ")[0] for m in refund_mails} == {
        "Refund of 350.00 USD",
        f"Refund of {(35000 - fee) / 100:.2f} USD",
    }


async def test_the_practice_cancelling_refunds_in_full_even_late(
    client: httpx.AsyncClient, world: World, standin: StandIn, session: AsyncSession, settings: Settings
) -> None:
    booking_id = await hold(client, world, SLOT)
    intent_id = await confirmed_paid_visit(client, world.h, booking_id, standin)
    clock.freeze(SLOT - timedelta(hours=1))
    doc_h = await sign_in(client, world.doc)
    r = await client.post(f"/api/bookings/{booking_id}/cancel", json={"reason": "ill"}, headers=doc_h)
    assert r.status_code == 200, r.text
    assert stripe_refunds(standin, intent_id) == [35000]
    _, rows = await ledger(session, booking_id)
    assert [x.kind for x in rows] == ["practice_cancelled"]


async def test_admins_refund_in_part_with_a_reason_and_never_past_what_was_paid(
    client: httpx.AsyncClient, world: World, standin: StandIn, session: AsyncSession, settings: Settings
) -> None:
    booking_id = await hold(client, world, SLOT)
    intent_id = await confirmed_paid_visit(client, world.h, booking_id, standin)
    payment, _ = await ledger(session, booking_id)
    admin = await create_staff(session, settings, role="admin")
    ah = await sign_in(client, admin)
    url = f"/api/admin/payments/{payment.id}/refunds"

    r = await client.post(url, json={"amount_cents": 10000, "reason": "Goodwill: late start"}, headers=ah)
    assert r.status_code == 201, r.text
    assert (r.json()["amount_cents"], r.json()["kind"], r.json()["status"]) == (10000, "admin", "succeeded")
    r = await client.post(url, json={"amount_cents": 30000, "reason": "too much"}, headers=ah)
    assert r.status_code == 409
    assert r.json()["errors"][0]["field"] == "body.amount_cents"
    assert "250.00 USD" in r.json()["errors"][0]["message"]
    r = await client.post(url, json={"reason": "x"}, headers=ah)
    assert r.status_code == 422  # a reason of at least three characters
    r = await client.post(url, json={"reason": "Refund the rest"}, headers=ah)
    assert r.status_code == 201
    assert r.json()["amount_cents"] == 25000
    r = await client.post(url, json={"reason": "once more"}, headers=ah)
    assert r.status_code == 409
    assert stripe_refunds(standin, intent_id) == [10000, 25000]
    shown = (await client.get(f"/api/admin/payments/{payment.id}", headers=ah)).json()
    assert shown["refunded_cents"] == 35000
    assert [x["amount_cents"] for x in shown["refunds"]] == [10000, 25000]
    # Patients and psychiatrists cannot refund.
    for h in (world.h, await sign_in(client, world.doc)):
        assert (await client.post(url, json={"reason": "please"}, headers=h)).status_code == 403


async def test_concurrent_refunds_never_exceed_the_payment(
    committed_engine: AsyncEngine, settings: Settings, standin: StandIn
) -> None:
    clock.freeze(NOW)
    maker = make_sessionmaker(committed_engine)
    async with maker() as s:
        doc = await create_psychiatrist(s, settings)
        paid = await create_visit_type(s, duration_minutes=60, price_cents=35000)
        patient = await create_patient(s, state="ID", time_zone="America/Boise")
        admin = await create_staff(s, settings, role="admin")
    app = create_app(settings, engine=committed_engine, check_migrations=False, run_worker=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://app.test", timeout=120) as client:
        ph = await sign_in(client, patient)
        ah = await sign_in(client, admin)
        body = {"visit_type_id": str(paid.id), "psychiatrist_id": str(doc.id), "starts_at": SLOT.isoformat()}
        booking_id = (await client.post("/api/bookings", json=body, headers=ph)).json()["id"]
        intent_id = await confirmed_paid_visit(client, ph, booking_id, standin)
        payment_id = (await client.get(f"/api/bookings/{booking_id}/payment", headers=ph)).json()["id"]
        url = f"/api/admin/payments/{payment_id}/refunds"
        responses = await asyncio.wait_for(
            asyncio.gather(
                *(client.post(url, json={"amount_cents": 10000, "reason": f"try {i}"}, headers=ah) for i in range(6))
            ),
            timeout=120,
        )
    statuses = collections.Counter(r.status_code for r in responses)
    assert statuses == {201: 3, 409: 3}, [r.text for r in responses]
    assert stripe_refunds(standin, intent_id) == [10000, 10000, 10000]
    async with maker() as s:
        payment = await s.get(Payment, uuid.UUID(payment_id))
        assert payment is not None
        assert payment.refunded_cents == 30000


async def test_cancelling_after_paying_but_before_the_webhook_refunds_everything(
    client: httpx.AsyncClient, world: World, standin: StandIn, session: AsyncSession
) -> None:
    booking_id = await hold(client, world, SLOT)
    started = (await client.post(f"/api/bookings/{booking_id}/payment", headers=world.h)).json()
    intent_id = started["client_secret"].split("_secret_")[0]
    r = await client.post(
        f"/api/bookings/{booking_id}/payment/card", json={"token": standin.card_token()}, headers=world.h
    )
    assert r.json()["status"] == "succeeded"
    r = await client.post(f"/api/bookings/{booking_id}/cancel", json={"reason": "oops"}, headers=world.h)
    assert r.status_code == 200, r.text
    assert stripe_refunds(standin, intent_id) == [35000]
    payment, rows = await ledger(session, booking_id)
    assert (payment.outcome, payment.refunded_cents) == ("refunded_cancelled", 35000)
    assert [x.kind for x in rows] == ["booking_cancelled"]
    # Stripe's webhook arriving afterwards changes nothing more.
    d = standin.receiver.wait_for("payment_intent.succeeded", intent_id)
    ack = await client.post(
        "/api/webhooks/stripe",
        content=d.body,
        headers={"Stripe-Signature": d.signature, "Content-Type": "application/json"},
    )
    assert ack.status_code == 200
    payment, rows = await ledger(session, booking_id)
    assert len(rows) == 1
    shown = (await client.get(f"/api/bookings/{booking_id}/payment", headers=world.h)).json()
    assert "cancelled before the payment confirmed it" in shown["message"]
