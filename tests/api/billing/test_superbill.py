from __future__ import annotations

import io
from datetime import UTC, date, datetime
from typing import Any

import httpx
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.audit.models import AuditEntry
from services.api.clinicians.service import clinician_service
from services.api.config import Settings
from services.api.patients.models import Patient
from services.api.scheduling.models import Booking, VisitType
from tests.api.billing.factories import create_booking, create_payment, create_refund
from tests.api.notes.factories import filled_draft, signed_note
from tests.api.scheduling.factories import create_visit_type
from tests.api.treatment.factories import Chart, care_team_chart
from tests.factories import create_patient, create_staff, sign_in

DOC_NPI = "1245319599"


def pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


async def billing_chart(session: AsyncSession, settings: Settings, client: httpx.AsyncClient) -> Chart:
    """A patient and their psychiatrist, who has an NPI and an Idaho licence (the patient's state)."""
    chart = await care_team_chart(session, settings, client)
    profile = await clinician_service.get(session, chart.doc.id)
    profile.npi = DOC_NPI
    profile.credentials = "MD"
    await clinician_service.add_license(
        session, psychiatrist_id=chart.doc.id, state="ID", number="M-12345", expires_on=date(2030, 1, 1)
    )
    await clinician_service.add_license(
        session, psychiatrist_id=chart.doc.id, state="OR", number="OR-999", expires_on=date(2030, 1, 1)
    )
    await session.commit()
    return chart


async def visit(
    session: AsyncSession, chart: Chart, visit_type: VisitType, starts_at: datetime, *, status: str = "confirmed"
) -> Booking:
    return await create_booking(
        session,
        patient_id=chart.patient.id,
        psychiatrist_id=chart.doc.id,
        visit_type=visit_type,
        starts_at=starts_at,
        status=status,
    )


async def sign_for(client: httpx.AsyncClient, chart: Chart, booking: Booking, **changes: Any) -> dict[str, Any]:
    return await signed_note(
        client, chart, consult_id=str(booking.id), visit_at=booking.starts_at.isoformat(), **changes
    )


async def test_a_visit_superbill_has_practice_provider_patient_codes_and_amounts(
    session: AsyncSession, settings: Settings, client: httpx.AsyncClient
) -> None:
    chart = await billing_chart(session, settings, client)
    vt = await create_visit_type(session, name="Follow-up visit", price_cents=30000)
    # 17:00 UTC is 10:00 in Boise (MST, UTC-7) on 2026-03-02.
    booking = await visit(session, chart, vt, datetime(2026, 3, 2, 17, 0, tzinfo=UTC))
    payment = await create_payment(session, booking=booking, succeeded_at=datetime(2026, 2, 20, tzinfo=UTC))
    await create_refund(session, payment=payment, amount_cents=5000, reason="goodwill")
    await create_refund(session, payment=payment, amount_cents=2500, status="pending")
    await create_refund(session, payment=payment, amount_cents=1000, status="failed")
    note = await sign_for(
        client,
        chart,
        booking,
        billing_codes=["99214", "90833"],
        diagnoses=[{"code": "F33.2"}, {"code": "F41.1"}],
    )

    r = await client.get(f"/api/bookings/{booking.id}/superbill.pdf", headers=chart.patient_headers)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["content-disposition"] == f'attachment; filename="superbill-{booking.id}.pdf"'
    text = pdf_text(r.content)
    for expected in (
        "SUPERBILL",
        settings.practice_name,
        settings.practice_address,
        settings.practice_phone,
        "Practice NPI: 1093817465",
        "Tax ID (EIN): 82-1234567",
        f"Staff psychiatrist, MD NPI: {DOC_NPI} Licence (ID): M-12345",
        "Name: Pat Example Date of birth: 1985-06-01",
        "State of residence: ID",
        "Visit 1: date of service 2026-03-02",
        "Time: 2026-03-02 10:00 MST Visit: Follow-up visit",
        "A. F33.2 Major depressive disorder, recurrent, severe",
        "B. F41.1 Generalized anxiety disorder",
        "2026-03-02 99214 95 10 A,B",
        "2026-03-02 90833 95 10 A,B",
        "Place of service 10 - telehealth, patient at home",
        "Modifier 95 - synchronous telemedicine (video)",
        # Pending and failed refunds are not money back yet.
        "Charged: $300.00 Paid: $300.00 Refunded: $50.00",
        "Net paid: $250.00",
    ):
        assert expected in text, f"{expected!r} not in {text!r}"
    assert "OR-999" not in text  # only the licence for the patient's state
    assert "left out" not in text
    assert note["assessment"] not in text  # a superbill carries codes, not the note

    [entry] = (await session.scalars(select(AuditEntry).where(AuditEntry.action == "superbill.exported"))).all()
    assert (entry.actor_id, entry.patient_id, entry.subject_id) == (chart.patient.id, chart.patient.id, str(booking.id))
    assert entry.detail["billing_codes"] == ["99214", "90833"]


