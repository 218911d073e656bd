"""Psychiatrist profiles and licences: own or admin edits; an expired licence stops booking."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.config import Settings
from services.common.clock import clock
from tests.api.scheduling.factories import create_psychiatrist, create_visit_type
from tests.factories import create_patient, create_staff, sign_in


async def test_a_psychiatrist_edits_their_profile_and_bad_values_are_named(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    doc = await create_psychiatrist(session, settings)
    h = await sign_in(client, doc)
    r = await client.patch(
        f"/api/psychiatrists/{doc.id}",
        json={"bio": "Ketamine-assisted care.", "languages": ["en", "ES", "es"], "time_zone": "America/Los_Angeles"},
        headers=h,
    )
    assert r.status_code == 200, r.text
    assert r.json()["languages"] == ["en", "es"]
    assert r.json()["time_zone"] == "America/Los_Angeles"
    r = await client.patch(f"/api/psychiatrists/{doc.id}", json={"time_zone": "Mars/Olympus_Mons"}, headers=h)
    assert r.status_code == 422
    assert "Unknown time zone" in r.json()["detail"]
    r = await client.patch(f"/api/psychiatrists/{doc.id}", json={"languages": ["english"]}, headers=h)
    assert r.status_code == 422
    public = await client.get(f"/api/psychiatrists/{doc.id}")
    assert public.json()["bio"] == "Ketamine-assisted care."


async def test_only_the_psychiatrist_or_an_admin_edits_a_profile_and_licences(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    doc = await create_psychiatrist(session, settings)
    other = await create_psychiatrist(session, settings)
    admin = await create_staff(session, settings, role="admin")
    oh = await sign_in(client, other)
    r = await client.patch(f"/api/psychiatrists/{doc.id}", json={"bio": "x"}, headers=oh)
    assert r.status_code == 403
    r = await client.put(
        f"/api/psychiatrists/{doc.id}/licenses/CA", json={"number": "A1", "expires_on": "2030-01-01"}, headers=oh
    )
    assert r.status_code == 403
    ah = await sign_in(client, admin)
    r = await client.put(
        f"/api/psychiatrists/{doc.id}/licenses/ca", json={"number": "A-1", "expires_on": "2030-01-01"}, headers=ah
    )
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "CA"
    r = await client.put(
        f"/api/psychiatrists/{doc.id}/licenses/CA", json={"number": "A-2", "expires_on": "2031-06-30"}, headers=ah
    )
    assert r.json()["number"] == "A-2"
    assert r.json()["expires_on"] == "2031-06-30"
    r = await client.put(
        f"/api/psychiatrists/{doc.id}/licenses/XX", json={"number": "A-2", "expires_on": "2031-06-30"}, headers=ah
    )
    assert r.status_code == 422
    licences = (await client.get(f"/api/psychiatrists/{doc.id}/licenses", headers=ah)).json()
    assert [(x["state"], x["number"]) for x in licences] == [("CA", "A-2"), ("ID", "L-ID")]
    assert (await client.delete(f"/api/psychiatrists/{doc.id}/licenses/CA", headers=ah)).status_code == 204
    assert (await client.delete(f"/api/psychiatrists/{doc.id}/licenses/CA", headers=ah)).status_code == 404
    assert (await client.get(f"/api/psychiatrists/{doc.id}/licenses", headers=oh)).status_code == 403


async def test_an_expired_licence_stops_booking_in_that_state(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    clock.freeze(datetime(2026, 3, 1, 12, tzinfo=UTC))
    doc = await create_psychiatrist(
        session, settings, licenses={"ID": date(2026, 3, 4)}, hours=[(d, time(9), time(12)) for d in range(7)]
    )
    vt = await create_visit_type(session, price_cents=0)
    patient = await create_patient(session, state="ID", time_zone="America/Boise")
    h = await sign_in(client, patient)
    after_expiry = datetime(2026, 3, 5, 16, tzinfo=UTC)
    body = {"visit_type_id": str(vt.id), "psychiatrist_id": str(doc.id), "starts_at": after_expiry.isoformat()}
    r = await client.post("/api/bookings", json=body, headers=h)
    assert r.status_code == 422
    assert r.json()["type"].endswith("/not-licensed-in-state")
    r = await client.post("/api/bookings", json=body | {"starts_at": "2026-03-04T09:00:00-07:00"}, headers=h)
    assert r.status_code == 201, r.text
    dh = await sign_in(client, doc)
    r = await client.put(
        f"/api/psychiatrists/{doc.id}/licenses/ID", json={"number": "L-ID", "expires_on": "2028-03-04"}, headers=dh
    )
    assert r.status_code == 200
    r = await client.post("/api/bookings", json=body, headers=h)
    assert r.status_code == 201, r.text
