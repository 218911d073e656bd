from __future__ import annotations

import csv
import io
import typing
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.audit.models import AuditEntry
from services.api.billing.schemas import PaymentStatus
from services.api.clinicians.models import PsychiatristProfile
from services.api.config import Settings
from services.api.patients.models import Patient
from services.api.patients.service import patient_service
from services.api.payments.models import PAYMENT_STATUSES, Payment
from services.api.scheduling.models import Booking, VisitType
from services.common.clock import utcnow
from tests.api.billing.factories import create_booking, create_payment, create_refund
from tests.api.notes.factories import signed_note
from tests.api.scheduling.factories import create_psychiatrist, create_visit_type
from tests.api.treatment.factories import Chart
from tests.factories import Account, create_patient, create_staff, sign_in

BASE = "/api/admin/billing"


@dataclass
class Practice:
    admin: Account
    admin_headers: dict[str, str]
    alice: Account  # psychiatrists
    bob: Account
    pat: Account  # patients
    sam: Account
    follow_up: VisitType
    infusion: VisitType


async def practice(session: AsyncSession, settings: Settings, client: httpx.AsyncClient) -> Practice:
    admin = await create_staff(session, settings, role="admin")
    alice = await create_psychiatrist(session, settings)
    bob = await create_psychiatrist(session, settings)
    for doc, name in ((alice, "Alice Adams"), (bob, "Bob Brown")):
        doc.user.full_name = name
        profile = await session.get(PsychiatristProfile, doc.id)
        assert profile is not None
        profile.display_name = name
    pat = await create_patient(session)
    sam = await create_patient(session)
    sam_row = await session.get(Patient, sam.id)
    assert sam_row is not None
    sam_row.legal_name = 'Sam "The Sailor" Smith, Jr.'
    await session.commit()
    follow_up = await create_visit_type(session, name="Follow-up", price_cents=15000)
    infusion = await create_visit_type(session, name="IV ketamine infusion", price_cents=45000, is_infusion=True)
    return Practice(admin, await sign_in(client, admin), alice, bob, pat, sam, follow_up, infusion)


async def paid_visit(
    session: AsyncSession,
    *,
    patient: Account,
    doc: Account,
    visit_type: VisitType,
    starts_at: datetime,
    status: str = "succeeded",
    created_at: datetime | None = None,
    succeeded_at: datetime | None = None,
    **payment: typing.Any,
) -> tuple[Booking, Payment]:
    booking = await create_booking(
        session, patient_id=patient.id, psychiatrist_id=doc.id, visit_type=visit_type, starts_at=starts_at
    )
    paid = await create_payment(
        session,
        booking=booking,
        status=status,
        created_at=created_at or starts_at - timedelta(days=3),
        succeeded_at=succeeded_at,
        **payment,
    )
    return booking, paid


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


async def test_the_status_filter_knows_exactly_the_payment_statuses() -> None:
    assert typing.get_args(PaymentStatus) == PAYMENT_STATUSES


