from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.audit.models import AuditEntry
from services.api.config import Settings
from services.api.notes.models import VisitNote
from services.api.patients.service import patient_service
from tests.api.notes.factories import FILLED, draft, filled_draft
from tests.api.treatment.factories import active_plan, care_team_chart, record_score, start_infusion
from tests.factories import create_staff, sign_in


async def test_the_templates_are_the_four_visit_kinds_with_soap_prompts(
    session: AsyncSession, settings: Settings, client: httpx.AsyncClient
) -> None:
    chart = await care_team_chart(session, settings, client)
    r = await client.get("/api/notes/templates", headers=chart.doc_headers)
    assert r.status_code == 200
    templates = {t["code"]: t for t in r.json()}
    assert set(templates) == {"free_consult", "initial_evaluation", "follow_up", "infusion_session"}
    for t in templates.values():
        assert set(t["prompts"]) == {"subjective", "objective", "assessment", "plan"}
    assert templates["initial_evaluation"]["suggested_codes"] == ["90792"]
    assert (await client.get("/api/notes/templates", headers=chart.patient_headers)).status_code == 403


async def test_a_draft_starts_from_its_template_and_pulls_in_the_latest_scores_and_vitals(
    session: AsyncSession, settings: Settings, client: httpx.AsyncClient
) -> None:
    chart = await care_team_chart(session, settings, client)
    consult = str(uuid.uuid4())

    bare = await draft(client, chart, template="follow_up", consult_id=consult, pull_objective=True)
    assert bare["status"] == "draft"
    assert bare["consult_id"] == consult
    assert bare["author_id"] == str(chart.doc.id)
    assert bare["subjective"].startswith("Interval history:")
    assert "Latest scores:\n- none on record" in bare["objective"]
    assert "Latest vitals: none on record" in bare["objective"]
    assert (bare["modality"], bare["place_of_service"], bare["billing_codes"]) == ("video", "10", ["99214"])
    assert (bare["revision"], bare["integrity_ok"], bare["content_hash"]) == (1, None, None)

    await record_score(session, settings, patient=chart.patient, at=datetime(2026, 9, 1, 15, tzinfo=UTC), total=14)
    plan = await active_plan(session, client, chart)
    await start_infusion(client, chart, plan["id"], weight_kg=80.0)

    note = await draft(client, chart, template="infusion_session", pull_objective=True)
    assert "- PHQ-9 14 (moderate), 2026-09-01" in note["objective"]
    assert "BP 128/82, HR 74, SpO2 98%, weight 80.0 kg" in note["objective"]
    assert note["objective"].startswith("Dose and duration:")  # the template's prompt comes first

    # Pulling again adds the current figures to the draft.
    r = await client.post(f"/api/notes/{bare['id']}/objective", headers=chart.doc_headers)
    assert r.status_code == 200, r.text
    assert "- PHQ-9 14 (moderate)" in r.json()["objective"]
    assert r.json()["revision"] == 2


async def test_autosave_keeps_a_revision_and_refuses_to_overwrite_newer_work(
    session: AsyncSession, settings: Settings, client: httpx.AsyncClient
) -> None:
    chart = await care_team_chart(session, settings, client)
    note = await draft(client, chart)
    url = f"/api/notes/{note['id']}"

    r = await client.patch(url, json={"base_revision": 1, "subjective": "First pass"}, headers=chart.doc_headers)
    assert (r.status_code, r.json()["revision"], r.json()["subjective"]) == (200, 2, "First pass")
    r = await client.patch(url, json={"subjective": "First pass"}, headers=chart.doc_headers)
    assert r.json()["revision"] == 2  # nothing changed, no new revision
    r = await client.patch(
        url, json={"base_revision": 1, "subjective": "From the other tab"}, headers=chart.doc_headers
    )
    assert r.status_code == 409
    assert r.json()["type"].endswith("/stale-revision")
    r = await client.get(url, headers=chart.doc_headers)
    assert r.json()["subjective"] == "First pass"

    r = await client.patch(
        url,
        json={"diagnoses": [{"code": "f332"}, {"code": "M79.7", "description": "Fibromyalgia, widespread"}]},
        headers=chart.doc_headers,
    )
    assert r.status_code == 200, r.text
    assert r.json()["diagnoses"] == [
        {"code": "F33.2", "description": "Major depressive disorder, recurrent, severe without psychotic features"},
        {"code": "M79.7", "description": "Fibromyalgia, widespread"},
    ]
    r = await client.patch(url, json={"consult_id": None, "subjective": None}, headers=chart.doc_headers)
    assert r.status_code == 200
    assert r.json()["subjective"] == "First pass"  # null leaves a section as it is

    updates = (
        await session.scalars(
            select(AuditEntry).where(AuditEntry.action == "visit_note.updated").order_by(AuditEntry.id)
        )
    ).all()
    assert [u.detail["fields"] for u in updates] == [["subjective"], [], ["diagnoses"], []]


