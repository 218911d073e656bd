"""Booking: holds, confirmation, reschedule, cancellation policy, no-show, access, e-mail with .ics."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import icalendar
import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.api.config import Settings
from services.api.notifications.models import OutboxMessage
from services.api.patients.models import CareTeamMember
from services.api.scheduling.flows import HoldExpired, booking_flows
from services.api.scheduling.models import Booking, BookingReminder, VisitType
from services.common.clock import clock, utcnow
from tests.api.scheduling.factories import create_psychiatrist, create_visit_type
from tests.factories import Account, create_patient, create_staff, deliver_mail, sign_in
from tests.support.mail import ReceivedMail, SmtpSink

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)  # a Sunday, a week before the spring DST change
MONDAY_9_BOISE = datetime(2026, 3, 9, 9, tzinfo=ZoneInfo("America/Boise"))  # 15:00 UTC (MDT)


@dataclass
class World:
    doc: Account
    patient: Account
    free: VisitType
    paid: VisitType
    h: dict[str, str]


@pytest.fixture
async def world(client: httpx.AsyncClient, session: AsyncSession, settings: Settings) -> World:
    clock.freeze(NOW)
    doc = await create_psychiatrist(
        session, settings, hours=[(d, time(9), time(12)) for d in range(7)], step_minutes=30
    )
    free = await create_visit_type(session, name="Free Consult", duration_minutes=15, price_cents=0)
    paid = await create_visit_type(session, name="Follow-up", duration_minutes=30, price_cents=15000)
    patient = await create_patient(session, state="ID", time_zone="America/Los_Angeles")
    return World(doc, patient, free, paid, await sign_in(client, patient))


async def book(
    client: httpx.AsyncClient, h: dict[str, str], vt: VisitType, doc: Account, at: datetime
) -> httpx.Response:
    body = {"visit_type_id": str(vt.id), "psychiatrist_id": str(doc.id), "starts_at": at.isoformat()}
    return await client.post("/api/bookings", json=body, headers=h)


def calendar_of(mail: ReceivedMail) -> icalendar.Calendar:
    parts = [p for p in mail.message.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1, f"expected one .ics in {mail.subject!r}"
    return icalendar.Calendar.from_ical(parts[0].get_content())


async def mails_to(
    smtp: SmtpSink, settings: Settings, maker: async_sessionmaker[AsyncSession], account: Account
) -> list[ReceivedMail]:
    await deliver_mail(settings, maker)
    return smtp.to(account.email)


async def test_a_free_consult_confirms_at_once_joins_the_care_team_and_mails_an_ics_in_the_patients_zone(
    client: httpx.AsyncClient,
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    smtp: SmtpSink,
    world: World,
) -> None:
    r = await book(client, world.h, world.free, world.doc, MONDAY_9_BOISE)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["status"] == "confirmed"
    assert body["time_zone"] == "America/Los_Angeles"
    assert body["starts_at"] == "2026-03-09T08:00:00-07:00"  # 09:00 Mountain shown as 08:00 Pacific
    assert body["join_url"] == f"http://app.test/visits/{body['id']}"
    assert body["hold_expires_at"] is None
    member = await session.scalar(
        select(CareTeamMember).where(
            CareTeamMember.patient_id == world.patient.id, CareTeamMember.psychiatrist_id == world.doc.id
        )
    )
    assert member is not None
    assert member.reason == "booking"

    [mail] = await mails_to(smtp, settings, sessionmaker, world.patient)
    assert "Free Consult" in mail.subject
    assert "Monday, March 9, 2026, 8:00 AM PDT (America/Los_Angeles)" in mail.text
    assert body["join_url"] in mail.text
    cal = calendar_of(mail)
    assert cal["METHOD"] == "REQUEST"
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["America/Los_Angeles"]
    [event] = cal.walk("VEVENT")
    start = event.decoded("DTSTART")
    assert start.tzinfo.key == "America/Los_Angeles"  # type: ignore[union-attr]
    assert start == MONDAY_9_BOISE
    assert start.hour == 8
    assert event.decoded("DTEND") - start == timedelta(minutes=15)
    assert str(event["UID"]) == f"{body['id']}@halcyon"
    assert int(event["SEQUENCE"]) == 0
    reminders = (
        await session.scalars(select(BookingReminder).where(BookingReminder.booking_id == uuid.UUID(body["id"])))
    ).all()
    assert sorted(r.offset_minutes for r in reminders) == [60, 1440]


async def test_a_paid_visit_is_held_and_an_expired_hold_frees_the_time_without_any_job(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings, world: World
) -> None:
    other = await create_patient(session, state="ID", time_zone="America/Boise")
    other_h = await sign_in(client, other)
    r = await book(client, world.h, world.paid, world.doc, MONDAY_9_BOISE)
    assert r.status_code == 201, r.text
    held = r.json()
    assert held["status"] == "held"
    assert held["join_url"] is None
    assert datetime.fromisoformat(held["hold_expires_at"]) == NOW + timedelta(minutes=settings.booking_hold_minutes)
    r = await book(client, other_h, world.paid, world.doc, MONDAY_9_BOISE)
    assert r.status_code == 409
    assert r.json()["title"] == "This time was just taken"
    assert r.json()["type"].endswith("/slot-taken")
    # The buffer-free overlap: a 30-minute visit at 09:15 would overlap too.
    r = await book(client, other_h, world.paid, world.doc, MONDAY_9_BOISE + timedelta(minutes=-15))
    assert r.status_code in (409, 422)

    clock.freeze(NOW + timedelta(minutes=settings.booking_hold_minutes, seconds=1))
    other_h = await sign_in(client, other)
    slots = await client.get(
        "/api/scheduling/slots",
        params={"visit_type_id": str(world.paid.id), "from": "2026-03-09", "to": "2026-03-09"},
        headers=other_h,
    )
    assert MONDAY_9_BOISE in [datetime.fromisoformat(s["starts_at"]) for s in slots.json()["slots"]]
    r = await book(client, other_h, world.paid, world.doc, MONDAY_9_BOISE)
    assert r.status_code == 201, r.text
    first = await session.get(Booking, uuid.UUID(held["id"]))
    assert first is not None
    await session.refresh(first)
    assert first.status == "expired"


async def test_payment_confirms_a_hold_even_late_unless_the_time_was_taken(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings, world: World
) -> None:
    r = await book(client, world.h, world.paid, world.doc, MONDAY_9_BOISE)
    late = await book(client, world.h, world.paid, world.doc, MONDAY_9_BOISE + timedelta(hours=1))
    assert r.status_code == 201
    assert late.status_code == 201
    clock.freeze(NOW + timedelta(minutes=30))  # both holds have lapsed
    booking = await booking_flows.confirm_hold(session, None, settings, uuid.UUID(r.json()["id"]))
    assert booking.status == "confirmed"
    assert booking.hold_expires_at is None
    other = await create_patient(session, state="ID", time_zone="America/Boise")
    taken = await book(client, await sign_in(client, other), world.paid, world.doc, MONDAY_9_BOISE + timedelta(hours=1))
    assert taken.status_code == 201, taken.text
    with pytest.raises(HoldExpired):
        await booking_flows.confirm_hold(session, None, settings, uuid.UUID(late.json()["id"]))


async def test_bad_bookings_get_a_4xx_naming_the_problem_and_write_nothing(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings, world: World
) -> None:
    ut_only = await create_psychiatrist(session, settings, licenses={"UT": date(2030, 1, 1)})
    returning = await create_visit_type(session, eligibility="established", price_cents=0)
    count = select(func.count()).select_from(Booking)
    mail_count = select(func.count()).select_from(OutboxMessage)
    before = (await session.scalar(count), await session.scalar(mail_count))
    cases: list[tuple[Any, Account, datetime, int, str]] = [
        (world.free, world.doc, NOW - timedelta(days=1), 422, "slot-in-past"),
        (world.free, world.doc, NOW + timedelta(minutes=30), 422, "slot-too-soon"),
        (world.free, world.doc, MONDAY_9_BOISE + timedelta(days=120), 422, "slot-beyond-horizon"),
        (world.free, world.doc, MONDAY_9_BOISE + timedelta(minutes=7), 422, "not-an-open-time"),
        (world.free, world.doc, MONDAY_9_BOISE + timedelta(hours=5), 422, "not-an-open-time"),
        (world.free, ut_only, MONDAY_9_BOISE, 422, "not-licensed-in-state"),
        (returning, world.doc, MONDAY_9_BOISE, 403, "visit-type-not-allowed"),
    ]
    for vt, doc, at, status, slug in cases:
        r = await book(client, world.h, vt, doc, at)
        assert r.status_code == status, (slug, r.text)
        assert r.json()["type"].endswith(f"/{slug}"), (slug, r.text)
        assert r.json()["detail"]
    r = await client.post(
        "/api/bookings",
        json={
            "visit_type_id": str(world.free.id),
            "psychiatrist_id": str(world.doc.id),
            "starts_at": "2026-03-09T09:00:00",
        },
        headers=world.h,
    )
    assert r.status_code == 422  # a time without a zone is refused
    r = await client.post(
        "/api/bookings",
        json={
            "visit_type_id": str(uuid.uuid4()),
            "psychiatrist_id": str(world.doc.id),
            "starts_at": MONDAY_9_BOISE.isoformat(),
        },
        headers=world.h,
    )
    assert r.status_code == 404
    assert r.json()["type"].endswith("/visit-type-not-found")
    assert (await session.scalar(count), await session.scalar(mail_count)) == before


async def test_visits_needing_intake_or_consents_are_refused_until_they_are_done(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    needs_intake = await create_visit_type(session, price_cents=0, requires_intake=True)
    r = await book(client, world.h, needs_intake, world.doc, MONDAY_9_BOISE)
    assert r.status_code == 409, r.text
    assert r.json()["type"].endswith("/intake-incomplete")
    needs_consents = await create_visit_type(session, price_cents=0, requires_consents=True)
    r = await book(client, world.h, needs_consents, world.doc, MONDAY_9_BOISE)
    assert r.status_code == 409, r.text
    assert r.json()["type"].endswith("/consents-unsigned")
    assert "telehealth" in r.json()["detail"]
    assert await session.scalar(select(func.count()).select_from(Booking)) == 0


async def test_reschedule_moves_the_same_booking_and_mails_an_updated_ics(
    client: httpx.AsyncClient,
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    smtp: SmtpSink,
    world: World,
) -> None:
    r = await book(client, world.h, world.free, world.doc, MONDAY_9_BOISE)
    booking_id = r.json()["id"]
    new_time = MONDAY_9_BOISE + timedelta(days=1, hours=2)
    r = await client.post(
        f"/api/bookings/{booking_id}/reschedule", json={"starts_at": new_time.isoformat()}, headers=world.h
    )
    assert r.status_code == 200, r.text
    assert r.json()["id"] == booking_id
    assert datetime.fromisoformat(r.json()["starts_at"]) == new_time
    # The old time is free again, the new one taken.
    other = await create_patient(session, state="ID", time_zone="America/Boise")
    other_h = await sign_in(client, other)
    assert (await book(client, other_h, world.free, world.doc, MONDAY_9_BOISE)).status_code == 201
    assert (await book(client, other_h, world.free, world.doc, new_time)).status_code == 409
    mails = await mails_to(smtp, settings, sessionmaker, world.patient)
    moved = [m for m in mails if "new time" in m.subject]
    assert len(moved) == 1
    [event] = calendar_of(moved[0]).walk("VEVENT")
    assert event.decoded("DTSTART") == new_time
    assert int(event["SEQUENCE"]) == 1
    assert str(event["UID"]) == f"{booking_id}@halcyon"
    reminders = (
        await session.scalars(select(BookingReminder).where(BookingReminder.booking_id == uuid.UUID(booking_id)))
    ).all()
    assert {r.due_at for r in reminders} == {new_time - timedelta(hours=24), new_time - timedelta(hours=1)}


async def test_patient_cancellation_refunds_in_full_24_hours_ahead_and_keeps_the_fee_later(
    client: httpx.AsyncClient,
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    smtp: SmtpSink,
    world: World,
) -> None:
    early = await book(client, world.h, world.paid, world.doc, MONDAY_9_BOISE)
    late = await book(client, world.h, world.paid, world.doc, MONDAY_9_BOISE + timedelta(days=1))
    for r in (early, late):
        await booking_flows.confirm_hold(session, None, settings, uuid.UUID(r.json()["id"]))
    await session.commit()
    r = await client.get(f"/api/bookings/{early.json()['id']}", headers=world.h)
    policy = r.json()["cancellation_policy"]
    assert policy["full_refund"] is True
    assert policy["refund_cents"] == 15000
    assert policy["reason"] == "notice_met"
    assert datetime.fromisoformat(policy["full_refund_until"]) == MONDAY_9_BOISE - timedelta(hours=24)
    r = await client.post(f"/api/bookings/{early.json()['id']}/cancel", json={}, headers=world.h)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "cancelled"
    assert r.json()["cancellation"]["refund_cents"] == 15000
    assert r.json()["cancellation"]["fee_cents"] == 0

    clock.freeze(MONDAY_9_BOISE + timedelta(days=1) - timedelta(hours=23))
    h = await sign_in(client, world.patient)
    r = await client.get(f"/api/bookings/{late.json()['id']}", headers=h)
    policy = r.json()["cancellation_policy"]
    assert policy["full_refund"] is False
    assert policy["reason"] == "late_cancellation"
    assert policy["fee_cents"] == settings.cancellation_fee_cents
    assert policy["refund_cents"] == 15000 - settings.cancellation_fee_cents
    r = await client.post(f"/api/bookings/{late.json()['id']}/cancel", json={"reason": "Sick"}, headers=h)
    assert r.json()["cancellation"]["refund_cents"] == 15000 - settings.cancellation_fee_cents
    assert r.json()["cancellation_policy"] is None
    again = await client.post(f"/api/bookings/{late.json()['id']}/cancel", json={}, headers=h)
    assert again.status_code == 409
    assert again.json()["type"].endswith("/booking-closed")
    cancelled = [m for m in await mails_to(smtp, settings, sessionmaker, world.patient) if "cancelled" in m.subject]
    assert len(cancelled) == 2
    cal = calendar_of(cancelled[0])
    assert cal["METHOD"] == "CANCEL"
    assert cal.walk("VEVENT")[0]["STATUS"] == "CANCELLED"
    assert "fee" in cancelled[1].text
    pending = await session.scalar(
        select(func.count()).select_from(BookingReminder).where(BookingReminder.status == "pending")
    )
    assert pending == 0


async def test_staff_cancellation_always_refunds_in_full_and_no_show_needs_the_start_to_pass(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings, world: World
) -> None:
    first = await book(client, world.h, world.paid, world.doc, MONDAY_9_BOISE)
    second = await book(client, world.h, world.paid, world.doc, MONDAY_9_BOISE + timedelta(days=1))
    for r in (first, second):
        await booking_flows.confirm_hold(session, None, settings, uuid.UUID(r.json()["id"]))
    await session.commit()
    clock.freeze(MONDAY_9_BOISE - timedelta(hours=2))
    doc_h = await sign_in(client, world.doc)
    r = await client.post(f"/api/bookings/{first.json()['id']}/cancel", json={}, headers=doc_h)
    assert r.status_code == 200, r.text
    assert r.json()["cancellation"] | {"full_refund_until": None} == {
        "by": "staff",
        "full_refund": True,
        "refund_cents": 15000,
        "fee_cents": 0,
        "currency": "usd",
        "full_refund_until": None,
        "reason": "cancelled_by_practice",
    }
    assert r.json()["time_zone"] == "America/Boise"  # shown in the psychiatrist's zone
    r = await client.post(f"/api/bookings/{second.json()['id']}/no-show", headers=doc_h)
    assert r.status_code == 409
    assert r.json()["type"].endswith("/visit-not-started")
    clock.freeze(MONDAY_9_BOISE + timedelta(days=1, minutes=10))
    doc_h = await sign_in(client, world.doc)
    r = await client.post(f"/api/bookings/{second.json()['id']}/no-show", headers=doc_h)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "no_show"
    assert r.json()["no_show_at"]


async def test_other_patients_get_404_and_other_psychiatrists_403(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings, world: World
) -> None:
    r = await book(client, world.h, world.free, world.doc, MONDAY_9_BOISE)
    booking_id = r.json()["id"]
    stranger = await create_patient(session)
    other_doc = await create_psychiatrist(session, settings)
    admin = await create_staff(session, settings, role="admin")
    sh = await sign_in(client, stranger)
    for method, path, body in [
        ("GET", "", None),
        ("POST", "/cancel", {}),
        ("POST", "/reschedule", {"starts_at": MONDAY_9_BOISE.isoformat()}),
    ]:
        r = await client.request(method, f"/api/bookings/{booking_id}{path}", json=body, headers=sh)
        assert r.status_code == 404, (path, r.text)
    dh = await sign_in(client, other_doc)
    assert (await client.get(f"/api/bookings/{booking_id}", headers=dh)).status_code == 403
    assert (await client.post(f"/api/bookings/{booking_id}/cancel", json={}, headers=dh)).status_code == 403
    listed = await client.get("/api/bookings", headers=sh)
    assert listed.json()["total"] == 0
    ah = await sign_in(client, admin)
    assert (await client.get(f"/api/bookings/{booking_id}", headers=ah)).json()["time_zone"] == "UTC"
    mine = await client.get("/api/bookings", headers=world.h)
    assert [b["id"] for b in mine.json()["items"]] == [booking_id]


async def test_spanish_patients_get_spanish_mail_with_pre_infusion_instructions(
    client: httpx.AsyncClient,
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    smtp: SmtpSink,
    world: World,
) -> None:
    infusion = await create_visit_type(session, name="Infusion check-in", price_cents=0, is_infusion=True)
    ana = await create_patient(session, state="ID", time_zone="America/Boise", language="es")
    r = await book(client, await sign_in(client, ana), infusion, world.doc, MONDAY_9_BOISE)
    assert r.status_code == 201, r.text
    [mail] = await mails_to(smtp, settings, sessionmaker, ana)
    assert mail.subject.startswith("Su Infusion check-in (es)")
    assert "lunes, 9 de marzo de 2026, 09:00 MDT (America/Boise)" in mail.text
    assert "Ayuno" in mail.text
    assert "Transporte" in mail.text
    [event] = calendar_of(mail).walk("VEVENT")
    assert event.decoded("DTSTART").tzinfo.key == "America/Boise"


async def flush_in_savepoint(session: AsyncSession, change: Callable[[], None]) -> None:
    async with session.begin_nested():
        change()
        await session.flush()


async def test_the_database_itself_refuses_overlapping_bookings(
    session: AsyncSession, settings: Settings, world: World
) -> None:
    """The guarantee does not rest on the service's check: rows written directly are refused too."""

    def row(start: datetime, minutes: int, status: str = "confirmed") -> Booking:
        return Booking(
            patient_id=world.patient.id,
            psychiatrist_id=world.doc.id,
            visit_type_id=world.paid.id,
            starts_at=start,
            ends_at=start + timedelta(minutes=minutes),
            blocked_until=start + timedelta(minutes=minutes),
            status=status,
            price_cents=0,
            currency="usd",
            sequence=0,
            created_at=utcnow(),
        )

    session.add(row(MONDAY_9_BOISE, 30))
    await session.commit()
    for clash in (
        row(MONDAY_9_BOISE + timedelta(minutes=15), 30, "held"),
        row(MONDAY_9_BOISE - timedelta(minutes=10), 15),
    ):
        with pytest.raises(IntegrityError, match="ex_bookings_no_overlap"):
            await flush_in_savepoint(session, lambda c=clash: session.add(c))  # type: ignore[misc]
    # Touching ranges and rows that no longer hold time do not clash.
    session.add(row(MONDAY_9_BOISE + timedelta(minutes=30), 30))
    session.add(row(MONDAY_9_BOISE, 30, "cancelled"))
    await session.commit()
    moved = row(MONDAY_9_BOISE + timedelta(hours=2), 30)
    session.add(moved)
    await session.commit()

    def move() -> None:
        moved.starts_at = MONDAY_9_BOISE + timedelta(minutes=20)
        moved.ends_at = moved.blocked_until = MONDAY_9_BOISE + timedelta(minutes=50)

    with pytest.raises(IntegrityError, match="ex_bookings_no_overlap"):
        await flush_in_savepoint(session, move)