async def test_payments_are_listed_with_names_and_filtered_and_paginated(
    session: AsyncSession, settings: Settings, client: httpx.AsyncClient
) -> None:
    p = await practice(session, settings, client)
    b1, pay1 = await paid_visit(
        session,
        patient=p.pat,
        doc=p.alice,
        visit_type=p.follow_up,
        starts_at=utc(2026, 3, 10, 17),
        created_at=utc(2026, 3, 2, 18),
    )
    await create_refund(session, payment=pay1, amount_cents=5000)
    await paid_visit(
        session,
        patient=p.sam,
        doc=p.bob,
        visit_type=p.infusion,
        starts_at=utc(2026, 3, 11, 17),
        created_at=utc(2026, 3, 3, 18),
    )
    _, failed = await paid_visit(
        session,
        patient=p.sam,
        doc=p.alice,
        visit_type=p.infusion,
        starts_at=utc(2026, 3, 12, 17),
        created_at=utc(2026, 3, 4, 18),
        status="failed",
        failure_code="card_declined",
        outcome="released",
        test_mode=False,
    )
    # 2026-03-05 06:30 UTC is still 2026-03-04 in Boise (23:30 MST).
    await paid_visit(
        session,
        patient=p.pat,
        doc=p.bob,
        visit_type=p.follow_up,
        starts_at=utc(2026, 3, 13, 17),
        created_at=utc(2026, 3, 5, 6, 30),
    )

    r = await client.get(f"{BASE}/payments", headers=p.admin_headers)
    assert r.status_code == 200, r.text
    page = r.json()
    assert page["total"] == 4
    assert [row["created_at"][:16] for row in page["items"]] == [
        "2026-03-04T23:30",
        "2026-03-04T11:00",
        "2026-03-03T11:00",
        "2026-03-02T11:00",
    ]
    first = page["items"][-1]
    assert first == {
        "payment_id": str(pay1.id),
        "booking_id": str(b1.id),
        "date_of_service": "2026-03-10T11:00:00-06:00",
        "time_zone": "America/Boise",
        "patient_id": str(p.pat.id),
        "patient_name": "Pat Example",
        "psychiatrist_id": str(p.alice.id),
        "psychiatrist_name": "Alice Adams",
        "visit_type_id": str(p.follow_up.id),
        "visit_type": "Follow-up",
        "amount_cents": 15000,
        "refunded_cents": 5000,
        "currency": "usd",
        "status": "succeeded",
        "outcome": "confirmed",
        "failure_code": None,
        "failure_message": None,
        "created_at": "2026-03-02T11:00:00-07:00",
        "succeeded_at": "2026-03-02T11:00:00-07:00",
        "test_mode": True,
    }

    async def ids(**params: typing.Any) -> list[str]:
        r = await client.get(f"{BASE}/payments", params=params, headers=p.admin_headers)
        assert r.status_code == 200, r.text
        return [row["payment_id"] for row in r.json()["items"]]

    assert await ids(status="failed") == [str(failed.id)]
    [failed_row] = (await client.get(f"{BASE}/payments?status=failed", headers=p.admin_headers)).json()["items"]
    assert (
        failed_row["failure_code"],
        failed_row["failure_message"],
        failed_row["outcome"],
        failed_row["test_mode"],
    ) == (
        "card_declined",
        "Your card was declined.",
        "released",
        False,
    )
    assert len(await ids(psychiatrist_id=str(p.alice.id))) == 2
    assert len(await ids(visit_type_id=str(p.infusion.id))) == 2
    assert len(await ids(psychiatrist_id=str(p.alice.id), visit_type_id=str(p.infusion.id))) == 1
    assert await ids(test_mode="false") == [str(failed.id)]
    # Days are the practice's: the payment made 2026-03-05 06:30 UTC belongs to 2026-03-04.
    assert len(await ids(**{"from": "2026-03-03", "to": "2026-03-04"})) == 3
    assert len(await ids(**{"from": "2026-03-04", "to": "2026-03-04", "tz": "UTC"})) == 1
    assert len(await ids(**{"from": "2026-03-05"})) == 0
    assert len(await ids(**{"from": "2026-03-05", "tz": "UTC"})) == 1

    r = await client.get(f"{BASE}/payments", params={"limit": 3, "page": 2}, headers=p.admin_headers)
    assert (r.json()["total"], r.json()["page"], len(r.json()["items"])) == (4, 2, 1)
    assert r.json()["items"][0]["payment_id"] == str(pay1.id)


async def test_each_listed_payment_is_an_audited_read_of_its_patient(
    session: AsyncSession, settings: Settings, client: httpx.AsyncClient
) -> None:
    p = await practice(session, settings, client)
    for patient, day in ((p.pat, 1), (p.sam, 2), (p.pat, 3)):
        await paid_visit(session, patient=patient, doc=p.alice, visit_type=p.follow_up, starts_at=utc(2026, 4, day, 17))
    r = await client.get(f"{BASE}/payments", params={"limit": 2}, headers=p.admin_headers)
    assert r.status_code == 200
    entries = (await session.scalars(select(AuditEntry).where(AuditEntry.action == "billing.payment_listed"))).all()
    assert sorted((e.subject_id, e.patient_id) for e in entries) == sorted(
        (row["payment_id"], uuid.UUID(row["patient_id"])) for row in r.json()["items"]
    )
    assert {e.actor_id for e in entries} == {p.admin.id}


