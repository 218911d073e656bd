"""Slot search: zoneinfo expansion across DST, zones, overrides, licences, languages, bad input."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.audit.models import AuditEntry
from services.api.config import Settings
from services.api.scheduling.models import TimeOff
from services.api.scheduling.slots import Span, Window, expand
from services.common.clock import clock, utcnow
from tests.api.scheduling.factories import create_override, create_psychiatrist, create_visit_type
from tests.factories import create_patient, sign_in

ALL_DAYS_9_TO_12 = [(d, time(9), time(12)) for d in range(7)]


async def search(client: httpx.AsyncClient, headers: dict[str, str], **params: Any) -> httpx.Response:
    params = {k.rstrip("_"): str(v) for k, v in params.items()}
    return await client.get("/api/scheduling/slots", params=params, headers=headers)


def starts(r: httpx.Response) -> list[datetime]:
    assert r.status_code == 200, r.text
    return [datetime.fromisoformat(s["starts_at"]) for s in r.json()["slots"]]


async def test_spring_forward_keeps_local_hours_and_moves_utc(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    clock.freeze(datetime(2026, 3, 1, 12, tzinfo=UTC))
    await create_psychiatrist(session, settings, hours=ALL_DAYS_9_TO_12, step_minutes=60)
    vt = await create_visit_type(session, duration_minutes=60)
    patient = await create_patient(session, state="ID", time_zone="America/Boise")
    h = await sign_in(client, patient)
    found = starts(await search(client, h, visit_type_id=vt.id, from_="2026-03-07", to="2026-03-09"))
    by_day: dict[date, list[datetime]] = {}
    for s in found:
        by_day.setdefault(s.date(), []).append(s)
    assert sorted(by_day) == [date(2026, 3, 7), date(2026, 3, 8), date(2026, 3, 9)]
    for day in by_day.values():
        assert [s.hour for s in day] == [9, 10, 11]  # 09:00 is 09:00 local on both sides of the change
    assert by_day[date(2026, 3, 7)][0].utcoffset() == timedelta(hours=-7)  # MST
    assert by_day[date(2026, 3, 8)][0].utcoffset() == timedelta(hours=-6)  # MDT from 2026-03-08
    assert by_day[date(2026, 3, 7)][0].astimezone(UTC).hour == 16
    assert by_day[date(2026, 3, 8)][0].astimezone(UTC).hour == 15


async def test_an_override_across_the_spring_gap_offers_only_real_hours(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    clock.freeze(datetime(2026, 3, 1, 12, tzinfo=UTC))
    doc = await create_psychiatrist(session, settings, hours=ALL_DAYS_9_TO_12, step_minutes=60)
    # The override replaces the weekly 09:00-12:00 on that day: 00:00-04:00 local has 3 real hours.
    await create_override(session, psychiatrist_id=doc.id, on_date=date(2026, 3, 8), windows=[("00:00", "04:00")])
    vt = await create_visit_type(session, duration_minutes=60)
    patient = await create_patient(session, state="ID", time_zone="America/Boise")
    h = await sign_in(client, patient)
    found = starts(await search(client, h, visit_type_id=vt.id, from_="2026-03-08", to="2026-03-08"))
    assert [(s.hour, s.utcoffset()) for s in found] == [
        (0, timedelta(hours=-7)),
        (1, timedelta(hours=-7)),
        (3, timedelta(hours=-6)),  # 02:00-03:00 does not exist that night
    ]
    assert [s.astimezone(UTC).hour for s in found] == [7, 8, 9]  # back to back, each a real hour


async def test_fall_back_offers_the_repeated_hour_twice(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    clock.freeze(datetime(2026, 10, 25, 12, tzinfo=UTC))
    doc = await create_psychiatrist(session, settings, hours=[], step_minutes=60)
    await create_override(session, psychiatrist_id=doc.id, on_date=date(2026, 11, 1), windows=[("00:00", "04:00")])
    vt = await create_visit_type(session, duration_minutes=60)
    patient = await create_patient(session, state="ID", time_zone="America/Boise")
    h = await sign_in(client, patient)
    found = starts(await search(client, h, visit_type_id=vt.id, from_="2026-11-01", to="2026-11-01"))
    assert [(s.hour, int(s.utcoffset().total_seconds() // 3600)) for s in found] == [  # type: ignore[union-attr]
        (0, -6),
        (1, -6),
        (1, -7),  # 01:00 happens twice on 2026-11-01: two different instants
        (2, -7),
        (3, -7),
    ]
    assert [s.astimezone(UTC).hour for s in found] == [6, 7, 8, 9, 10]


async def test_boise_psychiatrist_shows_pacific_times_to_a_patient_in_north_idaho(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    clock.freeze(datetime(2026, 3, 1, 12, tzinfo=UTC))
    doc = await create_psychiatrist(
        session, settings, time_zone="America/Boise", hours=ALL_DAYS_9_TO_12, step_minutes=60
    )
    vt = await create_visit_type(session, duration_minutes=60)
    # Idaho spans two zones: this patient is in Idaho (licensure) but on Pacific time.
    patient = await create_patient(session, state="ID", time_zone="America/Los_Angeles")
    h = await sign_in(client, patient)
    r = await search(client, h, visit_type_id=vt.id, from_="2026-03-06", to="2026-03-09")
    assert r.json()["time_zone"] == "America/Los_Angeles"
    found = starts(r)
    assert {s.hour for s in found} == {8, 9, 10}  # 09:00-11:00 Mountain is 08:00-10:00 Pacific
    assert {str(s.date()) for s in found} == {"2026-03-06", "2026-03-07", "2026-03-08", "2026-03-09"}
    before = next(s for s in found if s.date() == date(2026, 3, 7))
    after = next(s for s in found if s.date() == date(2026, 3, 8))
    assert before.utcoffset() == timedelta(hours=-8)
    assert after.utcoffset() == timedelta(hours=-7)
    assert {s["psychiatrist_id"] for s in r.json()["slots"]} == {str(doc.id)}


async def test_the_patients_date_range_is_read_in_the_patients_zone(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    clock.freeze(datetime(2026, 3, 1, 12, tzinfo=UTC))
    # 17:00-19:00 in New York is 22:00-24:00 UTC and 14:00-16:00 in Los Angeles.
    await create_psychiatrist(
        session,
        settings,
        time_zone="America/New_York",
        licenses={"CA": date(2030, 1, 1)},
        hours=[(d, time(17), time(19)) for d in range(7)],
        step_minutes=60,
    )
    vt = await create_visit_type(session, duration_minutes=60)
    patient = await create_patient(session, state="CA", time_zone="America/Los_Angeles")
    h = await sign_in(client, patient)
    found = starts(await search(client, h, visit_type_id=vt.id, from_="2026-03-04", to="2026-03-04"))
    assert [(s.date(), s.hour) for s in found] == [(date(2026, 3, 4), 14), (date(2026, 3, 4), 15)]


async def test_an_override_without_windows_closes_the_day_and_time_off_blocks_hours(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    clock.freeze(datetime(2026, 3, 1, 12, tzinfo=UTC))
    doc = await create_psychiatrist(session, settings, hours=ALL_DAYS_9_TO_12, step_minutes=60)
    await create_override(session, psychiatrist_id=doc.id, on_date=date(2026, 3, 4), windows=[])
    await create_override(session, psychiatrist_id=doc.id, on_date=date(2026, 3, 5), windows=[("14:00", "16:00")])
    # Time off 09:30-10:30 local on 2026-03-06 (MST, UTC-7) removes the 09:00 and 10:00 starts.
    session.add(
        TimeOff(
            psychiatrist_id=doc.id,
            starts_at=datetime(2026, 3, 6, 16, 30, tzinfo=UTC),
            ends_at=datetime(2026, 3, 6, 17, 30, tzinfo=UTC),
            created_at=utcnow(),
        )
    )
    await session.commit()
    vt = await create_visit_type(session, duration_minutes=60)
    patient = await create_patient(session, state="ID", time_zone="America/Boise")
    h = await sign_in(client, patient)
    found = starts(await search(client, h, visit_type_id=vt.id, from_="2026-03-04", to="2026-03-06"))
    assert [(s.day, s.hour) for s in found] == [(5, 14), (5, 15), (6, 11)]


async def test_only_psychiatrists_licensed_in_the_patients_state_until_expiry_and_by_language(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    clock.freeze(datetime(2026, 3, 1, 12, tzinfo=UTC))
    hours = ALL_DAYS_9_TO_12
    spanish = await create_psychiatrist(session, settings, hours=hours, step_minutes=60, languages=["en", "es"])
    expiring = await create_psychiatrist(
        session, settings, hours=hours, step_minutes=60, licenses={"ID": date(2026, 3, 3)}
    )
    await create_psychiatrist(session, settings, hours=hours, step_minutes=60, licenses={"ID": date(2026, 2, 1)})
    await create_psychiatrist(session, settings, hours=hours, step_minutes=60, licenses={"UT": date(2030, 1, 1)})
    vt = await create_visit_type(session, duration_minutes=60)
    patient = await create_patient(session, state="ID", time_zone="America/Boise")
    h = await sign_in(client, patient)
    r = await search(client, h, visit_type_id=vt.id, from_="2026-03-02", to="2026-03-05")
    by_doc: dict[str, set[int]] = {}
    for s in r.json()["slots"]:
        by_doc.setdefault(s["psychiatrist_id"], set()).add(datetime.fromisoformat(s["starts_at"]).day)
    assert by_doc == {str(spanish.id): {2, 3, 4, 5}, str(expiring.id): {2, 3}}  # expired and UT-only: none
    r = await search(client, h, visit_type_id=vt.id, from_="2026-03-02", to="2026-03-05", language="es")
    assert {s["psychiatrist_id"] for s in r.json()["slots"]} == {str(spanish.id)}


async def test_minimum_notice_and_horizon_bound_the_offered_times(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    clock.freeze(datetime(2026, 3, 2, 16, 30, tzinfo=UTC))  # 09:30 in Boise
    await create_psychiatrist(session, settings, hours=ALL_DAYS_9_TO_12, step_minutes=60, min_notice_minutes=60)
    vt = await create_visit_type(session, duration_minutes=60)
    patient = await create_patient(session, state="ID", time_zone="America/Boise")
    h = await sign_in(client, patient)
    found = starts(await search(client, h, visit_type_id=vt.id, from_="2026-03-02", to="2026-03-02"))
    assert [s.hour for s in found] == [11]  # 10:00 is within the hour of notice
    last_day = (utcnow() + timedelta(days=settings.booking_horizon_days + 1)).date()
    found = starts(await search(client, h, visit_type_id=vt.id, from_=last_day - timedelta(days=3), to=last_day))
    assert found
    assert max(found) <= utcnow() + timedelta(days=settings.booking_horizon_days)
    assert max(found).date() < last_day


async def test_bad_searches_get_a_4xx_naming_the_problem_and_write_nothing(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    clock.freeze(datetime(2026, 3, 1, 12, tzinfo=UTC))
    ut_only = await create_psychiatrist(session, settings, licenses={"UT": date(2030, 1, 1)})
    vt = await create_visit_type(session)
    new_only = await create_visit_type(session, eligibility="established")
    patient = await create_patient(session, state="ID", time_zone="America/Boise")
    h = await sign_in(client, patient)
    audit_rows = await session.scalar(select(func.count()).select_from(AuditEntry))

    r = await search(client, h, visit_type_id=vt.id, from_="2026-03-09", to="2026-03-08")
    assert r.status_code == 422, r.text
    assert r.json()["type"].endswith("/end-before-start")
    r = await search(client, h, visit_type_id=vt.id, from_="2026-03-01", to="2026-05-01")
    assert r.status_code == 422
    assert r.json()["type"].endswith("/range-too-long")
    r = await search(client, h, visit_type_id=vt.id, from_="2026-03-02", to="2026-03-03", psychiatrist_id=ut_only.id)
    assert r.status_code == 422
    assert r.json()["type"].endswith("/not-licensed-in-state")
    assert "ID" in r.json()["detail"]
    r = await search(client, h, visit_type_id=new_only.id, from_="2026-03-02", to="2026-03-03")
    assert r.status_code == 403
    assert r.json()["type"].endswith("/visit-type-not-allowed")
    r = await search(
        client, h, visit_type_id="00000000-0000-0000-0000-000000000000", from_="2026-03-02", to="2026-03-03"
    )
    assert r.status_code == 404
    assert r.json()["type"].endswith("/visit-type-not-found")
    r = await search(client, h, visit_type_id=vt.id, from_="2026-02-30", to="2026-03-03")
    assert r.status_code == 422
    assert await session.scalar(select(func.count()).select_from(AuditEntry)) == audit_rows


def test_checking_a_narrow_range_offers_exactly_what_the_full_expansion_offers_there() -> None:
    """Booking expands only an hour either side of the asked time; the jump to that range must
    land on the same grid as stepping from the window's start, DST changes included."""
    zone = ZoneInfo("America/Boise")
    rules = [(d, Window(time(0, 5), time(23, 50))) for d in range(7)]
    overrides = {date(2026, 3, 8): [Window(time(1, 10), time(4, 0)), Window(time(6, 0), time(21, 0))]}
    off = [Span(datetime(2026, 11, 1, 15, tzinfo=UTC), datetime(2026, 11, 1, 16, 20, tzinfo=UTC))]
    busy = [Span(datetime(2026, 3, 9, 17, 5, tzinfo=UTC), datetime(2026, 3, 9, 17, 50, tzinfo=UTC))]
    common: dict[str, Any] = {
        "zone": zone,
        "rules": rules,
        "overrides": overrides,
        "time_off": off,
        "busy": busy,
        "duration": timedelta(minutes=25),
        "buffer": timedelta(minutes=10),
        "step": timedelta(minutes=35),
        "earliest": datetime(2026, 1, 1, tzinfo=UTC),
        "latest": datetime(2027, 1, 1, tzinfo=UTC),
    }
    for day in (date(2026, 3, 7), date(2026, 3, 8), date(2026, 3, 9), date(2026, 10, 31), date(2026, 11, 1)):
        midnight = datetime.combine(day, time(0), tzinfo=zone)
        full = expand(**common, within=Span(midnight - timedelta(days=1), midnight + timedelta(days=2)))
        assert full, day
        for minute in range(0, 24 * 60, 20):
            t = midnight + timedelta(minutes=minute)
            narrow = Span(t - timedelta(hours=1), t + timedelta(hours=1))
            assert expand(**common, within=narrow) == [s for s in full if narrow.start <= s.start < narrow.end], t
