"""Practice settings an admin changes in the app: what the admin sees, what is refused, what is
audited, and that patients meet the new values (cancellation refunds, crisis resources, holds)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import event, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from services.api.audit.models import AuditEntry
from services.api.config import Settings
from services.api.main import create_app
from services.api.practice.service import PracticeSettingsCache, practice_settings_service
from services.api.scheduling.flows import booking_flows
from services.api.scheduling.models import BookingReminder, VisitType
from services.common.clock import clock
from tests.api.scheduling.factories import create_psychiatrist, create_visit_type
from tests.factories import Account, create_patient, create_staff, sign_in

URL = "/api/admin/practice-settings"
NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
MONDAY_9_BOISE = datetime(2026, 3, 9, 9, tzinfo=ZoneInfo("America/Boise"))
NEW_TEXT = "Call the practice's 24-hour line, (208) 555-0199, or call or text 988. In danger: 911."
NEW_TEXT_ES = "Llame a la línea de 24 horas de la consulta, (208) 555-0199, o llame o escriba al 988."


@dataclass
class Admin:
    account: Account
    h: dict[str, str]


@pytest.fixture
async def admin(client: httpx.AsyncClient, session: AsyncSession, settings: Settings) -> Admin:
    account = await create_staff(session, settings, role="admin")
    return Admin(account, await sign_in(client, account))


def by_key(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["key"]: s for s in body["settings"]}


async def change(client: httpx.AsyncClient, admin: Admin, **values: Any) -> httpx.Response:
    return await client.patch(URL, json=values, headers=admin.h)


PHQ9_ITEM9 = {str(n): 0 for n in range(1, 9)} | {"9": 1}


# --- what the admin sees -----------------------------------------------------------------------
async def test_admin_sees_every_setting_with_its_default_limits_and_no_change_yet(
    client: httpx.AsyncClient, admin: Admin, settings: Settings
) -> None:
    r = await client.get(URL, headers=admin.h)
    assert r.status_code == 200, r.text
    found = by_key(r.json())
    assert {"cancellation_notice_hours", "crisis_resources_text_es", "infusion_dose_max_mg_per_kg"} <= set(found)
    notice = found["cancellation_notice_hours"]
    assert notice["value"] == notice["default"] == settings.cancellation_notice_hours
    assert notice["overridden"] is False
    assert notice["changed"] is None
    assert (notice["section"], notice["unit"], notice["kind"]) == ("cancellation", "hours", "integer")
    assert (notice["minimum"], notice["maximum"]) == (0, 24 * 14)
    dose = found["infusion_dose_min_mg_per_kg"]
    assert (dose["kind"], dose["minimum"], dose["exclusive_minimum"], dose["maximum"]) == ("number", 0, True, 5)
    text = found["crisis_resources_text"]
    assert text["value"] == settings.crisis_resources_text
    assert text["kind"] == "text"
    assert text["max_length"] == 2000
    assert [s["section"] for s in r.json()["settings"]][:2] == ["cancellation", "cancellation"]
    reminders = found["reminder_offsets_minutes"]
    assert (reminders["section"], reminders["kind"], reminders["unit"]) == ("booking", "integer_list", "minutes")
    assert reminders["value"] == reminders["default"] == [1440, 60]
    assert (reminders["minimum"], reminders["maximum"], reminders["max_items"]) == (5, 60 * 24 * 14, 5)


async def test_a_change_shows_who_made_it_and_a_reset_puts_the_default_back(
    client: httpx.AsyncClient, admin: Admin, settings: Settings
) -> None:
    r = await change(client, admin, booking_horizon_days=90)
    assert r.status_code == 200, r.text
    horizon = by_key(r.json())["booking_horizon_days"]
    assert (horizon["value"], horizon["default"], horizon["overridden"]) == (90, settings.booking_horizon_days, True)
    assert horizon["changed"]["id"] == str(admin.account.id)
    assert horizon["changed"]["name"] == admin.account.user.full_name
    assert datetime.fromisoformat(horizon["changed"]["at"]) <= datetime.now(UTC)
    assert by_key((await client.get(URL, headers=admin.h)).json())["booking_horizon_days"]["value"] == 90

    r = await change(client, admin, booking_horizon_days=None)
    assert r.status_code == 200, r.text
    horizon = by_key(r.json())["booking_horizon_days"]
    assert (horizon["value"], horizon["overridden"]) == (settings.booking_horizon_days, False)
    assert horizon["changed"]["name"] == admin.account.user.full_name  # who reset it


# --- refused -----------------------------------------------------------------------------------
async def test_an_out_of_range_value_is_refused_naming_the_field_and_nothing_is_saved(
    client: httpx.AsyncClient, admin: Admin, settings: Settings
) -> None:
    r = await change(client, admin, cancellation_notice_hours=48, booking_hold_minutes=0)
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    assert [e["field"] for e in r.json()["errors"]] == ["body.booking_hold_minutes"]
    after = by_key((await client.get(URL, headers=admin.h)).json())
    assert after["cancellation_notice_hours"]["value"] == settings.cancellation_notice_hours
    assert after["cancellation_notice_hours"]["overridden"] is False


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"crisis_resources_text": "   "}, "body.crisis_resources_text"),
        ({"crisis_resources_text_es": "x" * 2001}, "body.crisis_resources_text_es"),
        ({"infusion_dose_max_mg": 0}, "body.infusion_dose_max_mg"),
        ({"phq9_remission_below": "five"}, "body.phq9_remission_below"),
        ({"practice_name": "Not editable here"}, "body.practice_name"),
        ({"reminder_offsets_minutes": [1440, 1]}, "body.reminder_offsets_minutes.1"),
        ({"reminder_offsets_minutes": [60 * 24 * 15]}, "body.reminder_offsets_minutes.0"),
        ({"reminder_offsets_minutes": [10, 20, 30, 40, 50, 60]}, "body.reminder_offsets_minutes"),
        ({"reminder_offsets_minutes": "1440, 60"}, "body.reminder_offsets_minutes"),
    ],
)
async def test_each_bad_value_is_named(
    client: httpx.AsyncClient, admin: Admin, values: dict[str, Any], field: str
) -> None:
    r = await client.patch(URL, json=values | {"booking_horizon_days": 30}, headers=admin.h)
    assert r.status_code == 422, r.text
    assert field in [e["field"] for e in r.json()["errors"]]
    assert by_key((await client.get(URL, headers=admin.h)).json())["booking_horizon_days"]["overridden"] is False


async def test_a_lowest_dose_above_the_highest_is_refused_against_the_value_in_force(
    client: httpx.AsyncClient, admin: Admin, settings: Settings
) -> None:
    assert settings.infusion_dose_max_mg_per_kg == 1.0
    r = await change(client, admin, infusion_dose_min_mg_per_kg=1.5, phq9_remission_below=6)
    assert r.status_code == 422
    body = r.json()
    assert body["type"].endswith("/practice-settings-invalid")
    assert [e["field"] for e in body["errors"]] == ["body.infusion_dose_min_mg_per_kg"]
    assert "1.5" in body["errors"][0]["message"]
    assert by_key((await client.get(URL, headers=admin.h)).json())["phq9_remission_below"]["overridden"] is False
    # Both at once, in order, is fine; then lowering the highest below the lowest is not.
    assert (await change(client, admin, infusion_dose_min_mg_per_kg=1.5, infusion_dose_max_mg_per_kg=2)).is_success
    r = await change(client, admin, infusion_dose_max_mg_per_kg=1.2)
    assert [e["field"] for e in r.json()["errors"]] == ["body.infusion_dose_max_mg_per_kg"]
    r = await change(client, admin, hypertension_diastolic_mmhg=140, hypertension_systolic_mmhg=140)
    assert {e["field"] for e in r.json()["errors"]} == {
        "body.hypertension_diastolic_mmhg",
        "body.hypertension_systolic_mmhg",
    }


async def test_only_admins_may_read_or_change_practice_settings(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    assert (await client.get(URL)).status_code == 401
    assert (await client.patch(URL, json={"booking_horizon_days": 30})).status_code == 401
    for account in (await create_patient(session), await create_staff(session, settings)):
        h = await sign_in(client, account)
        assert (await client.get(URL, headers=h)).status_code == 403
        r = await client.patch(URL, json={"booking_horizon_days": 30}, headers=h)
        assert r.status_code == 403
        assert r.json()["type"].endswith("/forbidden")
    no_mfa = await create_staff(session, settings, role="admin", with_mfa=False)
    r = await client.patch(URL, json={"booking_horizon_days": 30}, headers=await sign_in(client, no_mfa))
    assert r.status_code == 403
    assert r.json()["type"].endswith("/mfa-required")


# --- audited -----------------------------------------------------------------------------------
async def test_every_change_is_audited_with_old_and_new_values(
    client: httpx.AsyncClient, admin: Admin, settings: Settings
) -> None:
    assert (await change(client, admin, cancellation_fee_cents=2500, crisis_line_phone="911")).is_success
    assert (await change(client, admin, cancellation_fee_cents=None)).is_success
    assert (await change(client, admin, crisis_line_phone="911")).is_success  # the same value: no change

    r = await client.get("/api/admin/audit", params={"action": "practice.settings_changed"}, headers=admin.h)
    entries = r.json()["items"]
    assert [e["detail"]["changes"] for e in entries] == [
        {"cancellation_fee_cents": {"old": 2500, "new": settings.cancellation_fee_cents, "reset": True}},
        {
            "cancellation_fee_cents": {"old": settings.cancellation_fee_cents, "new": 2500, "reset": False},
            "crisis_line_phone": {"old": settings.crisis_line_phone, "new": "911", "reset": False},
        },
    ]
    assert {e["actor_id"] for e in entries} == {str(admin.account.id)}
    assert (await client.get("/api/admin/audit/verify", headers=admin.h)).json()["ok"] is True


# --- patients meet the new values --------------------------------------------------------------
@dataclass
class Visit:
    patient: Account
    h: dict[str, str]
    doc: Account
    paid: VisitType
    admin: Admin

    def booking(self, at: datetime) -> dict[str, str]:
        return {"visit_type_id": str(self.paid.id), "psychiatrist_id": str(self.doc.id), "starts_at": at.isoformat()}


@pytest.fixture
async def visit(client: httpx.AsyncClient, session: AsyncSession, settings: Settings) -> Visit:
    """A bookable psychiatrist, a paid visit type, a patient and an admin, all signed in at NOW
    (before anyone signs in: two-factor codes must not go back in time)."""
    clock.freeze(NOW)
    doc = await create_psychiatrist(
        session, settings, hours=[(d, time(9), time(12)) for d in range(7)], step_minutes=30
    )
    paid = await create_visit_type(session, name="Follow-up", duration_minutes=30, price_cents=15000)
    patient = await create_patient(session, state="ID")
    admin = await create_staff(session, settings, role="admin")
    return Visit(patient, await sign_in(client, patient), doc, paid, Admin(admin, await sign_in(client, admin)))


async def book_paid(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings, visit: Visit, at: datetime
) -> str:
    """The patient books `at` and the payment confirms it (as Stripe's webhook would)."""
    booked = await client.post("/api/bookings", json=visit.booking(at), headers=visit.h)
    assert booked.status_code == 201, booked.text
    booking_id = str(booked.json()["id"])
    await booking_flows.confirm_hold(session, None, settings, uuid.UUID(booking_id))
    await session.commit()
    return booking_id


async def test_a_patients_cancellation_follows_the_notice_and_fee_the_admin_set(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings, visit: Visit
) -> None:
    booking_id = await book_paid(client, session, settings, visit, MONDAY_9_BOISE)

    clock.freeze(MONDAY_9_BOISE - timedelta(hours=30))  # 30 hours ahead: inside the default 24 h notice
    h = await sign_in(client, visit.patient)
    policy = (await client.get(f"/api/bookings/{booking_id}", headers=h)).json()["cancellation_policy"]
    assert (policy["reason"], policy["refund_cents"]) == ("notice_met", 15000)

    admin_h = await sign_in(client, visit.admin.account)
    r = await client.patch(URL, json={"cancellation_notice_hours": 48, "cancellation_fee_cents": 2500}, headers=admin_h)
    assert r.status_code == 200, r.text

    policy = (await client.get(f"/api/bookings/{booking_id}", headers=h)).json()["cancellation_policy"]
    assert (policy["reason"], policy["fee_cents"], policy["refund_cents"]) == ("late_cancellation", 2500, 12500)
    assert datetime.fromisoformat(policy["full_refund_until"]) == MONDAY_9_BOISE.astimezone(UTC) - timedelta(hours=48)
    r = await client.post(f"/api/bookings/{booking_id}/cancel", json={}, headers=h)
    assert r.status_code == 200, r.text
    assert (r.json()["cancellation"]["refund_cents"], r.json()["cancellation"]["fee_cents"]) == (12500, 2500)


async def test_a_new_booking_is_held_for_the_minutes_the_admin_set(client: httpx.AsyncClient, visit: Visit) -> None:
    assert (await change(client, visit.admin, booking_hold_minutes=25)).is_success
    booked = await client.post("/api/bookings", json=visit.booking(MONDAY_9_BOISE), headers=visit.h)
    assert booked.status_code == 201, booked.text
    assert datetime.fromisoformat(booked.json()["hold_expires_at"]) == NOW + timedelta(minutes=25)


async def effective(session: AsyncSession, settings: Settings) -> Settings:
    return await practice_settings_service.effective(session, settings, PracticeSettingsCache())


async def reminders_of(session: AsyncSession, booking_id: str) -> set[tuple[int, str]]:
    rows = await session.execute(
        select(BookingReminder.offset_minutes, BookingReminder.status).where(
            BookingReminder.booking_id == uuid.UUID(booking_id)
        )
    )
    return {(r[0], r[1]) for r in rows.all()}


async def test_changed_reminder_offsets_replan_booked_visits_and_apply_to_new_ones(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings, visit: Visit
) -> None:
    first = await book_paid(client, session, settings, visit, MONDAY_9_BOISE)
    assert await reminders_of(session, first) == {(1440, "pending"), (60, "pending")}
    # The day-ahead reminder has gone out already.
    await session.execute(
        update(BookingReminder)
        .where(BookingReminder.booking_id == uuid.UUID(first), BookingReminder.offset_minutes == 1440)
        .values(status="enqueued")
    )
    await session.commit()

    r = await change(client, visit.admin, reminder_offsets_minutes=[120, 1440, 120])
    assert r.status_code == 200, r.text
    shown = by_key(r.json())["reminder_offsets_minutes"]
    assert (shown["value"], shown["overridden"]) == ([1440, 120], True)  # repeats dropped, longest first
    # Not sent twice; the hour-ahead one is now two hours ahead.
    assert await reminders_of(session, first) == {(1440, "enqueued"), (120, "pending")}
    [entry] = (await session.scalars(select(AuditEntry).where(AuditEntry.action == "practice.settings_changed"))).all()
    assert entry.detail["changes"]["reminder_offsets_minutes"] == {
        "old": [1440, 60],
        "new": [1440, 120],
        "reset": False,
    }
    assert entry.detail["replanned_bookings"] == 1

    second = await book_paid(
        client, session, await effective(session, settings), visit, MONDAY_9_BOISE + timedelta(days=1)
    )
    assert await reminders_of(session, second) == {(1440, "pending"), (120, "pending")}

    # No reminders at all, then the default again.
    assert (await change(client, visit.admin, reminder_offsets_minutes=[])).status_code == 200
    assert await reminders_of(session, first) == {(1440, "enqueued")}
    assert await reminders_of(session, second) == set()
    assert (await change(client, visit.admin, reminder_offsets_minutes=None)).status_code == 200
    assert await reminders_of(session, first) == {(1440, "enqueued"), (60, "pending")}
    assert await reminders_of(session, second) == {(1440, "pending"), (60, "pending")}


async def test_edited_crisis_resources_reach_a_patient_reporting_thoughts_of_self_harm(
    client: httpx.AsyncClient, session: AsyncSession, admin: Admin
) -> None:
    r = await change(
        client,
        admin,
        crisis_line_phone="(208) 555-0199",
        crisis_resources_text=f"  {NEW_TEXT}  ",
        crisis_resources_text_es=NEW_TEXT_ES,
        program_entry_phq9_min=12,
    )
    assert r.status_code == 200, r.text
    assert by_key(r.json())["crisis_resources_text"]["value"] == NEW_TEXT  # trimmed

    practice = (await client.get("/api/practice")).json()
    assert (practice["crisis_line_phone"], practice["crisis_line_text"], practice["crisis_line_text_es"]) == (
        "(208) 555-0199",
        NEW_TEXT,
        NEW_TEXT_ES,
    )

    for language, text in (("en", NEW_TEXT), ("es", NEW_TEXT_ES)):
        patient = await create_patient(session, language=language)
        r = await client.post(
            "/api/patients/me/scales/results",
            json={"scale": "phq9", "language": language, "answers": PHQ9_ITEM9},
            headers=await sign_in(client, patient),
        )
        assert r.status_code == 201, r.text
        assert r.json()["crisis_resources"] == {"phone": "(208) 555-0199", "text": text, "language": language}
        assert r.json()["result"]["program_entry_threshold"] == 12


# --- several instances -------------------------------------------------------------------------
@pytest.fixture
async def second_instance(
    settings: Settings, engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> AsyncIterator[tuple[httpx.AsyncClient, PracticeSettingsCache]]:
    """Another API instance on the same database, with its own (short-lived) cache."""
    app = create_app(settings, engine=engine, sessionmaker=sessionmaker, check_migrations=False, run_worker=False)
    cache = app.state.practice_settings_cache = PracticeSettingsCache(ttl_seconds=0.2)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.8", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://app.test") as c:
        yield c, cache


async def test_another_instance_uses_the_change_once_its_cache_lapses(
    client: httpx.AsyncClient, admin: Admin, settings: Settings, second_instance: tuple[httpx.AsyncClient, Any]
) -> None:
    other, _ = second_instance
    assert (await other.get("/api/practice")).json()["crisis_line_text"] == settings.crisis_resources_text
    assert (await change(client, admin, crisis_resources_text=NEW_TEXT)).is_success
    assert (await client.get("/api/practice")).json()["crisis_line_text"] == NEW_TEXT  # this instance: at once
    await asyncio.sleep(0.25)
    assert (await other.get("/api/practice")).json()["crisis_line_text"] == NEW_TEXT


async def test_the_values_in_force_are_read_once_per_cache_lifetime_not_per_request(
    client: httpx.AsyncClient, engine: AsyncEngine, admin: Admin
) -> None:
    reads: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if "FROM practice_settings" in statement:
            reads.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        for _ in range(3):
            assert (await client.get("/api/practice")).status_code == 200
        assert len(reads) == 1
        assert (await change(client, admin, crisis_line_phone="911")).is_success
        reads.clear()
        for _ in range(3):
            assert (await client.get("/api/practice")).json()["crisis_line_phone"] == "911"
        assert len(reads) == 1
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)
