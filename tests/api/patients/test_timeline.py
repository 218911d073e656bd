"""A care-team patient's timeline: every kind of event the chart records, newest first, paged,
filtered, refused to anyone off the care team, audited, and a bounded number of queries a page."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any, get_args
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from services.api.audit.models import AuditEntry
from services.api.config import Settings
from services.api.timeline.repository import _branches
from services.api.timeline.schemas import EventKind
from services.common.clock import clock
from tests.api.notes.factories import FILLED
from tests.api.patients.factories import intake, phq9, submit_intake
from tests.api.scheduling.factories import create_psychiatrist, create_visit_type
from tests.api.treatment.factories import PRE_VITALS, sign_consents
from tests.factories import Account, create_patient, create_staff, sign_in

NOW = datetime(2026, 3, 1, 19, tzinfo=UTC)  # noon in Boise (MST), a Sunday
MONDAY_9_BOISE = datetime(2026, 3, 9, 9, tzinfo=ZoneInfo("America/Boise"))

# What the world below leaves on the timeline, newest first (events at the same instant are
# ordered by kind, so the order is the same on every database).
EXPECTED = [
    "note_signed",
    "safety_task_opened",
    "scale_submitted",
    "flag_raised",
    "intake_submitted",
    "visit_rescheduled",
    "visit_booked",
]


def at(minutes: int) -> datetime:
    """A moment of the story; each step is a minute after the last, so tokens stay fresh."""
    clock.freeze(NOW + timedelta(minutes=minutes))
    return NOW + timedelta(minutes=minutes)


@dataclass
class World:
    patient: Account
    doc: Account
    patient_h: dict[str, str]
    doc_h: dict[str, str]
    booking_id: str
    note_id: str

    @property
    def url(self) -> str:
        return f"/api/patients/{self.patient.id}/timeline"


@pytest.fixture
async def world(client: httpx.AsyncClient, session: AsyncSession, settings: Settings) -> World:
    at(0)
    doc = await create_psychiatrist(session, settings, hours=[(d, time(9), time(12)) for d in range(7)])
    consult = await create_visit_type(session, name="Free Consult", duration_minutes=15, price_cents=0)
    patient = await create_patient(session, state="ID")
    patient_h = await sign_in(client, patient)
    doc_h = await sign_in(client, doc)

    body = {"visit_type_id": str(consult.id), "psychiatrist_id": str(doc.id), "starts_at": MONDAY_9_BOISE.isoformat()}
    r = await client.post("/api/bookings", json=body, headers=patient_h)  # a free consult: confirmed, care team
    assert r.status_code == 201, r.text
    booking_id = r.json()["id"]

    at(1)
    later = (MONDAY_9_BOISE + timedelta(days=1)).isoformat()
    r = await client.post(f"/api/bookings/{booking_id}/reschedule", json={"starts_at": later}, headers=patient_h)
    assert r.status_code == 200, r.text

    at(2)
    r = await submit_intake(client, patient_h, intake(pregnancy="pregnant"))
    assert r.status_code == 200, r.text

    at(3)
    r = await client.post(
        "/api/patients/me/scales/results", json={"scale": "phq9", "answers": phq9(item9=1)}, headers=patient_h
    )
    assert r.status_code == 201, r.text

    at(4)
    r = await client.post(
        f"/api/patients/{patient.id}/notes",
        json={"template": "initial_evaluation", "pull_objective": False, "consult_id": booking_id},
        headers=doc_h,
    )
    assert r.status_code == 201, r.text
    note_id = r.json()["id"]
    r = await client.patch(f"/api/notes/{note_id}", json=FILLED, headers=doc_h)
    assert r.status_code == 200, r.text
    r = await client.post(f"/api/notes/{note_id}/sign", headers=doc_h)
    assert r.status_code == 200, r.text
    at(5)
    return World(patient, doc, patient_h, doc_h, booking_id, note_id)


async def read_all(client: httpx.AsyncClient, w: World, *, limit: int, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    page = 1
    while True:
        r = await client.get(w.url, params={"page": page, "limit": limit, **params}, headers=w.doc_h)
        assert r.status_code == 200, r.text
        body = r.json()
        items += body["items"]
        if page * limit >= body["total"]:
            return items
        page += 1


def test_every_kind_of_event_has_a_source() -> None:
    assert set(_branches(uuid.uuid4(), NOW)) == set(get_args(EventKind))


async def test_the_care_team_psychiatrist_sees_the_history_newest_first_with_each_kind_typed(
    client: httpx.AsyncClient, world: World
) -> None:
    r = await client.get(world.url, headers=world.doc_h)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total"] == len(EXPECTED)
    assert body["time_zone"] == "America/Boise"
    events = body["items"]
    assert [e["kind"] for e in events] == EXPECTED
    times = [datetime.fromisoformat(e["at"]) for e in events]
    assert times == sorted(times, reverse=True)
    by_kind = {e["kind"]: e for e in events}

    note = by_kind["note_signed"]
    assert note["note_id"] == world.note_id
    assert note["booking_id"] == world.booking_id
    assert note["template"] == "initial_evaluation"
    assert note["actor_name"]  # the signer
    assert "subjective" not in note  # never the note's text
    assert str(FILLED["subjective"]) not in r.text

    phq = by_kind["scale_submitted"]
    assert phq["scale"] == "phq9"
    assert phq["total"] == 9
    assert phq["max_total"] == 27
    assert phq["band"] == "mild"
    assert phq["urgent"] is True  # item 9 above 0
    assert phq["entered_by"] == "patient"
    assert by_kind["safety_task_opened"]["task_kind"] == "phq9_item9"

    flag = by_kind["flag_raised"]
    assert flag["status"] == "unreviewed"
    assert flag["severity"] in ("urgent", "high", "moderate")
    assert by_kind["intake_submitted"]["flags_raised"] == 1

    for kind in ("visit_booked", "visit_rescheduled"):
        visit = by_kind[kind]
        assert visit["booking_id"] == world.booking_id
        assert visit["visit_type"]["name"] == "Free Consult"
        assert visit["psychiatrist_id"] == str(world.doc.id)
        assert visit["status"] == "confirmed"
        assert datetime.fromisoformat(visit["starts_at"]) == MONDAY_9_BOISE + timedelta(days=1)
    assert len({e["id"] for e in events}) == len(events)


async def test_paging_returns_every_event_exactly_once_in_order(client: httpx.AsyncClient, world: World) -> None:
    everything = await read_all(client, world, limit=100)
    for limit in (1, 2, 3):
        paged = await read_all(client, world, limit=limit)
        assert [e["id"] for e in paged] == [e["id"] for e in everything], limit
    r = await client.get(world.url, params={"page": 99}, headers=world.doc_h)
    assert r.status_code == 200
    assert r.json()["items"] == []
    assert r.json()["total"] == len(EXPECTED)


async def test_filters_by_kind_and_by_days_in_the_psychiatrists_zone(client: httpx.AsyncClient, world: World) -> None:
    r = await client.get(world.url, params=[("kind", "scale_submitted"), ("kind", "note_signed")], headers=world.doc_h)
    assert r.status_code == 200, r.text
    assert [e["kind"] for e in r.json()["items"]] == ["note_signed", "scale_submitted"]
    assert r.json()["total"] == 2

    # Everything happened on 1 March in Boise (19:00 UTC is noon there).
    r = await client.get(world.url, params={"from": "2026-03-01", "to": "2026-03-01"}, headers=world.doc_h)
    assert r.json()["total"] == len(EXPECTED)
    r = await client.get(world.url, params={"to": "2026-02-28"}, headers=world.doc_h)
    assert (r.json()["total"], r.json()["items"]) == (0, [])
    r = await client.get(world.url, params={"from": "2026-03-02"}, headers=world.doc_h)
    assert r.json()["total"] == 0


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"kind": "everything"}, "query.kind.0"),
        ({"from": "yesterday"}, "query.from"),
        ({"from": "2026-03-02", "to": "2026-03-01"}, "query.to"),
        ({"from": "1066-10-14"}, "query.from"),
        ({"limit": 1000}, "query.limit"),
    ],
)
async def test_an_invalid_filter_gets_a_422_naming_the_field(
    client: httpx.AsyncClient, world: World, params: dict[str, Any], field: str
) -> None:
    r = await client.get(world.url, params=params, headers=world.doc_h)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert field in [e["field"] for e in r.json()["errors"]]


async def test_nobody_off_the_care_team_reads_it_and_a_refusal_writes_nothing(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings, world: World
) -> None:
    other_patient = await create_patient(session)
    refused = {
        "another patient": other_patient,
        "the patient themself (a staff page)": world.patient,
        "a psychiatrist off the care team": await create_staff(session, settings),
        "an admin (no clinical content)": await create_staff(session, settings, role="admin"),
    }
    before = await _reads(session, world.patient.id)
    for who, account in refused.items():
        r = await client.get(world.url, headers=await sign_in(client, account))
        assert r.status_code == 403, (who, r.text)
        assert "Free Consult" not in r.text, who
    assert await _reads(session, world.patient.id) == before
    # An unknown id looks the same as someone else's patient.
    r = await client.get(f"/api/patients/{uuid.uuid4()}/timeline", headers=world.doc_h)
    assert r.status_code == 403, r.text
    r = await client.get(world.url)
    assert r.status_code == 401


async def test_each_read_is_audited_with_its_reader(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    before = await _reads(session, world.patient.id)
    r = await client.get(world.url, params={"kind": "note_signed", "limit": 5}, headers=world.doc_h)
    assert r.status_code == 200, r.text
    [entry] = (
        await session.scalars(
            select(AuditEntry)
            .where(AuditEntry.patient_id == world.patient.id, AuditEntry.action == "patient.timeline_read")
            .order_by(AuditEntry.id.desc())
            .limit(1)
        )
    ).all()
    assert await _reads(session, world.patient.id) == before + 1
    assert entry.actor_id == world.doc.id
    assert entry.subject_id == str(world.patient.id)
    assert entry.detail["kinds"] == ["note_signed"]
    assert entry.detail["count"] == 1


async def test_plans_infusions_consents_addenda_and_cancellations_show_with_their_details(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    at(6)
    h = world.doc_h = await sign_in(client, world.doc)  # tokens last ten minutes: sign in afresh
    patient_h = await sign_in(client, world.patient)
    await sign_consents(session, patient=world.patient)
    r = await client.get(f"/api/patients/{world.patient.id}/screening/flags", headers=h)
    for flag in r.json():
        r = await client.post(
            f"/api/patients/{world.patient.id}/screening/flags/{flag['id']}/review",
            json={"decision": "override", "reason": "Not pregnant: a negative test today."},
            headers=h,
        )
        assert r.status_code == 200, r.text
    at(7)
    r = await client.post(
        f"/api/patients/{world.patient.id}/treatment-plans",
        json={"indication": "treatment_resistant_depression", "induction_infusions": 6, "dose_mg_per_kg": 0.5},
        headers=h,
    )
    assert r.status_code == 201, r.text
    plan_id = r.json()["id"]
    at(8)
    r = await client.post(f"/api/treatment-plans/{plan_id}/status", json={"status": "active"}, headers=h)
    assert r.status_code == 200, r.text
    at(9)
    r = await client.post(
        f"/api/treatment-plans/{plan_id}/sessions",
        json={"weight_kg": 80, "lot_number": "KET-2311A", "pre_vitals": PRE_VITALS},
        headers=h,
    )
    assert r.status_code == 201, r.text
    session_id = r.json()["id"]
    at(10)
    r = await client.post(f"/api/notes/{world.note_id}/addenda", json={"text": "Spoke with the family."}, headers=h)
    assert r.status_code == 201, r.text
    at(11)
    r = await client.post(
        f"/api/bookings/{world.booking_id}/cancel", json={"reason": "Feeling better"}, headers=patient_h
    )
    assert r.status_code == 200, r.text

    events = await read_all(client, world, limit=4)
    kinds = [e["kind"] for e in events]
    assert kinds[:5] == ["visit_cancelled", "note_addendum", "infusion_session", "plan_status_changed", "plan_created"]
    assert {"consent_signed", "flag_reviewed"} <= set(kinds)
    by_kind = {e["kind"]: e for e in events}
    cancelled = by_kind["visit_cancelled"]
    assert (cancelled["cancelled_by_role"], cancelled["status"]) == ("patient", "cancelled")
    assert by_kind["visit_booked"]["status"] == "cancelled"  # every visit event shows the booking as it is now
    assert by_kind["note_addendum"]["note_id"] == world.note_id
    infusion = by_kind["infusion_session"]
    assert (infusion["session_id"], infusion["plan_id"], infusion["sequence"]) == (session_id, plan_id, 1)
    assert infusion["dose_mg"] == 40.0
    change = by_kind["plan_status_changed"]
    assert (change["plan_id"], change["from_status"], change["to_status"]) == (plan_id, "proposed", "active")
    assert by_kind["plan_created"]["indication"] == "treatment_resistant_depression"
    assert {e["consent_kind"] for e in events if e["kind"] == "consent_signed"} == {"telehealth", "ketamine_treatment"}
    reviewed = by_kind["flag_reviewed"]
    assert (reviewed["status"], reviewed["review_reason"]) == ("overridden", "Not pregnant: a negative test today.")
    assert reviewed["actor_name"]


@contextmanager
def counting_statements(engine: AsyncEngine) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)


async def test_a_page_costs_the_same_queries_however_long_the_history(
    client: httpx.AsyncClient, engine: AsyncEngine, world: World
) -> None:
    async def statements_for_a_page() -> int:
        # Signed in afresh and asked once before counting, so both counts see the same session state.
        world.doc_h = await sign_in(client, world.doc)
        assert (await client.get(world.url, params={"limit": 100}, headers=world.doc_h)).status_code == 200
        with counting_statements(engine) as seen:
            r = await client.get(world.url, params={"limit": 100}, headers=world.doc_h)
        assert r.status_code == 200, r.text
        return len(seen)

    short = await statements_for_a_page()
    patient_h = world.patient_h
    for minute in range(6, 26):  # twenty more questionnaires (each urgent: a safety task too)
        at(minute)
        if minute % 5 == 0:
            patient_h = await sign_in(client, world.patient)
        r = await client.post(
            "/api/patients/me/scales/results", json={"scale": "phq9", "answers": phq9(item9=1)}, headers=patient_h
        )
        assert r.status_code == 201, r.text
    at(26)
    assert await statements_for_a_page() == short
    r = await client.get(world.url, params={"limit": 100}, headers=world.doc_h)
    assert r.json()["total"] == len(EXPECTED) + 40


async def _reads(session: AsyncSession, patient_id: uuid.UUID) -> int:
    rows = await session.scalars(
        select(AuditEntry.id).where(AuditEntry.patient_id == patient_id, AuditEntry.action == "patient.timeline_read")
    )
    return len(rows.all())