async def test_a_free_visit_shows_zero_amounts_and_place_of_service_02(
    session: AsyncSession, settings: Settings, client: httpx.AsyncClient
) -> None:
    chart = await billing_chart(session, settings, client)
    vt = await create_visit_type(session, name="Free consult", price_cents=0)
    booking = await visit(session, chart, vt, datetime(2026, 4, 6, 16, 0, tzinfo=UTC))
    await sign_for(client, chart, booking, billing_codes=["90792"], place_of_service="02")

    r = await client.get(f"/api/bookings/{booking.id}/superbill.pdf", headers=chart.doc_headers)
    assert r.status_code == 200, r.text
    text = pdf_text(r.content)
    assert "2026-04-06 90792 95 02 A" in text
    assert "Place of service 02 - telehealth, patient not at home" in text
    assert "Charged: $0.00 Paid: $0.00 Refunded: $0.00" in text


async def test_a_visit_whose_note_is_not_signed_gets_409_saying_so(
    session: AsyncSession, settings: Settings, client: httpx.AsyncClient
) -> None:
    chart = await billing_chart(session, settings, client)
    vt = await create_visit_type(session)
    no_note = await visit(session, chart, vt, datetime(2026, 5, 4, 16, 0, tzinfo=UTC))
    drafted = await visit(session, chart, vt, datetime(2026, 5, 5, 16, 0, tzinfo=UTC))
    await filled_draft(client, chart, consult_id=str(drafted.id))

    for booking, words in ((no_note, "no signed note"), (drafted, "not signed it yet")):
        r = await client.get(f"/api/bookings/{booking.id}/superbill.pdf", headers=chart.patient_headers)
        assert r.status_code == 409, r.text
        problem = r.json()
        assert problem["type"].endswith("/superbill-note-unsigned")
        assert problem["title"] == "The visit note must be signed before a superbill can be made"
        assert words in problem["detail"]
    assert not (await session.scalars(select(AuditEntry).where(AuditEntry.action == "superbill.exported"))).all()


