"""Who reaches a visit note; no one reaches another patient's notes by changing an id."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.audit.models import AuditEntry
from services.api.config import Settings
from services.api.notes.models import NoteAddendum, VisitNote
from tests.api.notes.factories import filled_draft, signed_note
from tests.api.treatment.factories import care_team_chart
from tests.factories import create_staff, sign_in


def note_routes(patient_id: str, note_id: str) -> list[tuple[str, str, dict[str, Any] | None]]:
    return [
        ("GET", f"/api/patients/{patient_id}/notes", None),
        ("POST", f"/api/patients/{patient_id}/notes", {"template": "follow_up"}),
        ("GET", f"/api/notes/{note_id}", None),
        ("PATCH", f"/api/notes/{note_id}", {"plan": "changed"}),
        ("DELETE", f"/api/notes/{note_id}", None),
        ("POST", f"/api/notes/{note_id}/objective", None),
        ("POST", f"/api/notes/{note_id}/sign", None),
        ("POST", f"/api/notes/{note_id}/addenda", {"text": "An addendum."}),
        ("GET", f"/api/notes/{note_id}/pdf", None),
    ]


async def _counts(session: AsyncSession) -> tuple[int, int, int, int]:
    notes = int(await session.scalar(select(func.count()).select_from(VisitNote)) or 0)
    addenda = int(await session.scalar(select(func.count()).select_from(NoteAddendum)) or 0)
    revisions = int(await session.scalar(select(func.sum(VisitNote.revision))) or 0)
    audit = int(await session.scalar(select(func.count()).select_from(AuditEntry)) or 0)
    return notes, addenda, revisions, audit


async def test_a_psychiatrist_off_the_care_team_reaches_no_note(
    session: AsyncSession, settings: Settings, client: httpx.AsyncClient
) -> None:
    a = await care_team_chart(session, settings, client)
    b = await care_team_chart(session, settings, client)
    draft_b = await filled_draft(client, b)
    signed_b = await signed_note(client, b)
    before = await _counts(session)
    for note in (draft_b, signed_b):
        for method, url, body in note_routes(b.patient_id, note["id"]):
            r = await client.request(method, url, json=body, headers=a.doc_headers)
            assert r.status_code == 403, (method, url, r.text)
            assert r.json()["type"].endswith("/forbidden")
    assert await _counts(session) == before


async def test_patient_a_cannot_reach_patient_bs_notes_by_changing_ids(
    session: AsyncSession, settings: Settings, client: httpx.AsyncClient
) -> None:
    a = await care_team_chart(session, settings, client)
    b = await care_team_chart(session, settings, client)
    b_note = await signed_note(client, b)
    a_note = await signed_note(client, a)
    before = await _counts(session)

    for method, url, body in note_routes(b.patient_id, b_note["id"]):
        r = await client.request(method, url, json=body, headers=a.patient_headers)
        assert r.status_code == 403, (method, url, r.text)
    # Not even their own private note: patients get the summary only.
    r = await client.get(f"/api/notes/{a_note['id']}", headers=a.patient_headers)
    assert r.status_code == 403

    r = await client.get(f"/api/patients/me/visit-summaries/{b_note['id']}", headers=a.patient_headers)
    random = await client.get(f"/api/patients/me/visit-summaries/{uuid.uuid4()}", headers=a.patient_headers)
    assert r.status_code == random.status_code == 404
    assert r.json()["title"] == random.json()["title"]
    listed = (await client.get("/api/patients/me/visit-summaries", headers=a.patient_headers)).json()
    assert [s["note_id"] for s in listed["items"]] == [a_note["id"]]
    assert await _counts(session) == (*before[:3], before[3] + 1)  # only A's own list read is audited


async def test_admins_see_no_notes_or_summaries(
    session: AsyncSession, settings: Settings, client: httpx.AsyncClient
) -> None:
    b = await care_team_chart(session, settings, client)
    note = await signed_note(client, b)
    admin = await sign_in(client, await create_staff(session, settings, role="admin"))
    routes = [
        *note_routes(b.patient_id, note["id"]),
        ("GET", "/api/notes/templates", None),
        ("GET", "/api/patients/me/visit-summaries", None),
        ("GET", f"/api/patients/me/visit-summaries/{note['id']}", None),
    ]
    for method, url, body in routes:
        r = await client.request(method, url, json=body, headers=admin)
        assert r.status_code == 403, (method, url, r.text)
        assert "Staff psychiatrist" not in r.text


async def test_unknown_notes_are_404(session: AsyncSession, settings: Settings, client: httpx.AsyncClient) -> None:
    a = await care_team_chart(session, settings, client)
    missing = uuid.uuid4()
    for method, path in (("GET", ""), ("PATCH", ""), ("POST", "/sign"), ("GET", "/pdf")):
        r = await client.request(
            method, f"/api/notes/{missing}{path}", json={} if method == "PATCH" else None, headers=a.doc_headers
        )
        assert r.status_code == 404, (method, path, r.text)
    r = await client.get(f"/api/patients/{uuid.uuid4()}/notes", headers=a.doc_headers)
    assert r.status_code == 403  # staff off the care team, whether or not the patient exists