async def test_refunds_are_listed_with_amount_reason_kind_who_and_when(
    session: AsyncSession, settings: Settings, client: httpx.AsyncClient
) -> None:
    p = await practice(session, settings, client)
    booking, paid = await paid_visit(
        session, patient=p.sam, doc=p.bob, visit_type=p.infusion, starts_at=utc(2026, 3, 20, 17)
    )
    _, other = await paid_visit(
        session, patient=p.pat, doc=p.alice, visit_type=p.follow_up, starts_at=utc(2026, 3, 21, 17)
    )
    by_admin = await create_refund(
        session,
        payment=paid,
        amount_cents=10000,
        kind="admin",
        reason="Infusion cut short",
        requested_by=p.admin.id,
        requested_by_role="admin",
        created_at=utc(2026, 3, 21, 20),
    )
    await create_refund(
        session,
        payment=other,
        amount_cents=15000,
        kind="cancellation_policy",
        status="pending",
        created_at=utc(2026, 3, 22, 20),
    )

    r = await client.get(f"{BASE}/refunds", headers=p.admin_headers)
    assert r.status_code == 200, r.text
    assert r.json()["total"] == 2
    newest, oldest = r.json()["items"]
    assert (newest["kind"], newest["status"], newest["requested_by"]) == ("cancellation_policy", "pending", None)
    assert oldest == {
        "refund_id": str(by_admin.id),
        "payment_id": str(paid.id),
        "booking_id": str(booking.id),
        "date_of_service": "2026-03-20T11:00:00-06:00",
        "time_zone": "America/Boise",
        "patient_id": str(p.sam.id),
        "patient_name": 'Sam "The Sailor" Smith, Jr.',
        "psychiatrist_id": str(p.bob.id),
        "psychiatrist_name": "Bob Brown",
        "visit_type_id": str(p.infusion.id),
        "visit_type": "IV ketamine infusion",
        "amount_cents": 10000,
        "currency": "usd",
        "status": "succeeded",
        "kind": "admin",
        "reason": "Infusion cut short",
        "requested_by": str(p.admin.id),
        "requested_by_name": "Staff admin",
        "requested_by_role": "admin",
        "created_at": "2026-03-21T14:00:00-06:00",
        "test_mode": True,
    }
    for params, expected in (
        ({"status": "succeeded"}, [str(by_admin.id)]),
        ({"psychiatrist_id": str(p.bob.id)}, [str(by_admin.id)]),
        ({"visit_type_id": str(p.follow_up.id)}, [newest["refund_id"]]),
        ({"from": "2026-03-22", "to": "2026-03-22"}, [newest["refund_id"]]),
    ):
        r = await client.get(f"{BASE}/refunds", params=params, headers=p.admin_headers)
        assert [row["refund_id"] for row in r.json()["items"]] == expected, params
    audited = (await session.scalars(select(AuditEntry).where(AuditEntry.action == "billing.refund_listed"))).all()
    assert {e.patient_id for e in audited} == {p.sam.id, p.pat.id}


