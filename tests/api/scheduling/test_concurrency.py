"""No double booking under real concurrency, and reminders sent once with several workers.

These run against a committed database of their own (`committed_engine`): 50 requests go
through the app at the same time, each with its own session and connection, so the
database's guarantee (exclusion constraint / trigger under SQLite's single writer) is what
decides, not a shared test transaction.
"""

from __future__ import annotations

import asyncio
import collections
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from services.api.config import Settings
from services.api.core.context import Actor, RequestContext, Role
from services.api.core.db import make_sessionmaker
from services.api.main import create_app
from services.api.notifications.models import OutboxMessage
from services.api.notifications.worker import deliver_due
from services.api.scheduling.flows import booking_flows
from services.api.scheduling.jobs import run_due_jobs
from services.api.scheduling.models import Booking, BookingReminder
from services.common.clock import clock
from tests.api.scheduling.factories import create_psychiatrist, create_visit_type
from tests.factories import create_patient, sign_in
from tests.support.mail import SmtpSink

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
MONDAY_9_BOISE = datetime(2026, 3, 9, 9, tzinfo=ZoneInfo("America/Boise"))
CLIENTS = 50
PATIENTS = 10  # each patient fires 5 of the 50 requests (signing in is slow on purpose: argon2)
ROUNDS = 3


async def test_fifty_concurrent_bookings_of_one_time_give_one_201_and_49_409_every_round(
    committed_engine: AsyncEngine, settings: Settings
) -> None:
    clock.freeze(NOW)
    maker = make_sessionmaker(committed_engine)
    async with maker() as s:
        doc = await create_psychiatrist(s, settings, hours=[(d, time(9), time(12)) for d in range(7)], step_minutes=30)
        free = await create_visit_type(s, duration_minutes=30, price_cents=0)
        paid = await create_visit_type(s, duration_minutes=30, price_cents=15000)
        patients = [await create_patient(s, state="ID", time_zone="America/Boise") for _ in range(PATIENTS)]
    app = create_app(settings, engine=committed_engine, check_migrations=False, run_worker=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://app.test", timeout=120) as client:
        headers = [await sign_in(client, p) for p in patients] * (CLIENTS // PATIENTS)
        assert len(headers) == CLIENTS
        for round_no in range(ROUNDS):
            at = MONDAY_9_BOISE + timedelta(hours=round_no)
            vt = free if round_no % 2 == 0 else paid
            body = {"visit_type_id": str(vt.id), "psychiatrist_id": str(doc.id), "starts_at": at.isoformat()}
            responses = await asyncio.wait_for(
                asyncio.gather(*(client.post("/api/bookings", json=body, headers=h) for h in headers)), timeout=180
            )
            statuses = collections.Counter(r.status_code for r in responses)
            assert statuses == {201: 1, 409: CLIENTS - 1}, (
                round_no,
                statuses,
                [r.text for r in responses if r.status_code >= 500][:3],
            )
            losers = [r.json() for r in responses if r.status_code == 409]
            assert {p["title"] for p in losers} == {"This time was just taken"}
            async with maker() as s:
                holding = await s.scalar(
                    select(func.count())
                    .select_from(Booking)
                    .where(Booking.starts_at == at, Booking.status.in_(("held", "confirmed")))
                )
            assert holding == 1


async def test_two_workers_turn_each_due_reminder_into_exactly_one_email(
    committed_engine: AsyncEngine, settings: Settings, smtp: SmtpSink
) -> None:
    clock.freeze(NOW)
    maker = make_sessionmaker(committed_engine)
    async with maker() as s:
        doc = await create_psychiatrist(s, settings, hours=[(d, time(9), time(12)) for d in range(7)], step_minutes=30)
        vt = await create_visit_type(s, name="Infusion check-in", price_cents=0, is_infusion=True)
        patients = [await create_patient(s, state="ID", time_zone="America/Boise") for _ in range(3)]
        for i, p in enumerate(patients):
            ctx = RequestContext(request_id=f"t{i}", actor=Actor(p.id, Role.patient))
            assert ctx.actor
            await booking_flows.book(
                s,
                ctx,
                settings,
                ctx.actor,
                visit_type_id=vt.id,
                psychiatrist_id=doc.id,
                starts_at=MONDAY_9_BOISE + timedelta(minutes=30 * i),
            )
        await s.commit()
    await deliver_due(settings, maker)  # the confirmations
    assert await run_due_jobs(settings, maker) == 0  # nothing due yet

    clock.freeze(MONDAY_9_BOISE - timedelta(minutes=59))  # both reminders of the 09:00 visit are due
    counts = await asyncio.wait_for(
        asyncio.gather(run_due_jobs(settings, maker), run_due_jobs(settings, maker), run_due_jobs(settings, maker)),
        timeout=60,
    )
    assert sum(counts) == 4  # the three 24-hour reminders and the 09:00 visit's 1-hour one
    assert await run_due_jobs(settings, maker) == 0
    async with maker() as s:
        queued = await s.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == "booking_reminder")
        )
        assert queued == 4
        statuses = (await s.scalars(select(BookingReminder.status))).all()
        assert collections.Counter(statuses) == {"enqueued": 4, "pending": 2}
    await asyncio.gather(deliver_due(settings, maker), deliver_due(settings, maker))
    mails = [m for m in smtp.to(patients[0].email) if m.subject.startswith("Reminder")]
    assert sorted(m.subject for m in mails) == [
        "Reminder: your Infusion check-in is in 1 day",
        "Reminder: your Infusion check-in is in 1 hour",
    ]
    for m in mails:
        assert "http://app.test/visits/" in m.text
        assert "Arrange a driver" in m.text
