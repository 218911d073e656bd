"""The after-visit summary: the patient sees what the psychiatrist chose, never the private note."""

from __future__ import annotations

import httpx
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.audit.models import AuditEntry
from services.api.config import Settings
from services.api.patients.models import Patient
from tests.api.notes.factories import FILLED, filled_draft, signed_note
from tests.api.treatment.factories import care_team_chart


async def test_the_patient_sees_only_what_the_psychiatrist_shares(
    session: AsyncSession, settings: Settings, client: httpx.AsyncClient
) -> None:
    chart = await care_team_chart(session, settings, client)
    await filled_draft(client, chart, plan="Draft plan nobody should see yet")
    note = await signed_note(client, chart)
    await client.post(
        f"/api/notes/{note['id']}/addenda",
        json={"text": "Private: discussed with the pharmacist."},
        headers=chart.doc_headers,
    )
    await client.post(
        f"/api/notes/{note['id']}/addenda",
        json={"text": "Your first infusion is confirmed for Monday.", "include_in_summary": True},
        headers=chart.doc_headers,
    )

    r = await client.get("/api/patients/me/visit-summaries", headers=chart.patient_headers)
    assert r.status_code == 200, r.text
    page = r.json()
    assert (page["total"], len(page["items"])) == (1, 1)  # the draft is not there
    [summary] = page["items"]
    assert summary["note_id"] == note["id"]
    assert summary["title"] == "Initial psychiatric evaluation"
    assert summary["psychiatrist"] == "Staff psychiatrist, MD"
    assert [(s["section"], s["text"]) for s in summary["sections"]] == [("plan", FILLED["plan"])]
    assert summary["diagnoses"] == [
        {"code": "F33.2", "description": "Major depressive disorder, recurrent, severe without psychotic features"}
    ]
    assert summary["patient_instructions"] == FILLED["patient_instructions"]
    assert [a["text"] for a in summary["addenda"]] == ["Your first infusion is confirmed for Monday."]
    for private in (FILLED["subjective"], FILLED["objective"], FILLED["assessment"], "pharmacist", "Draft plan"):
        assert private not in r.text
    for field in ("content_hash", "billing", "subjective", "assessment"):
        assert field not in r.text

    one = await client.get(f"/api/patients/me/visit-summaries/{note['id']}", headers=chart.patient_headers)
    assert one.status_code == 200
    assert one.json() == summary
    # The psychiatrist previews exactly what the patient sees.
    staff_view = (await client.get(f"/api/notes/{note['id']}", headers=chart.doc_headers)).json()
    assert staff_view["after_visit_summary"] == summary

    actions = (
        await session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.action.like("visit_summary.%"), AuditEntry.actor_id == chart.patient.id)
            .order_by(AuditEntry.id)
        )
    ).all()
    assert actions == ["visit_summary.listed", "visit_summary.read"]


async def test_nothing_is_shared_until_the_psychiatrist_chooses(
    session: AsyncSession, settings: Settings, client: httpx.AsyncClient
) -> None:
    chart = await care_team_chart(session, settings, client)
    note = await signed_note(client, chart, summary_sections=[], patient_instructions="")
    summary = (await client.get(f"/api/patients/me/visit-summaries/{note['id']}", headers=chart.patient_headers)).json()
    assert (summary["sections"], summary["diagnoses"], summary["patient_instructions"]) == ([], [], "")


async def test_a_draft_is_never_a_summary(session: AsyncSession, settings: Settings, client: httpx.AsyncClient) -> None:
    chart = await care_team_chart(session, settings, client)
    note = await filled_draft(client, chart)
    r = await client.get(f"/api/patients/me/visit-summaries/{note['id']}", headers=chart.patient_headers)
    assert r.status_code == 404
    assert r.json()["title"] == "Visit note not found"


async def test_the_preview_is_in_the_patients_language_whoever_reads_it(
    session: AsyncSession, settings: Settings, client: httpx.AsyncClient
) -> None:
    chart = await care_team_chart(session, settings, client)
    await session.execute(update(Patient).where(Patient.user_id == chart.patient.id).values(language="es"))
    await session.commit()
    note = await signed_note(client, chart, summary_sections=["assessment", "plan"])

    mine = await client.get(f"/api/patients/me/visit-summaries/{note['id']}", headers=chart.patient_headers)
    assert mine.status_code == 200, mine.text
    assert mine.json()["title"] == "Evaluación psiquiátrica inicial"
    assert [s["label"] for s in mine.json()["sections"]] == ["Valoración", "Plan"]
    # The psychiatrist's preview, from signing on and on every read, is that same summary.
    assert note["after_visit_summary"] == mine.json()
    staff_view = (await client.get(f"/api/notes/{note['id']}", headers=chart.doc_headers)).json()
    assert staff_view["after_visit_summary"] == mine.json()
