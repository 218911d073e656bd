"""The psychiatrist's waiting room: today's consults, who waits, and the patient's confirmed
location with a warning when the psychiatrist holds no licence there."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.config import Settings
from tests.api.consults.conftest import START, Visit
from tests.api.consults.factories import (
    audit_actions,
    call_event,
    create_booking,
    create_licensed_psychiatrist,
    report,
)
from tests.factories import create_patient, sign_in


async def confirm_location(client: httpx.AsyncClient, visit: Visit, state: str) -> None:
    r = await client.post(
        f"/api/consults/{visit.booking.id}/patient-join-token",
        json={"location_state": state},
        headers=visit.patient_h,
    )
    assert r.status_code == 200, r.text


async def test_the_psychiatrist_sees_who_is_waiting_today_and_where_they_are(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings, visit: Visit
) -> None:
    later_patient = await create_patient(session)
    later = await create_booking(
        session, patient=later_patient, psychiatrist=visit.psychiatrist, starts_at=START + timedelta(hours=3)
    )
    tomorrow = await create_booking(
        session, patient=later_patient, psychiatrist=visit.psychiatrist, starts_at=START + timedelta(days=1)
    )
    someone_elses = await create_booking(
        session,
        patient=later_patient,
        psychiatrist=await create_licensed_psychiatrist(session, settings),
        starts_at=START + timedelta(hours=1),
    )
    await confirm_location(client, visit, "ID")
    await report(client, settings, call_event(visit.booking, "joined", role="patient"))

    r = await client.get("/api/consults/waiting-room", headers=visit.psychiatrist_h)
    assert r.status_code == 200, r.text
    entries = r.json()
    assert [e["booking_id"] for e in entries] == [str(visit.booking.id), str(later.id)]
    assert str(tomorrow.id) not in r.text
    assert str(someone_elses.id) not in r.text
    now, next_ = entries
    assert now["status"] == "waiting"
    assert now["waiting_since"] is not None
    assert now["join_open"] is True
    assert now["patient_name"] == "Pat Example"
    assert now["patient_location"]["state"] == "ID"
    assert now["patient_location"]["psychiatrist_licensed"] is True
    assert now["patient_location"]["warning"] is None
    assert next_["status"] == "scheduled"
    assert next_["join_open"] is False
    assert next_["patient_location"] is None
    assert "consult.waiting_room_listed" in await audit_actions(session, visit.patient.id)

    r = await client.get("/api/consults/waiting-room", params={"day": "2026-06-02"}, headers=visit.psychiatrist_h)
    assert [e["booking_id"] for e in r.json()] == [str(tomorrow.id)]


async def test_a_patient_outside_the_psychiatrists_licensure_comes_with_a_warning(
    client: httpx.AsyncClient, settings: Settings, visit: Visit
) -> None:
    await confirm_location(client, visit, "CA")
    await report(client, settings, call_event(visit.booking, "joined", role="patient"))
    [entry] = (await client.get("/api/consults/waiting-room", headers=visit.psychiatrist_h)).json()
    location = entry["patient_location"]
    assert location["state"] == "CA"
    assert location["psychiatrist_licensed"] is False
    assert "CA" in location["warning"]
    assert "licen" in location["warning"]
    consult = (await client.get(f"/api/consults/{visit.booking.id}", headers=visit.psychiatrist_h)).json()
    assert consult["patient_location"] == location


async def test_the_waiting_room_is_the_psychiatrists_only(client: httpx.AsyncClient, visit: Visit) -> None:
    assert (await client.get("/api/consults/waiting-room", headers=visit.patient_h)).status_code == 403
    assert (await client.get("/api/consults/waiting-room")).status_code == 401


async def test_the_patient_sees_their_own_consult(client: httpx.AsyncClient, visit: Visit) -> None:
    await confirm_location(client, visit, "ID")
    r = await client.get(f"/api/consults/{visit.booking.id}", headers=await sign_in(client, visit.patient))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "scheduled"
    assert body["join_opens_at"] == (START - timedelta(minutes=15)).isoformat().replace("+00:00", "Z")
    assert body["patient_location"]["state"] == "ID"
