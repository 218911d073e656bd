"""Paying for a held visit: only Stripe's verified word confirms it; declines and late payments."""

from __future__ import annotations

import uuid
from datetime import UTC, timedelta

import httpx
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.api.audit.models import AuditEntry
from services.api.config import Settings
from services.api.payments.jobs import reconcile_payments
from services.api.payments.models import Payment, Refund
from services.api.scheduling.models import Booking, BookingReminder
from tests.api.payments.conftest import SLOT, World, hold, later
from tests.factories import create_patient, create_staff, deliver_mail, sign_in
from tests.support.mail import SmtpSink
from tests.support.stripe import CARD_3DS, CARD_DECLINED, StandIn


async def booking_status(session: AsyncSession, booking_id: str) -> str:
    return str(await session.scalar(select(Booking.status).where(Booking.id == uuid.UUID(booking_id))))


async def deliver(client: httpx.AsyncClient, body: bytes, signature: str) -> httpx.Response:
    return await client.post(
        "/api/webhooks/stripe",
        content=body,
        headers={"Stripe-Signature": signature, "Content-Type": "application/json"},
    )


async def test_a_paid_visit_is_confirmed_by_the_verified_webhook_not_by_the_browser(
    client: httpx.AsyncClient,
    world: World,
    standin: StandIn,
    session: AsyncSession,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    smtp: SmtpSink,
) -> None:
    booking_id = await hold(client, world)
    r = await client.post(f"/api/bookings/{booking_id}/payment", headers=world.h)
    assert r.status_code == 200, r.text
    started = r.json()
    assert started["status"] == "requires_payment"
    assert started["amount_cents"] == 35000
    assert started["client_secret"].startswith("pi_")
    assert started["stripe"] == {
        "publishable_key": "pk_test_halcyon_standin",
        "js_url": f"{standin.url}/js.stripe.com/v3/",
        "test_mode": True,
        "stand_in": True,
    }
    intent_id = started["client_secret"].split("_secret_")[0]
    assert standin.get(f"/v1/payment_intents/{intent_id}")["metadata"]["booking_id"] == booking_id
    # Starting again picks up the same intent rather than making a second one.
    again = await client.post(f"/api/bookings/{booking_id}/payment", headers=world.h)
    assert again.json()["id"] == started["id"]
    assert again.json()["client_secret"] == started["client_secret"]

    r = await client.post(
        f"/api/bookings/{booking_id}/payment/card", json={"token": standin.card_token()}, headers=world.h
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "succeeded"
    # Stripe took the money, but until its signed webhook arrives the visit stays held.
    assert await booking_status(session, booking_id) == "held"
    assert r.json()["booking_status"] == "held"

    delivery = standin.receiver.wait_for("payment_intent.succeeded", intent_id)
    ack = await deliver(client, delivery.body, delivery.signature)
    assert ack.status_code == 200, ack.text
    assert ack.json() == {"received": True, "outcome": "applied"}
    assert await booking_status(session, booking_id) == "confirmed"

    shown = (await client.get(f"/api/bookings/{booking_id}/payment", headers=world.h)).json()
    assert shown["status"] == "succeeded"
    assert shown["outcome"] == "confirmed"
    assert shown["client_secret"] is None
    assert "confirmed" in shown["message"]

    await deliver_mail(settings, sessionmaker)
    subjects = [m.subject for m in smtp.to(world.patient.email)]
    assert any(s.startswith("Receipt for your Initial evaluation") for s in subjects), subjects
    receipt = next(m for m in smtp.to(world.patient.email) if m.subject.startswith("Receipt"))
    assert "350.00 USD" in receipt.text
    assert "TEST payment" in receipt.text


async def test_a_visit_confirmed_by_the_webhook_gets_the_reminders_the_admin_set(
    client: httpx.AsyncClient, world: World, standin: StandIn, session: AsyncSession, settings: Settings
) -> None:
    admin = await sign_in(client, await create_staff(session, settings, role="admin"))
    changed = await client.patch(
        "/api/admin/practice-settings", json={"reminder_offsets_minutes": [2880, 30]}, headers=admin
    )
    assert changed.status_code == 200, changed.text
    booking_id = await hold(client, world)
    r = await client.post(f"/api/bookings/{booking_id}/payment", headers=world.h)
    intent_id = r.json()["client_secret"].split("_secret_")[0]
    r = await client.post(
        f"/api/bookings/{booking_id}/payment/card", json={"token": standin.card_token()}, headers=world.h
    )
    assert r.json()["status"] == "succeeded", r.text
    delivery = standin.receiver.wait_for("payment_intent.succeeded", intent_id)
    assert (await deliver(client, delivery.body, delivery.signature)).json()["outcome"] == "applied"
    due = (
        await session.execute(
            select(BookingReminder.offset_minutes, BookingReminder.due_at).where(
                BookingReminder.booking_id == uuid.UUID(booking_id)
            )
        )
    ).all()
    assert {(m, at.replace(tzinfo=UTC)) for m, at in due} == {
        (2880, SLOT - timedelta(days=2)),
        (30, SLOT - timedelta(minutes=30)),
    }


async def test_a_free_visit_has_nothing_to_pay_and_another_patient_sees_no_payment(
    client: httpx.AsyncClient, world: World, session: AsyncSession
) -> None:
    body = {"visit_type_id": str(world.free.id), "psychiatrist_id": str(world.doc.id), "starts_at": SLOT.isoformat()}
    free = (await client.post("/api/bookings", json=body, headers=world.h)).json()
    r = await client.post(f"/api/bookings/{free['id']}/payment", headers=world.h)
    assert r.status_code == 409
    assert r.json()["type"].endswith("/nothing-to-pay")

    paid = await hold(client, world, SLOT.replace(hour=18))
    other = await create_patient(session, state="ID", time_zone="America/Boise")
    oh = await sign_in(client, other)
    r = await client.post(f"/api/bookings/{paid}/payment", headers=oh)
    assert r.status_code == 404
    r = await client.post(f"/api/bookings/{paid}/payment/card", json={"token": "tok_x"}, headers=oh)
    assert r.status_code == 404


async def test_a_declined_card_frees_the_time_with_a_message_and_charges_nothing(
    client: httpx.AsyncClient, world: World, standin: StandIn, session: AsyncSession
) -> None:
    booking_id = await hold(client, world)
    started = (await client.post(f"/api/bookings/{booking_id}/payment", headers=world.h)).json()
    intent_id = started["client_secret"].split("_secret_")[0]
    r = await client.post(
        f"/api/bookings/{booking_id}/payment/card", json={"token": standin.card_token(CARD_DECLINED)}, headers=world.h
    )
    assert r.status_code == 402, r.text
    problem = r.json()
    assert problem["type"].endswith("/card-declined")
    assert "pick a time again" in problem["detail"]
    assert await booking_status(session, booking_id) == "released"
    shown = (await client.get(f"/api/bookings/{booking_id}/payment", headers=world.h)).json()
    assert shown["status"] == "failed"
    assert shown["failure_message"]
    assert standin.get(f"/v1/payment_intents/{intent_id}")["status"] == "canceled"
    # The time is free again: the same patient can hold it afresh.
    assert await hold(client, world) != booking_id
    # Stripe's own payment_failed event, arriving later, changes nothing.
    delivery = standin.receiver.wait_for("payment_intent.payment_failed", intent_id)
    assert (await deliver(client, delivery.body, delivery.signature)).status_code == 200
    assert await booking_status(session, booking_id) == "released"


async def test_a_card_needing_3d_secure_asks_the_browser_to_confirm(
    client: httpx.AsyncClient, world: World, standin: StandIn, session: AsyncSession
) -> None:
    booking_id = await hold(client, world)
    await client.post(f"/api/bookings/{booking_id}/payment", headers=world.h)
    r = await client.post(
        f"/api/bookings/{booking_id}/payment/card", json={"token": standin.card_token(CARD_3DS)}, headers=world.h
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "requires_action"
    assert body["next_action"] == "confirm_card"
    intent_id = body["client_secret"].split("_secret_")[0]
    standin.authenticate(intent_id, body["client_secret"])  # the bank's page, through Stripe.js
    delivery = standin.receiver.wait_for("payment_intent.succeeded", intent_id)
    await deliver(client, delivery.body, delivery.signature)
    assert await booking_status(session, booking_id) == "confirmed"


async def test_bad_card_tokens_and_lapsed_holds_get_clear_problems(
    client: httpx.AsyncClient, world: World, standin: StandIn, session: AsyncSession
) -> None:
    booking_id = await hold(client, world)
    r = await client.post(f"/api/bookings/{booking_id}/payment/card", json={"token": "tok_x"}, headers=world.h)
    assert r.status_code == 404  # no payment started yet
    await client.post(f"/api/bookings/{booking_id}/payment", headers=world.h)
    r = await client.post(f"/api/bookings/{booking_id}/payment/card", json={"token": "4242"}, headers=world.h)
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "body.token"
    r = await client.post(f"/api/bookings/{booking_id}/payment/card", json={"token": "tok_unknown"}, headers=world.h)
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"] == "body.token"
    assert await booking_status(session, booking_id) == "held"
    later(11)  # the hold lasts 10 minutes
    r = await client.post(
        f"/api/bookings/{booking_id}/payment/card", json={"token": standin.card_token()}, headers=world.h
    )
    assert r.status_code == 409
    assert r.json()["type"].endswith("/hold-lapsed")


async def test_a_payment_after_the_time_was_taken_is_refunded_in_full_and_the_patient_told(
    client: httpx.AsyncClient,
    world: World,
    standin: StandIn,
    session: AsyncSession,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    smtp: SmtpSink,
) -> None:
    booking_id = await hold(client, world)
    started = (await client.post(f"/api/bookings/{booking_id}/payment", headers=world.h)).json()
    intent_id = started["client_secret"].split("_secret_")[0]
    later(12)
    other = await create_patient(session, state="ID", time_zone="America/Boise")
    taken = await hold(client, world, SLOT, h=await sign_in(client, other))
    assert await booking_status(session, booking_id) == "expired"
    # A stale tab pays anyway (Stripe.js talks to Stripe directly).
    standin.post(f"/v1/payment_intents/{intent_id}", {"payment_method": "pm_card_visa"})
    standin.post(f"/v1/payment_intents/{intent_id}/confirm")
    delivery = standin.receiver.wait_for("payment_intent.succeeded", intent_id)
    assert (await deliver(client, delivery.body, delivery.signature)).status_code == 200

    assert await booking_status(session, booking_id) == "expired"
    assert await booking_status(session, taken) == "held"
    payment = await session.scalar(
        select(Payment).where(Payment.booking_id == uuid.UUID(booking_id)).execution_options(populate_existing=True)
    )
    assert payment is not None
    assert (payment.outcome, payment.refunded_cents) == ("refunded_hold_lost", 35000)
    refunds = standin.get(f"/v1/refunds?payment_intent={intent_id}")["data"]
    assert [r["amount"] for r in refunds] == [35000]
    await deliver_mail(settings, sessionmaker)
    assert any("refunded in full" in m.subject for m in smtp.to(world.patient.email))


async def test_a_payment_after_the_hold_lapsed_retakes_the_time_when_still_free(
    client: httpx.AsyncClient,
    world: World,
    standin: StandIn,
    session: AsyncSession,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    smtp: SmtpSink,
) -> None:
    booking_id = await hold(client, world)
    started = (await client.post(f"/api/bookings/{booking_id}/payment", headers=world.h)).json()
    intent_id = started["client_secret"].split("_secret_")[0]
    later(30)
    await session.execute(update(Booking).where(Booking.id == uuid.UUID(booking_id)).values(status="expired"))
    await session.commit()
    standin.post(f"/v1/payment_intents/{intent_id}", {"payment_method": "pm_card_visa"})
    standin.post(f"/v1/payment_intents/{intent_id}/confirm")
    delivery = standin.receiver.wait_for("payment_intent.succeeded", intent_id)
    await deliver(client, delivery.body, delivery.signature)
    assert await booking_status(session, booking_id) == "confirmed"
    shown = (await client.get(f"/api/bookings/{booking_id}/payment", headers=world.h)).json()
    assert shown["outcome"] == "retaken"
    assert "booked again" in shown["message"]
    await deliver_mail(settings, sessionmaker)
    receipt = next(m for m in smtp.to(world.patient.email) if m.subject.startswith("Receipt"))
    assert "the time was still free, so we booked it for you again" in receipt.text


async def test_reconciliation_confirms_a_paid_visit_whose_webhook_was_lost_and_cancels_abandoned_intents(
    client: httpx.AsyncClient,
    world: World,
    standin: StandIn,
    session: AsyncSession,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    admin = await sign_in(client, await create_staff(session, settings, role="admin"))
    r = await client.patch("/api/admin/practice-settings", json={"reminder_offsets_minutes": [45]}, headers=admin)
    assert r.status_code == 200, r.text
    paid_id = await hold(client, world)
    await client.post(f"/api/bookings/{paid_id}/payment", headers=world.h)
    abandoned_id = await hold(client, world, SLOT.replace(hour=20))
    abandoned = (await client.post(f"/api/bookings/{abandoned_id}/payment", headers=world.h)).json()
    abandoned_intent = abandoned["client_secret"].split("_secret_")[0]
    r = await client.post(
        f"/api/bookings/{paid_id}/payment/card", json={"token": standin.card_token()}, headers=world.h
    )
    assert r.json()["status"] == "succeeded"
    assert await booking_status(session, paid_id) == "held"  # the webhook never comes

    later(5)
    assert await reconcile_payments(settings, sessionmaker) == 0  # too early to ask
    later(11 + settings.payment_reconcile_after_minutes)
    assert await reconcile_payments(settings, sessionmaker) >= 1
    assert await booking_status(session, paid_id) == "confirmed"
    # The worker confirmed it with the reminders the admin set, not the environment's.
    offsets = await session.scalars(
        select(BookingReminder.offset_minutes).where(BookingReminder.booking_id == uuid.UUID(paid_id))
    )
    assert offsets.all() == [45]
    assert standin.get(f"/v1/payment_intents/{abandoned_intent}")["status"] == "canceled"
    shown = (await client.get(f"/api/bookings/{abandoned_id}/payment", headers=world.h)).json()
    assert shown["status"] == "canceled"
    assert shown["client_secret"] is None
    confirmed = await session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "booking.confirmed")
    )
    assert confirmed == 1


async def test_refund_rows_are_never_written_for_a_payment_that_was_not_made(
    client: httpx.AsyncClient, world: World, session: AsyncSession
) -> None:
    booking_id = await hold(client, world)
    await client.post(f"/api/bookings/{booking_id}/payment", headers=world.h)
    r = await client.post(f"/api/bookings/{booking_id}/cancel", json={"reason": "changed my mind"}, headers=world.h)
    assert r.status_code == 200, r.text
    assert await session.scalar(select(func.count()).select_from(Refund)) == 0
    shown = (await client.get(f"/api/bookings/{booking_id}/payment", headers=world.h)).json()
    assert shown["status"] == "canceled"
