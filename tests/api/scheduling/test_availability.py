"""Editing availability and visit types: own schedule or admin, clear 4xx on bad input."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.config import Settings
from services.api.scheduling.models import AvailabilityRule, TimeOff
from services.common.clock import clock
from tests.api.scheduling.factories import create_psychiatrist
from tests.factories import create_staff, sign_in


async def test_psychiatrists_edit_their_own_hours_and_overlaps_or_reversed_times_are_refused(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    clock.freeze(datetime(2026, 3, 1, 12, tzinfo=UTC))
    doc = await create_psychiatrist(session, settings, hours=[])
    h = await sign_in(client, doc)
    base = f"/api/psychiatrists/{doc.id}/availability"
    r = await client.post(f"{base}/rules", json={"weekday": "monday", "start": "09:00", "end": "12:00"}, headers=h)
    assert r.status_code == 201, r.text
    rule_id = r.json()["id"]
    r = await client.post(f"{base}/rules", json={"weekday": "monday", "start": "11:30", "end": "14:00"}, headers=h)
    assert r.status_code == 422
    assert r.json()["type"].endswith("/overlapping-availability")
    assert "09:00–12:00" in r.json()["detail"]
    r = await client.post(f"{base}/rules", json={"weekday": "monday", "start": "15:00", "end": "13:00"}, headers=h)
    assert r.status_code == 422
    assert "end is before the start" in r.json()["detail"]
    r = await client.post(f"{base}/rules", json={"weekday": "tuesday", "start": "11:30", "end": "14:00"}, headers=h)
    assert r.status_code == 201
    r = await client.put(
        f"{base}/overrides/2026-03-10",
        json={"windows": [{"start": "08:00", "end": "10:00"}, {"start": "09:30", "end": "11:00"}]},
        headers=h,
    )
    assert r.status_code == 422
    assert r.json()["type"].endswith("/overlapping-availability")
    r = await client.put(
        f"{base}/overrides/2026-03-10",
        json={"windows": [{"start": "13:00", "end": "15:00"}], "reason": "Clinic"},
        headers=h,
    )
    assert r.status_code == 200, r.text
    r = await client.post(
        f"{base}/time-off",
        json={"starts_at": "2026-03-20T10:00:00-06:00", "ends_at": "2026-03-19T10:00:00-06:00"},
        headers=h,
    )
    assert r.status_code == 422
    assert "end is before the start" in r.json()["detail"]
    r = await client.post(
        f"{base}/time-off", json={"starts_at": "2026-03-20T10:00:00", "ends_at": "2026-03-21T10:00:00"}, headers=h
    )
    assert r.status_code == 422  # times without a zone
    r = await client.post(
        f"{base}/time-off",
        json={"starts_at": "2026-03-20T00:00:00-06:00", "ends_at": "2026-03-23T00:00:00-06:00", "reason": "Away"},
        headers=h,
    )
    assert r.status_code == 201
    r = await client.put(f"{base}/settings", json={"buffer_minutes": 10, "min_notice_minutes": 240}, headers=h)
    assert r.status_code == 204
    view = (await client.get(base, headers=h)).json()
    assert [(x["weekday"], x["start"], x["end"]) for x in view["rules"]] == [
        ("monday", "09:00:00", "12:00:00"),
        ("tuesday", "11:30:00", "14:00:00"),
    ]
    assert view["overrides"][0]["windows"] == [["13:00:00", "15:00:00"]]
    assert view["time_off"][0]["starts_at"] == "2026-03-20T00:00:00-06:00"  # in the psychiatrist's zone
    assert view["settings"] | {} == {
        "buffer_minutes": 10,
        "slot_step_minutes": 15,
        "min_notice_minutes": 240,
        "horizon_days": settings.booking_horizon_days,
        "min_notice_is_default": False,
        "horizon_is_default": True,
    }
    assert (await client.delete(f"{base}/rules/{rule_id}", headers=h)).status_code == 204
    assert (await client.delete(f"{base}/overrides/2026-03-10", headers=h)).status_code == 204
    assert (await client.delete(f"{base}/overrides/2026-03-10", headers=h)).status_code == 404


async def test_only_the_psychiatrist_or_an_admin_may_edit_a_schedule(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    doc = await create_psychiatrist(session, settings, hours=[])
    other = await create_psychiatrist(session, settings, hours=[])
    admin = await create_staff(session, settings, role="admin")
    rule = {"weekday": "friday", "start": "09:00", "end": "10:00"}
    before = await session.scalar(select(func.count()).select_from(AvailabilityRule))
    oh = await sign_in(client, other)
    r = await client.post(f"/api/psychiatrists/{doc.id}/availability/rules", json=rule, headers=oh)
    assert r.status_code == 403
    assert r.json()["type"].endswith("/not-your-profile")
    assert await session.scalar(select(func.count()).select_from(AvailabilityRule)) == before
    ah = await sign_in(client, admin)
    r = await client.post(f"/api/psychiatrists/{doc.id}/availability/rules", json=rule, headers=ah)
    assert r.status_code == 201
    r = await client.post(
        f"/api/psychiatrists/{doc.id}/availability/time-off",
        json={"starts_at": "2026-12-24T00:00:00Z", "ends_at": "2026-12-27T00:00:00Z"},
        headers=ah,
    )
    assert r.status_code == 201
    assert await session.scalar(select(func.count()).select_from(TimeOff).where(TimeOff.psychiatrist_id == doc.id)) == 1


async def test_admins_manage_visit_types_and_everyone_signed_in_lists_them(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    admin = await create_staff(session, settings, role="admin")
    ah = await sign_in(client, admin)
    body = {
        "code": "free-consult-x",
        "name": "Free Consult",
        "name_es": "Consulta gratuita",
        "duration_minutes": 15,
        "price_cents": 0,
        "eligibility": "new",
    }
    r = await client.post("/api/admin/visit-types", json=body, headers=ah)
    assert r.status_code == 201, r.text
    vt = r.json()
    assert vt["currency"] == "usd"
    assert vt["requires_intake"] is False
    r = await client.post("/api/admin/visit-types", json=body, headers=ah)
    assert r.status_code == 409
    assert r.json()["type"].endswith("/visit-type-code-taken")
    r = await client.post("/api/admin/visit-types", json=body | {"code": "x2", "duration_minutes": 0}, headers=ah)
    assert r.status_code == 422
    r = await client.patch(f"/api/admin/visit-types/{vt['id']}", json={"active": False}, headers=ah)
    assert r.status_code == 200
    assert r.json()["active"] is False
    listed = await client.get("/api/visit-types", headers=ah)
    assert vt["id"] not in [v["id"] for v in listed.json()]
    listed = await client.get("/api/visit-types", params={"include_inactive": "true"}, headers=ah)
    assert vt["id"] in [v["id"] for v in listed.json()]
