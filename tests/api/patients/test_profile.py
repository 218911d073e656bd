from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.config import Settings
from services.api.patients.models import Patient
from services.common.clock import clock
from tests.api.patients.factories import audit_actions, on_care_team
from tests.factories import create_patient, create_staff, sign_in

FULL_PROFILE = {
    "legal_name": "Patricia Example",
    "preferred_name": "Pat",
    "sex": "female",
    "current_state": "UT",
    "phone": "+1 208 555 0100",
    "emergency_contact": {"name": "Sam Example", "phone": "208-555-0101", "relationship": "spouse"},
    "primary_care": {"name": "Dr. Lee, Boise Family Medicine", "phone": "(208) 555-0102"},
    "pharmacy": {"name": "Main Street Pharmacy", "phone": "208.555.0103", "address": "1 Main St, Boise ID"},
}


async def test_patient_edits_own_profile_and_each_change_is_audited_by_field_name(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    pat = await create_patient(session)
    headers = await sign_in(client, pat)

    r = await client.get("/api/patients/me/profile", headers=headers)
    assert r.status_code == 200, r.text
    before = r.json()
    assert before["legal_name"] == "Pat Example"  # the account name until a legal name is given
    assert before["state"] == "ID"
    assert before["date_of_birth"] == "1985-06-01"
    assert before["emergency_contact"] is None
    assert before["updated_at"] is None

    r = await client.patch("/api/patients/me/profile", json=FULL_PROFILE, headers=headers)
    assert r.status_code == 200, r.text
    after = r.json()
    assert after["legal_name"] == "Patricia Example"
    assert after["current_state"] == "UT"
    assert after["emergency_contact"] == {"name": "Sam Example", "phone": "208-555-0101", "relationship": "spouse"}
    assert after["pharmacy"]["address"] == "1 Main St, Boise ID"
    assert after["updated_at"] is not None

    # Only what is sent changes; null clears an optional field or group.
    r = await client.patch(
        "/api/patients/me/profile", json={"preferred_name": None, "pharmacy": None, "language": "es"}, headers=headers
    )
    assert r.status_code == 200, r.text
    assert r.json()["preferred_name"] is None
    assert r.json()["pharmacy"] is None
    assert r.json()["language"] == "es"
    assert r.json()["legal_name"] == "Patricia Example"

    actions = await audit_actions(session, pat.id)
    assert actions.count("patient.profile_updated") == 2
    assert actions.count("patient.profile_read") == 1
    from sqlalchemy import select

    from services.api.audit.models import AuditEntry

    details = (
        await session.scalars(
            select(AuditEntry.detail)
            .where(AuditEntry.patient_id == pat.id, AuditEntry.action == "patient.profile_updated")
            .order_by(AuditEntry.id)
        )
    ).all()
    assert details[1] == {"fields": ["language", "pharmacy", "preferred_name"]}
    assert "Patricia" not in str(details)  # names and values never go into the audit log


async def test_sending_the_same_values_changes_nothing_and_audits_no_change(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    pat = await create_patient(session)
    headers = await sign_in(client, pat)
    r = await client.patch("/api/patients/me/profile", json={"state": "ID", "language": "en"}, headers=headers)
    assert r.status_code == 200
    assert r.json()["updated_at"] is None
    assert "patient.profile_updated" not in await audit_actions(session, pat.id)


async def test_bad_profile_input_is_refused_and_nothing_changes(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    clock.freeze(datetime(2026, 11, 22, 12, tzinfo=UTC))
    pat = await create_patient(session)
    headers = await sign_in(client, pat)
    bad = [
        ({"date_of_birth": None}, "body"),
        ({"state": "XX"}, "body.state"),
        ({"current_state": "Idaho"}, "body.current_state"),
        ({"time_zone": "Mars/Olympus"}, "body.time_zone"),
        ({"phone": "call me"}, "body.phone"),
        ({"emergency_contact": {"name": "Sam"}}, "body.emergency_contact.phone"),
        ({"date_of_birth": "2027-01-01"}, "body.date_of_birth"),
        ({"date_of_birth": "2010-01-01"}, "body.date_of_birth"),
        ({"sex": "robot"}, "body.sex"),
        ({"legal_name": "x" * 201}, "body.legal_name"),
        ({"legal_name": "nul\x00char"}, "body.legal_name"),
        ({"nickname": "P"}, "body.nickname"),
    ]
    for body, field in bad:
        r = await client.patch("/api/patients/me/profile", json=body | {"preferred_name": "Changed"}, headers=headers)
        assert r.status_code == 422, (body, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
        assert any(e["field"].startswith(field) for e in r.json()["errors"]), (body, r.json())
    under_age = await client.patch("/api/patients/me/profile", json={"date_of_birth": "2010-01-01"}, headers=headers)
    assert under_age.json()["errors"][0]["code"] == "under_age"
    profile = (await client.get("/api/patients/me/profile", headers=headers)).json()
    assert profile["preferred_name"] is None
    assert profile["date_of_birth"] == "1985-06-01"


async def test_only_care_team_psychiatrists_read_a_patients_profile(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    pat = await create_patient(session)
    other = await create_patient(session)
    doc = await create_staff(session, settings)
    stranger = await create_staff(session, settings)
    admin = await create_staff(session, settings, role="admin")
    await on_care_team(session, pat, doc)

    doc_h = await sign_in(client, doc)
    r = await client.get(f"/api/patients/{pat.id}/profile", headers=doc_h)
    assert r.status_code == 200
    assert r.json()["patient_id"] == str(pat.id)
    assert "patient.profile_read" in await audit_actions(session, pat.id)

    assert (await client.get(f"/api/patients/{other.id}/profile", headers=doc_h)).status_code == 403
    assert (await client.get(f"/api/patients/{uuid.uuid4()}/profile", headers=doc_h)).status_code == 403
    r = await client.get(f"/api/patients/{pat.id}/profile", headers=await sign_in(client, stranger))
    assert r.status_code == 403
    r = await client.get(f"/api/patients/{pat.id}/profile", headers=await sign_in(client, admin))
    assert r.status_code == 403
    # A patient changing the id in the URL reaches nothing of the other patient's.
    r = await client.get(f"/api/patients/{other.id}/profile", headers=await sign_in(client, pat))
    assert r.status_code == 403
    assert str(other.id) not in r.text
    # Staff have no "me" profile.
    assert (await client.get("/api/patients/me/profile", headers=doc_h)).status_code == 403


async def test_admin_assigns_a_psychiatrist_who_can_then_open_the_chart(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    pat = await create_patient(session)
    doc = await create_staff(session, settings)
    admin = await create_staff(session, settings, role="admin")
    admin_h = await sign_in(client, admin)
    doc_h = await sign_in(client, doc)
    assert (await client.get(f"/api/patients/{pat.id}/profile", headers=doc_h)).status_code == 403

    url = f"/api/admin/patients/{pat.id}/care-team"
    r = await client.post(url, json={"psychiatrist_id": str(doc.id)}, headers=admin_h)
    assert r.status_code == 200, r.text
    assert r.json()["reason"] == "admin_assignment"
    assert r.json()["psychiatrist_name"] == "Staff psychiatrist"
    again = await client.post(url, json={"psychiatrist_id": str(doc.id)}, headers=admin_h)
    assert again.status_code == 200
    assert again.json()["added_at"] == r.json()["added_at"]
    assert (await audit_actions(session, pat.id)).count("care_team.assigned") == 1

    assert (await client.get(f"/api/patients/{pat.id}/profile", headers=doc_h)).status_code == 200
    listed = await client.get(url, headers=admin_h)
    assert listed.status_code == 200
    assert set(listed.json()[0]) == {"patient_id", "psychiatrist_id", "psychiatrist_name", "reason", "added_at"}

    r = await client.delete(f"{url}/{doc.id}", headers=admin_h)
    assert r.status_code == 204
    assert (await client.get(f"/api/patients/{pat.id}/profile", headers=doc_h)).status_code == 403
    assert (await client.delete(f"{url}/{doc.id}", headers=admin_h)).status_code == 404
    assert "care_team.removed" in await audit_actions(session, pat.id)


async def test_care_team_assignment_refuses_unknown_or_wrong_accounts(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    pat = await create_patient(session)
    other = await create_patient(session)
    admin = await create_staff(session, settings, role="admin")
    doc = await create_staff(session, settings)
    admin_h = await sign_in(client, admin)
    for body in (
        {"psychiatrist_id": str(uuid.uuid4())},
        {"psychiatrist_id": str(other.id)},
        {"psychiatrist_id": str(admin.id)},
    ):
        r = await client.post(f"/api/admin/patients/{pat.id}/care-team", json=body, headers=admin_h)
        assert r.status_code == 404, r.text
    r = await client.post(
        f"/api/admin/patients/{uuid.uuid4()}/care-team", json={"psychiatrist_id": str(doc.id)}, headers=admin_h
    )
    assert r.status_code == 404
    # A psychiatrist cannot put themselves on a care team.
    r = await client.post(
        f"/api/admin/patients/{pat.id}/care-team",
        json={"psychiatrist_id": str(doc.id)},
        headers=await sign_in(client, doc),
    )
    assert r.status_code == 403


async def test_psychiatrist_lists_only_their_care_team_patients(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    mine = await create_patient(session)
    not_mine = await create_patient(session)
    doc = await create_staff(session, settings)
    await on_care_team(session, mine, doc)
    row = await session.get(Patient, mine.id)
    assert row is not None
    row.preferred_name = "Mina"
    await session.commit()
    r = await client.get("/api/patients", headers=await sign_in(client, doc))
    assert r.status_code == 200
    body = r.json()
    assert body["total"] == 1
    assert [p["patient_id"] for p in body["items"]] == [str(mine.id)]
    assert body["items"][0]["name"] == "Mina"
    assert str(not_mine.id) not in r.text
    assert body["items"][0]["date_of_birth"] == date(1985, 6, 1).isoformat()
