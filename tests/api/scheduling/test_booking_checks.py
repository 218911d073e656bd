"""What a booking checks against, read in few round trips: hours, overrides, time off, licence
expiry, buffers, the patient's own visits, unknown or retired visit types and psychiatrists."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.config import Settings
from services.api.scheduling.models import Booking, TimeOff
from services.common.clock import clock, utcnow
from tests.api.scheduling.factories import create_override, create_psychiatrist, create_visit_type
from tests.factories import Account, create_patient, sign_in

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
BOISE = ZoneInfo("America/Boise")
MONDAY = date(2026, 3, 9)
TUESDAY = date(2026, 3, 10)
NINE_TO_NOON = [(d, time(9), time(12)) for d in range(7)]


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=BOISE)


async def book(
    client: httpx.AsyncClient, h: dict[str, str], vt_id: uuid.UUID, doc_id: uuid.UUID, when: datetime
) -> httpx.Response:
    body = {"visit_type_id": str(vt_id), "psychiatrist_id": str(doc_id), "starts_at": when.isoformat()}
    return await client.post("/api/bookings", json=body, headers=h)


def problem(r: httpx.Response) -> str:
    return str(r.json()["type"]).rsplit("/", 1)[-1]


async def signed_in_patient(client: httpx.AsyncClient, session: AsyncSession) -> tuple[Account, dict[str, str]]:
    patient = await create_patient(session, state="ID", time_zone="America/Boise")
    return patient, await sign_in(client, patient)


async def test_an_override_and_time_off_decide_which_times_can_be_booked(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    clock.freeze(NOW)
    doc = await create_psychiatrist(session, settings, hours=NINE_TO_NOON, step_minutes=30)
    await create_override(session, psychiatrist_id=doc.id, on_date=MONDAY, windows=[("14:00", "16:00")])
    session.add(
        TimeOff(
            psychiatrist_id=doc.id,
            starts_at=at(TUESDAY, 10).astimezone(UTC),
            ends_at=at(TUESDAY, 11).astimezone(UTC),
            reason="dentist",
            created_at=utcnow(),
        )
    )
    await session.commit()
    vt = await create_visit_type(session, duration_minutes=30, price_cents=0)
    _, h = await signed_in_patient(client, session)

    refused = [at(MONDAY, 9), at(MONDAY, 15, 45), at(TUESDAY, 10), at(TUESDAY, 10, 30)]
    for when in refused:  # weekly hours replaced by the override; the end of its window; time off
        r = await book(client, h, vt.id, doc.id, when)
        assert (r.status_code, problem(r)) == (422, "not-an-open-time"), (when, r.text)
    for when in (at(MONDAY, 14), at(MONDAY, 15, 30), at(TUESDAY, 9, 30), at(TUESDAY, 11)):
        r = await book(client, h, vt.id, doc.id, when)
        assert r.status_code == 201, (when, r.text)
    assert await session.scalar(select(func.count()).select_from(Booking)) == 4


async def test_a_licence_expiring_before_the_visit_day_refuses_it(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    clock.freeze(NOW)
    doc = await create_psychiatrist(session, settings, hours=NINE_TO_NOON, licenses={"ID": MONDAY})
    vt = await create_visit_type(session, price_cents=0)
    _, h = await signed_in_patient(client, session)
    assert (await book(client, h, vt.id, doc.id, at(MONDAY, 11))).status_code == 201  # good through its last day
    r = await book(client, h, vt.id, doc.id, at(TUESDAY, 9))
    assert (r.status_code, problem(r)) == (422, "not-licensed-in-state"), r.text


async def test_the_buffer_blocks_the_next_time_and_a_patient_cannot_be_in_two_visits_at_once(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    clock.freeze(NOW)
    buffered = await create_psychiatrist(session, settings, hours=NINE_TO_NOON, step_minutes=30, buffer_minutes=15)
    other_doc = await create_psychiatrist(session, settings, hours=NINE_TO_NOON, step_minutes=30)
    vt = await create_visit_type(session, duration_minutes=30, price_cents=15000)
    _, first_h = await signed_in_patient(client, session)
    _, second_h = await signed_in_patient(client, session)

    assert (await book(client, first_h, vt.id, buffered.id, at(MONDAY, 9))).status_code == 201
    r = await book(client, second_h, vt.id, buffered.id, at(MONDAY, 9, 30))  # inside 09:00's 15-minute buffer
    assert (r.status_code, problem(r)) == (409, "slot-taken"), r.text
    assert (await book(client, second_h, vt.id, buffered.id, at(MONDAY, 10))).status_code == 201

    r = await book(client, first_h, vt.id, other_doc.id, at(MONDAY, 9))  # the first patient is busy then
    assert (r.status_code, problem(r)) == (409, "patient-already-booked"), r.text
    assert (await book(client, first_h, vt.id, other_doc.id, at(MONDAY, 9, 30))).status_code == 201


async def test_a_booking_moves_within_its_own_buffer(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    clock.freeze(NOW)
    doc = await create_psychiatrist(session, settings, hours=NINE_TO_NOON, step_minutes=30, buffer_minutes=15)
    vt = await create_visit_type(session, duration_minutes=30, price_cents=0)
    _, h = await signed_in_patient(client, session)
    r = await book(client, h, vt.id, doc.id, at(MONDAY, 9))
    assert r.status_code == 201, r.text
    moved = await client.post(
        f"/api/bookings/{r.json()['id']}/reschedule", json={"starts_at": at(MONDAY, 9, 30).isoformat()}, headers=h
    )
    assert moved.status_code == 200, moved.text  # its own old range is not in its way
    assert datetime.fromisoformat(moved.json()["starts_at"]) == at(MONDAY, 9, 30)


async def test_unknown_or_retired_visit_types_and_unknown_psychiatrists_get_404_and_write_nothing(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    clock.freeze(NOW)
    doc = await create_psychiatrist(session, settings, hours=NINE_TO_NOON)
    vt = await create_visit_type(session, price_cents=0)
    retired = await create_visit_type(session, price_cents=0, active=False)
    _, h = await signed_in_patient(client, session)
    cases = [
        (uuid.uuid4(), doc.id, "visit-type-not-found"),
        (retired.id, doc.id, "visit-type-not-found"),
        (vt.id, uuid.uuid4(), "psychiatrist-not-found"),
        (uuid.uuid4(), uuid.uuid4(), "visit-type-not-found"),  # the visit type is checked first
    ]
    for vt_id, doc_id, slug in cases:
        r = await book(client, h, vt_id, doc_id, at(MONDAY, 9))
        assert (r.status_code, problem(r)) == (404, slug), r.text
    assert await session.scalar(select(func.count()).select_from(Booking)) == 0