async def test_revenue_by_day_follows_the_practice_calendar_across_dst(
    session: AsyncSession, settings: Settings, client: httpx.AsyncClient
) -> None:
    p = await practice(session, settings, client)
    # Boise moves from MST (UTC-7) to MDT (UTC-6) on 2026-03-08 and back on 2026-11-01.
    moments = [
        utc(2026, 3, 8, 6, 30),  # 03-07 23:30 MST
        utc(2026, 3, 9, 6, 30),  # 03-09 00:30 MDT (a fixed -7 offset would say 03-08 23:30)
        utc(2026, 11, 1, 6, 30),  # 11-01 00:30 MDT
        utc(2026, 11, 2, 6, 30),  # 11-01 23:30 MST (a fixed -6 offset would say 11-02 00:30)
    ]
    payments = []
    for i, at in enumerate(moments):
        _, paid = await paid_visit(
            session,
            patient=p.pat,
            doc=p.alice,
            visit_type=p.follow_up,
            starts_at=at + timedelta(days=10, hours=i),
            created_at=at - timedelta(hours=1),
            succeeded_at=at,
        )
        payments.append(paid)
    # A refund counts on the day it was made, not on the payment's day.
    await create_refund(session, payment=payments[0], amount_cents=4000, created_at=utc(2026, 3, 9, 6, 0))
    await create_refund(session, payment=payments[1], amount_cents=9999, status="failed", created_at=utc(2026, 3, 9))
    # Not succeeded: not revenue.
    await paid_visit(
        session,
        patient=p.sam,
        doc=p.alice,
        visit_type=p.follow_up,
        starts_at=utc(2026, 3, 30, 17),
        status="processing",
        created_at=utc(2026, 3, 8, 20),
    )

    r = await client.get(
        f"{BASE}/revenue", params={"group": "day", "from": "2026-03-07", "to": "2026-03-09"}, headers=p.admin_headers
    )
    assert r.status_code == 200, r.text
    report = r.json()
    assert (report["time_zone"], report["from_date"], report["to_date"]) == (
        "America/Boise",
        "2026-03-07",
        "2026-03-09",
    )
    # Every day of the range, the empty one too; the refund at 2026-03-09 06:00 UTC is 00:00 MDT on the 9th.
    assert [
        (
            row["period_start"],
            row["gross_cents"],
            row["refunded_cents"],
            row["net_cents"],
            row["payments"],
            row["refunds"],
        )
        for row in report["rows"]
    ] == [
        ("2026-03-07", 15000, 0, 15000, 1, 0),
        ("2026-03-08", 0, 0, 0, 0, 0),
        ("2026-03-09", 15000, 4000, 11000, 1, 1),
    ]
    assert report["totals"] == [
        {
            "currency": "usd",
            "gross_cents": 30000,
            "refunded_cents": 4000,
            "net_cents": 26000,
            "payments": 2,
            "refunds": 1,
        }
    ]

    r = await client.get(
        f"{BASE}/revenue", params={"group": "day", "from": "2026-10-31", "to": "2026-11-02"}, headers=p.admin_headers
    )
    by_day = {row["period_start"]: row["payments"] for row in r.json()["rows"]}
    assert by_day == {"2026-10-31": 0, "2026-11-01": 2, "2026-11-02": 0}

    # The same moments in UTC fall on other days.
    r = await client.get(
        f"{BASE}/revenue",
        params={"group": "day", "from": "2026-10-31", "to": "2026-11-02", "tz": "UTC"},
        headers=p.admin_headers,
    )
    by_day = {row["period_start"]: row["payments"] for row in r.json()["rows"]}
    assert by_day == {"2026-10-31": 0, "2026-11-01": 1, "2026-11-02": 1}


async def test_revenue_by_month_and_week_per_psychiatrist_and_visit_type(
    session: AsyncSession, settings: Settings, client: httpx.AsyncClient
) -> None:
    p = await practice(session, settings, client)
    for doc, vt, at in (
        (p.alice, p.follow_up, utc(2026, 1, 5, 18)),  # Monday
        (p.alice, p.infusion, utc(2026, 1, 11, 18)),  # Sunday, same ISO week
        (p.bob, p.infusion, utc(2026, 1, 12, 18)),  # the next Monday
        (p.bob, p.follow_up, utc(2026, 2, 1, 6)),  # 2026-01-31 23:00 in Boise
    ):
        await paid_visit(
            session, patient=p.pat, doc=doc, visit_type=vt, starts_at=at + timedelta(days=20), succeeded_at=at
        )

    async def report(**params: str) -> list[tuple[str, str | None, int, int]]:
        r = await client.get(f"{BASE}/revenue", params=params, headers=p.admin_headers)
        assert r.status_code == 200, r.text
        return [(row["period_start"], row["label"], row["net_cents"], row["payments"]) for row in r.json()["rows"]]

    assert await report(group="month", by="psychiatrist", **{"from": "2026-01-01", "to": "2026-02-28"}) == [
        ("2026-01-01", "Alice Adams", 60000, 2),
        ("2026-01-01", "Bob Brown", 60000, 2),
    ]
    assert await report(group="week", by="visit_type", **{"from": "2026-01-05", "to": "2026-01-18"}) == [
        ("2026-01-05", "Follow-up", 15000, 1),
        ("2026-01-05", "IV ketamine infusion", 45000, 1),
        ("2026-01-12", "IV ketamine infusion", 45000, 1),
    ]
    assert await report(group="month", **{"from": "2026-01-01", "to": "2026-03-31"}) == [
        ("2026-01-01", None, 120000, 4),
        ("2026-02-01", None, 0, 0),
        ("2026-03-01", None, 0, 0),
    ]
    assert await report(group="month", psychiatrist_id=str(p.bob.id), **{"from": "2026-01-01", "to": "2026-01-31"}) == [
        ("2026-01-01", None, 60000, 2),
    ]