BAD_INPUT: list[tuple[dict[str, object], str]] = [
    ({"diagnoses": [{"code": "F3"}]}, "body.diagnoses.0.code"),
    ({"diagnoses": [{"code": "33.2"}]}, "body.diagnoses.0.code"),
    ({"diagnoses": [{"code": "F33.22222"}]}, "body.diagnoses.0.code"),
    ({"billing_codes": ["99999"]}, "body.billing_codes.0"),
    ({"billing_codes": ["90792", "abc"]}, "body.billing_codes.1"),
    ({"place_of_service": "11"}, "body.place_of_service"),
    ({"summary_sections": ["private_notes"]}, "body.summary_sections.0"),
    ({"subjective": "x" * 20_001}, "body.subjective"),
    ({"plan": "bad\x00byte"}, "body.plan"),
]


async def test_bad_codes_and_text_are_refused_naming_the_field(
    session: AsyncSession, settings: Settings, client: httpx.AsyncClient
) -> None:
    chart = await care_team_chart(session, settings, client)
    note = await draft(client, chart)
    for change, field in BAD_INPUT:
        r = await client.patch(f"/api/notes/{note['id']}", json=change, headers=chart.doc_headers)
        assert r.status_code == 422, (change, r.text)
        assert field in [e["field"] for e in r.json()["errors"]], (change, r.text)
    after = (await client.get(f"/api/notes/{note['id']}", headers=chart.doc_headers)).json()
    assert after["revision"] == 1


