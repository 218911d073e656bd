from __future__ import annotations

import io

import httpx
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.audit.models import AuditEntry
from services.api.config import Settings
from tests.api.notes.factories import FILLED, filled_draft, signed_note
from tests.api.treatment.factories import care_team_chart


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


async def test_a_signed_note_exports_as_a_pdf_with_its_content_and_signature(
    session: AsyncSession, settings: Settings, client: httpx.AsyncClient
) -> None:
    chart = await care_team_chart(session, settings, client)
    note = await signed_note(
        client,
        chart,
        subjective="El paciente refiere ánimo bajo; PHQ-9 ≥ 20 “desde enero”.",
        billing_codes=["99214", "90833"],
    )
    r = await client.post(
        f"/api/notes/{note['id']}/addenda", json={"text": "Lab results reviewed."}, headers=chart.doc_headers
    )
    assert r.status_code == 201

    r = await client.get(f"/api/notes/{note['id']}/pdf", headers=chart.doc_headers)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["content-disposition"] == f'attachment; filename="visit-note-{note["id"]}.pdf"'
    assert r.content.startswith(b"%PDF-")

    text = " ".join(pdf_text(r.content).split())
    for expected in (
        settings.practice_name,
        "Initial psychiatric evaluation",
        "Patient: Pat Example",
        "Date of birth: 1985-06-01",
        "Video visit",
        'El paciente refiere ánimo bajo; PHQ-9 >= 20 "desde enero".',
        FILLED["assessment"],
        FILLED["plan"],
        "F33.2 Major depressive disorder, recurrent, severe",
        "99214-95 POS 10",
        "90833-95 POS 10",
        "Electronically signed by Staff psychiatrist, MD",
        note["content_hash"],
        "Addendum 1",
        "Lab results reviewed.",
    ):
        assert expected in text, expected

    [exported] = (await session.scalars(select(AuditEntry).where(AuditEntry.action == "visit_note.exported"))).all()
    assert (exported.actor_id, exported.patient_id, exported.detail) == (
        chart.doc.id,
        chart.patient.id,
        {"format": "pdf"},
    )


async def test_a_draft_does_not_export(session: AsyncSession, settings: Settings, client: httpx.AsyncClient) -> None:
    chart = await care_team_chart(session, settings, client)
    note = await filled_draft(client, chart)
    r = await client.get(f"/api/notes/{note['id']}/pdf", headers=chart.doc_headers)
    assert r.status_code == 409
    assert r.json()["type"].endswith("/note-not-signed")
