from __future__ import annotations

import hashlib
import json
import uuid

import httpx
import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.audit.models import AuditEntry
from services.api.config import Settings
from services.api.notes.models import NoteAddendum, VisitNote
from services.api.notes.service import addendum_hash, note_content
from services.api.patients.service import patient_service
from tests.api.notes.factories import FILLED, draft, filled_draft, signed_note
from tests.api.treatment.factories import care_team_chart
from tests.factories import create_staff, sign_in


async def _row(session: AsyncSession, note_id: str) -> VisitNote:
    row = await session.scalar(
        select(VisitNote).where(VisitNote.id == uuid.UUID(note_id)).execution_options(populate_existing=True)
    )
    assert row is not None
    return row


async def test_signing_locks_the_note_with_its_hash_signer_and_time(
    session: AsyncSession, settings: Settings, client: httpx.AsyncClient
) -> None:
    chart = await care_team_chart(session, settings, client)
    note = await signed_note(client, chart)
    assert note["status"] == "signed"
    assert note["signed_by"] == str(chart.doc.id)
    assert note["signer_name"] == "Staff psychiatrist, MD"
    assert note["signed_at"] is not None
    assert note["integrity_ok"] is True

    row = await _row(session, note["id"])
    canonical = json.dumps(note_content(row), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert note["content_hash"] == hashlib.sha256(canonical.encode()).hexdigest() == row.content_hash
    assert note_content(row)["assessment"] == FILLED["assessment"]

    url = f"/api/notes/{note['id']}"
    for method, path, body in (
        ("PATCH", url, {"assessment": "Changed my mind"}),
        ("POST", f"{url}/sign", None),
        ("POST", f"{url}/objective", None),
        ("DELETE", url, None),
    ):
        r = await client.request(method, path, json=body, headers=chart.doc_headers)
        assert r.status_code == 409, (method, path, r.text)
        assert r.json()["type"].endswith("/note-locked")

    after = (await client.get(url, headers=chart.doc_headers)).json()
    assert after == note | {"addenda": [], "after_visit_summary": after["after_visit_summary"]}
    [signed] = (await session.scalars(select(AuditEntry).where(AuditEntry.action == "visit_note.signed"))).all()
    assert signed.detail == {"content_hash": note["content_hash"], "billing_codes": ["90792"]}


async def test_the_database_itself_refuses_to_change_a_signed_note_or_an_addendum(
    session: AsyncSession, settings: Settings, client: httpx.AsyncClient
) -> None:
    chart = await care_team_chart(session, settings, client)
    note = await signed_note(client, chart)
    r = await client.post(f"/api/notes/{note['id']}/addenda", json={"text": "Late entry."}, headers=chart.doc_headers)
    assert r.status_code == 201
    note_id, addendum_id = uuid.UUID(note["id"]), uuid.UUID(r.json()["id"])

    for statement in (
        update(VisitNote).where(VisitNote.id == note_id).values(assessment="tampered"),
        delete(VisitNote).where(VisitNote.id == note_id),
        update(NoteAddendum).where(NoteAddendum.id == addendum_id).values(text="tampered"),
        delete(NoteAddendum).where(NoteAddendum.id == addendum_id),
    ):
        with pytest.raises(DBAPIError):
            async with session.begin_nested():
                await session.execute(statement)
    assert (await _row(session, note["id"])).assessment == FILLED["assessment"]

    # A draft is still an ordinary row.
    unsigned = await draft(client, chart)
    async with session.begin_nested():
        await session.execute(update(VisitNote).where(VisitNote.id == uuid.UUID(unsigned["id"])).values(plan="ok"))


async def test_signing_needs_an_assessment_a_plan_and_a_consistent_superbill(
    session: AsyncSession, settings: Settings, client: httpx.AsyncClient
) -> None:
    chart = await care_team_chart(session, settings, client)
    note = await draft(client, chart)  # the template's prompts only
    url = f"/api/notes/{note['id']}"

    r = await client.post(f"{url}/sign", headers=chart.doc_headers)
    assert r.status_code == 422
    assert r.json()["type"].endswith("/note-incomplete")
    assert {e["field"] for e in r.json()["errors"]} == {"assessment", "plan", "diagnoses"}

    cases: list[tuple[dict[str, object], str]] = [
        ({"billing_codes": ["99214", "90833", "90836"]}, "one psychotherapy add-on"),
        ({"billing_codes": ["90833"]}, "needs an E/M code"),
        ({"billing_codes": ["90792", "99214"]}, "one evaluation or E/M code"),
        ({"billing_codes": ["99214", "99214"]}, "listed twice"),
        ({"billing_codes": ["99214", "90785"]}, "Interactive complexity"),
    ]
    for change, message in cases:
        await client.patch(url, json=FILLED | change, headers=chart.doc_headers)
        r = await client.post(f"{url}/sign", headers=chart.doc_headers)
        assert r.status_code == 422, (change, r.text)
        assert message in r.json()["detail"], (change, r.json()["detail"])
    assert (await _row(session, note["id"])).status == "draft"

    await client.patch(url, json=FILLED | {"billing_codes": ["99214", "90833"]}, headers=chart.doc_headers)
    r = await client.post(f"{url}/sign", headers=chart.doc_headers)
    assert r.status_code == 200, r.text


async def test_the_superbill_lines_carry_the_telehealth_modifier_and_place_of_service(
    session: AsyncSession, settings: Settings, client: httpx.AsyncClient
) -> None:
    chart = await care_team_chart(session, settings, client)
    video = await signed_note(client, chart, billing_codes=["99214", "+90833"])
    assert [(b["code"], b["modifiers"], b["place_of_service"]) for b in video["billing"]] == [
        ("99214", ["95"], "10"),
        ("90833", ["95"], "10"),
    ]
    assert video["billing"][0]["description"] == "Established patient visit, moderate complexity"

    elsewhere = await signed_note(client, chart, place_of_service="02")
    assert [(b["code"], b["modifiers"], b["place_of_service"]) for b in elsewhere["billing"]] == [
        ("90792", ["95"], "02")
    ]
    audio = await signed_note(client, chart, modality="audio_only")
    assert audio["billing"][0]["modifiers"] == ["93"]
    free = await signed_note(client, chart, billing_codes=[], diagnoses=[])
    assert free["billing"] == []


async def test_addenda_are_signed_bound_to_their_note_and_open_to_the_care_team(
    session: AsyncSession, settings: Settings, client: httpx.AsyncClient
) -> None:
    chart = await care_team_chart(session, settings, client)
    colleague = await create_staff(session, settings)
    await patient_service.add_to_care_team(
        session, patient_id=chart.patient.id, psychiatrist_id=colleague.id, reason="admin"
    )
    await session.commit()
    colleague_headers = await sign_in(client, colleague)

    unsigned = await filled_draft(client, chart)
    r = await client.post(
        f"/api/notes/{unsigned['id']}/addenda", json={"text": "Too early."}, headers=chart.doc_headers
    )
    assert r.status_code == 409
    assert r.json()["type"].endswith("/note-not-signed")

    note = await signed_note(client, chart)
    url = f"/api/notes/{note['id']}/addenda"
    r = await client.post(url, json={"text": "Pharmacy confirmed the allergy list."}, headers=chart.doc_headers)
    assert r.status_code == 201, r.text
    r = await client.post(
        url,
        json={"text": "Covering: reviewed labs, all normal.", "include_in_summary": True},
        headers=colleague_headers,
    )
    assert r.status_code == 201, r.text
    second = r.json()
    assert second["author_id"] == str(colleague.id)
    assert second["signed_at"] is not None
    assert len(second["content_hash"]) == 64
    r = await client.post(url, json={"text": ""}, headers=chart.doc_headers)
    assert r.status_code == 422

    full = (await client.get(f"/api/notes/{note['id']}", headers=chart.doc_headers)).json()
    assert [a["text"] for a in full["addenda"]] == [
        "Pharmacy confirmed the allergy list.",
        "Covering: reviewed labs, all normal.",
    ]
    assert full["integrity_ok"] is True
    assert full["content_hash"] == note["content_hash"]  # an addendum never touches the note
    row = await _row(session, note["id"])
    stored = (await session.scalars(select(NoteAddendum).order_by(NoteAddendum.signed_at))).all()
    assert [a.content_hash for a in stored] == [addendum_hash(row, a) for a in stored]
    listed = (await client.get(f"/api/patients/{chart.patient_id}/notes", headers=chart.doc_headers)).json()
    assert {(n["id"], n["status"], n["addenda"]) for n in listed["items"]} == {
        (note["id"], "signed", 2),
        (unsigned["id"], "draft", 0),
    }