async def test_a_range_superbill_lists_signed_visits_in_the_patients_days_and_counts_the_rest(
    session: AsyncSession, settings: Settings, client: httpx.AsyncClient
) -> None:
    chart = await billing_chart(session, settings, client)
    patient = await session.get(Patient, chart.patient.id)
    assert patient is not None
    patient.time_zone = "America/Los_Angeles"
    patient.legal_name = "Patricia Example"
    await session.commit()
    vt = await create_visit_type(session, name="Follow-up", price_cents=20000)
    # 2026-03-01 06:00 UTC is still 2026-02-28 in Los Angeles: outside the range.
    before = await visit(session, chart, vt, datetime(2026, 3, 1, 6, 0, tzinfo=UTC))
    first = await visit(session, chart, vt, datetime(2026, 3, 1, 9, 0, tzinfo=UTC))  # 03-01 01:00 PST
    second = await visit(session, chart, vt, datetime(2026, 3, 20, 17, 0, tzinfo=UTC))  # 03-20 10:00 PDT
    unsigned = await visit(session, chart, vt, datetime(2026, 3, 21, 17, 0, tzinfo=UTC))
    await visit(session, chart, vt, datetime(2026, 3, 22, 17, 0, tzinfo=UTC), status="cancelled")
    # 2026-04-01 06:30 UTC is 2026-03-31 23:30 in Los Angeles: inside.
    last = await visit(session, chart, vt, datetime(2026, 4, 1, 6, 30, tzinfo=UTC))
    for b in (first, second, last):
        await create_payment(session, booking=b)
    await sign_for(client, chart, before, billing_codes=["99213"])
    await sign_for(client, chart, first, billing_codes=["90792"])
    await sign_for(client, chart, second, billing_codes=["99214", "90836"], place_of_service="02")
    await sign_for(client, chart, last, billing_codes=["99215"])
    await filled_draft(client, chart, consult_id=str(unsigned.id))

    r = await client.get(
        f"/api/patients/{chart.patient.id}/superbill.pdf",
        params={"from": "2026-03-01", "to": "2026-03-31"},
        headers=chart.patient_headers,
    )
    assert r.status_code == 200, r.text
    assert r.headers["content-disposition"] == 'attachment; filename="superbill-2026-03-01-to-2026-03-31.pdf"'
    text = pdf_text(r.content)
    for expected in (
        "Name: Patricia Example",
        "Dates of service 2026-03-01 to 2026-03-31",
        "Visit 1: date of service 2026-03-01",
        "2026-03-01 90792 95 10",
        "Visit 2: date of service 2026-03-20",
        "2026-03-20 99214 95 02",
        "2026-03-20 90836 95 02",
        "Visit 3: date of service 2026-03-31",
        "2026-03-31 99215 95 10",
        "Charged: $600.00 Paid: $600.00 Refunded: $0.00 Net paid: $600.00",
        "1 visit was left out of this superbill because the visit note is not signed yet",
    ):
        assert expected in text, f"{expected!r} not in {text!r}"
    assert "99213" not in text
    assert "Visit 4" not in text

    [entry] = (await session.scalars(select(AuditEntry).where(AuditEntry.action == "superbill.exported"))).all()
    assert entry.patient_id == chart.patient.id
    assert entry.detail["left_out"] == 1
    assert sorted(entry.detail["booking_ids"]) == sorted(str(b.id) for b in (first, second, last))


async def test_who_may_fetch_a_superbill(session: AsyncSession, settings: Settings, client: httpx.AsyncClient) -> None:
    chart = await billing_chart(session, settings, client)
    vt = await create_visit_type(session)
    booking = await visit(session, chart, vt, datetime(2026, 6, 1, 16, 0, tzinfo=UTC))
    await sign_for(client, chart, booking)
    other_patient = await sign_in(client, await create_patient(session))
    other_doc = await sign_in(client, await create_staff(session, settings))
    admin = await sign_in(client, await create_staff(session, settings, role="admin"))
    one = f"/api/bookings/{booking.id}/superbill.pdf"
    many = f"/api/patients/{chart.patient.id}/superbill.pdf?from=2026-06-01&to=2026-06-30"

    for headers, status in (
        (chart.patient_headers, 200),
        (chart.doc_headers, 200),
        (admin, 200),
        (other_patient, 404),  # another patient's visit looks like no visit
        (other_doc, 403),  # not on this patient's care team
        ({}, 401),
    ):
        for url in (one, many):
            r = await client.get(url, headers=headers)
            assert r.status_code == status, (url, r.text)
            if status == 200:
                assert "2026-06-01" in pdf_text(r.content)

    entries = (await session.scalars(select(AuditEntry).where(AuditEntry.action == "superbill.exported"))).all()
    assert len(entries) == 6
    assert {e.patient_id for e in entries} == {chart.patient.id}
    assert {e.actor_role for e in entries} == {"patient", "psychiatrist", "admin"}


async def test_a_superbill_range_must_be_ordered_and_at_most_a_year(
    session: AsyncSession, settings: Settings, client: httpx.AsyncClient
) -> None:
    chart = await billing_chart(session, settings, client)
    url = f"/api/patients/{chart.patient.id}/superbill.pdf"
    for params, field in (
        ({"from": "2026-03-31", "to": "2026-03-01"}, "query.to"),
        ({"from": "2025-01-01", "to": "2026-03-01"}, "query.to"),
        ({"from": "1900-01-01", "to": "1900-01-02"}, "query.from"),
        ({"from": "2026-03-01"}, "query.to"),
    ):
        r = await client.get(url, params=params, headers=chart.patient_headers)
        assert r.status_code == 422, r.text
        assert [e["field"] for e in r.json()["errors"]] == [field], r.text