async def test_open_holds_are_listed_with_their_payment_status(
    session: AsyncSession, settings: Settings, client: httpx.AsyncClient
) -> None:
    p = await practice(session, settings, client)
    now = utcnow()
    starts = now + timedelta(days=5)
    open_hold = await create_booking(
        session,
        patient_id=p.pat.id,
        psychiatrist_id=p.alice.id,
        visit_type=p.infusion,
        starts_at=starts,
        status="held",
        hold_expires_at=now + timedelta(minutes=8),
    )
    await create_payment(session, booking=open_hold, status="requires_action", created_at=now - timedelta(minutes=2))
    no_payment_yet = await create_booking(
        session,
        patient_id=p.sam.id,
        psychiatrist_id=p.bob.id,
        visit_type=p.follow_up,
        starts_at=starts,
        status="held",
        hold_expires_at=now + timedelta(minutes=9),
    )
    await create_booking(  # expired hold: not open
        session,
        patient_id=p.sam.id,
        psychiatrist_id=p.alice.id,
        visit_type=p.follow_up,
        starts_at=starts + timedelta(hours=2),
        status="held",
        hold_expires_at=now - timedelta(minutes=1),
    )
    await create_booking(  # confirmed: not a hold
        session,
        patient_id=p.pat.id,
        psychiatrist_id=p.alice.id,
        visit_type=p.follow_up,
        starts_at=starts + timedelta(hours=4),
    )

    r = await client.get(f"{BASE}/holds", headers=p.admin_headers)
    assert r.status_code == 200, r.text
    assert r.json()["total"] == 2
    assert [
        (row["booking_id"], row["payment_status"], row["patient_name"], row["price_cents"]) for row in r.json()["items"]
    ] == [
        (str(open_hold.id), "requires_action", "Pat Example", 45000),
        (str(no_payment_yet.id), None, 'Sam "The Sailor" Smith, Jr.', 15000),
    ]
    r = await client.get(f"{BASE}/holds", params={"psychiatrist_id": str(p.bob.id)}, headers=p.admin_headers)
    assert [row["booking_id"] for row in r.json()["items"]] == [str(no_payment_yet.id)]
    audited = (await session.scalars(select(AuditEntry).where(AuditEntry.action == "billing.hold_listed"))).all()
    assert sorted(e.subject_id or "" for e in audited) == sorted(
        [str(open_hold.id), str(no_payment_yet.id), str(no_payment_yet.id)]
    )


async def test_payments_export_as_rfc4180_csv_with_decimal_dollars(
    session: AsyncSession, settings: Settings, client: httpx.AsyncClient
) -> None:
    p = await practice(session, settings, client)
    sam_row = await session.get(Patient, p.sam.id)
    assert sam_row is not None
    sam_row.legal_name = '=HYPERLINK("x"), Sam'
    await session.commit()
    b1, pay1 = await paid_visit(
        session,
        patient=p.sam,
        doc=p.alice,
        visit_type=p.infusion,
        starts_at=utc(2026, 3, 10, 17),
        created_at=utc(2026, 3, 2, 18),
        amount_cents=123456,
    )
    await create_refund(session, payment=pay1, amount_cents=5)
    await paid_visit(
        session,
        patient=p.pat,
        doc=p.bob,
        visit_type=p.follow_up,
        starts_at=utc(2026, 3, 11, 17),
        created_at=utc(2026, 4, 2, 18),
    )

    r = await client.get(
        f"{BASE}/payments.csv", params={"from": "2026-03-01", "to": "2026-03-31"}, headers=p.admin_headers
    )
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    assert r.headers["content-disposition"] == 'attachment; filename="payments-2026-03-01-to-2026-03-31.csv"'
    assert r.text.endswith("\r\n")
    rows = list(csv.reader(io.StringIO(r.text, newline="")))
    assert rows[0] == [
        "booking_id",
        "payment_id",
        "date_of_service",
        "patient",
        "psychiatrist",
        "visit_type",
        "amount",
        "refunded",
        "currency",
        "status",
        "outcome",
        "failure_code",
        "created_at",
        "succeeded_at",
        "test_mode",
    ]
    assert rows[1:] == [
        [
            str(b1.id),
            str(pay1.id),
            "2026-03-10T11:00:00-06:00",
            '\'=HYPERLINK("x"), Sam',  # a formula is not run by the spreadsheet
            "Alice Adams",
            "IV ketamine infusion",
            "1234.56",
            "0.05",
            "USD",
            "succeeded",
            "confirmed",
            "",
            "2026-03-02T11:00:00-07:00",
            "2026-03-02T11:00:00-07:00",
            "true",
        ]
    ]
    # RFC 4180: a field with quotes or commas is quoted, its quotes doubled.
    assert '"\'=HYPERLINK(""x""), Sam"' in r.text
    exported = (await session.scalars(select(AuditEntry).where(AuditEntry.action == "billing.payment_exported"))).all()
    assert [(e.subject_id, e.patient_id) for e in exported] == [(str(pay1.id), p.sam.id)]