async def test_an_in_person_visit_takes_the_office_place_of_service(
    session: AsyncSession, settings: Settings, client: httpx.AsyncClient
) -> None:
    chart = await care_team_chart(session, settings, client)
    note = await draft(client, chart, template="infusion_session", modality="in_person")
    assert note["place_of_service"] == "11"
    r = await client.post(
        f"/api/patients/{chart.patient_id}/notes",
        json={"template": "follow_up", "modality": "video", "place_of_service": "11"},
        headers=chart.doc_headers,
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "body.place_of_service"
    r = await client.patch(f"/api/notes/{note['id']}", json={"modality": "audio_only"}, headers=chart.doc_headers)
    assert (r.json()["place_of_service"], r.json()["billing"]) == ("10", [])


async def test_only_the_author_may_edit_sign_or_discard_a_draft(
    session: AsyncSession, settings: Settings, client: httpx.AsyncClient
) -> None:
    chart = await care_team_chart(session, settings, client)
    colleague = await create_staff(session, settings)
    await patient_service.add_to_care_team(
        session, patient_id=chart.patient.id, psychiatrist_id=colleague.id, reason="admin"
    )
    await session.commit()
    colleague_headers = await sign_in(client, colleague)
    note = await filled_draft(client, chart)
    url = f"/api/notes/{note['id']}"

    r = await client.get(url, headers=colleague_headers)
    assert r.status_code == 200  # the care team may read a colleague's draft
    for method, path, body in (
        ("PATCH", url, {"plan": "Something else"}),
        ("POST", f"{url}/sign", None),
        ("POST", f"{url}/objective", None),
        ("DELETE", url, None),
    ):
        r = await client.request(method, path, json=body, headers=colleague_headers)
        assert r.status_code == 403, (method, path, r.text)
        assert r.json()["type"].endswith("/not-note-author")

    after = (await client.get(url, headers=chart.doc_headers)).json()
    assert (after["status"], after["revision"], after["plan"]) == ("draft", note["revision"], FILLED["plan"])


async def test_the_author_may_discard_a_draft(
    session: AsyncSession, settings: Settings, client: httpx.AsyncClient
) -> None:
    chart = await care_team_chart(session, settings, client)
    note = await draft(client, chart)
    r = await client.delete(f"/api/notes/{note['id']}", headers=chart.doc_headers)
    assert r.status_code == 204
    assert await session.scalar(select(func.count()).select_from(VisitNote)) == 0
    assert (await client.get(f"/api/notes/{note['id']}", headers=chart.doc_headers)).status_code == 404
    listed = (await client.get(f"/api/patients/{chart.patient_id}/notes", headers=chart.doc_headers)).json()
    assert listed["total"] == 0


async def test_every_note_read_and_write_is_audited_with_ids_only(
    session: AsyncSession, settings: Settings, client: httpx.AsyncClient
) -> None:
    chart = await care_team_chart(session, settings, client)
    note = await filled_draft(client, chart)
    await client.get(f"/api/notes/{note['id']}", headers=chart.doc_headers)
    await client.get(f"/api/patients/{chart.patient_id}/notes", headers=chart.doc_headers)
    await client.post(f"/api/notes/{note['id']}/sign", headers=chart.doc_headers)
    rows = (
        await session.scalars(select(AuditEntry).where(AuditEntry.action.like("visit_note.%")).order_by(AuditEntry.id))
    ).all()
    assert [r.action for r in rows] == [
        "visit_note.created",
        "visit_note.updated",
        "visit_note.read",
        "visit_note.listed",
        "visit_note.signed",
    ]
    assert {(r.actor_id, r.patient_id) for r in rows} == {(chart.doc.id, chart.patient.id)}
    assert all(FILLED["assessment"] not in str(r.detail) for r in rows)


async def test_a_psychiatrist_writing_in_spanish_gets_spanish_prompts_scores_and_vitals(
    session: AsyncSession, settings: Settings, client: httpx.AsyncClient
) -> None:
    chart = await care_team_chart(session, settings, client)
    await record_score(session, settings, patient=chart.patient, at=datetime(2026, 9, 1, 15, tzinfo=UTC), total=17)
    plan = await active_plan(session, client, chart)
    await start_infusion(client, chart, plan["id"], weight_kg=80.0)

    note = await draft(client, chart, template="follow_up", pull_objective=True, language="es")
    assert note["subjective"].startswith("Evolución desde la última consulta:")
    assert note["objective"].startswith("Examen del estado mental:")
    assert "Últimas puntuaciones:\n- PHQ-9 17 (Moderadamente grave), 2026-09-01" in note["objective"]
    assert "antes de la infusión" in note["objective"]
    assert "PA 128/82, FC 74, SpO2 98 %, peso 80.0 kg" in note["objective"]
    for english in ("Interval history", "Latest", "moderately severe", "weight"):
        assert english not in note["objective"] + note["subjective"]

    r = await client.post(f"/api/notes/{note['id']}/objective?language=es", headers=chart.doc_headers)
    assert r.status_code == 200, r.text
    assert r.json()["objective"].count("Últimas puntuaciones:") == 2
    r = await client.post(f"/api/notes/{note['id']}/objective?language=fr", headers=chart.doc_headers)
    assert r.status_code == 422

    # A section that still holds only its Spanish prompt is as empty as an English one.
    r = await client.post(f"/api/notes/{note['id']}/sign", headers=chart.doc_headers)
    assert r.status_code == 422
    assert {e["field"] for e in r.json()["errors"]} >= {"assessment", "plan"}