async def test_bad_filters_get_422_naming_the_field(
    session: AsyncSession, settings: Settings, client: httpx.AsyncClient
) -> None:
    p = await practice(session, settings, client)
    for path, params, field in (
        ("/payments", {"from": "2026-03-02", "to": "2026-03-01"}, "query.to"),
        ("/payments.csv", {"from": "2026-03-02", "to": "2026-03-01"}, "query.to"),
        ("/refunds", {"from": "2026-03-02", "to": "2026-03-01"}, "query.to"),
        ("/revenue", {"from": "2026-03-02", "to": "2026-03-01"}, "query.to"),
        ("/payments", {"status": "refunded"}, "query.status"),
        ("/refunds", {"status": "done"}, "query.status"),
        ("/revenue", {"group": "year"}, "query.group"),
        ("/revenue", {"by": "patient"}, "query.by"),
        ("/revenue", {"tz": "Mars/Olympus"}, "query.tz"),
        ("/revenue", {"group": "day", "from": "2020-01-01", "to": "2026-01-01"}, "query.to"),
        ("/payments", {"from": "0001-01-01"}, "query.from"),
        ("/holds", {"psychiatrist_id": "alice"}, "query.psychiatrist_id"),
    ):
        r = await client.get(BASE + path, params=params, headers=p.admin_headers)
        assert r.status_code == 422, (path, params, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
        assert [e["field"] for e in r.json()["errors"]] == [field], (path, params, r.text)


async def test_admins_see_amounts_and_names_but_no_note_content_or_diagnoses(
    session: AsyncSession, settings: Settings, client: httpx.AsyncClient
) -> None:
    p = await practice(session, settings, client)
    booking, _ = await paid_visit(
        session, patient=p.pat, doc=p.alice, visit_type=p.follow_up, starts_at=utc(2026, 3, 10, 17)
    )
    await patient_service.add_to_care_team(session, patient_id=p.pat.id, psychiatrist_id=p.alice.id, reason="booking")
    await session.commit()
    chart = Chart(p.pat, p.alice, await sign_in(client, p.pat), await sign_in(client, p.alice))
    note = await signed_note(
        client, chart, consult_id=str(booking.id), billing_codes=["99214"], diagnoses=[{"code": "F43.10"}]
    )
    everything = ""
    for path in ("/payments", "/refunds", "/revenue", "/holds", "/payments.csv"):
        r = await client.get(BASE + path, headers=p.admin_headers)
        assert r.status_code == 200, r.text
        everything += r.text
    assert "Follow-up" in everything
    assert "15000" in everything
    for secret in ("F43.10", "99214", note["assessment"], note["plan"], note["subjective"]):
        assert secret not in everything


async def test_only_admins_reach_the_billing_dashboard(
    session: AsyncSession, settings: Settings, client: httpx.AsyncClient
) -> None:
    patient = await sign_in(client, await create_patient(session))
    doc = await sign_in(client, await create_staff(session, settings))
    for path in ("/payments", "/payments.csv", "/refunds", "/revenue", "/holds"):
        assert (await client.get(BASE + path)).status_code == 401
        for headers in (patient, doc):
            r = await client.get(BASE + path, headers=headers)
            assert r.status_code == 403, (path, r.text)
