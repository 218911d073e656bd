"""Call events from signaling: only signed requests count; the consult records its actual
start, end and duration and moves to in-progress and completed; chat is kept for both."""

from __future__ import annotations

import json
import time
import uuid
from datetime import timedelta

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.config import Settings
from services.common.clock import clock
from services.common.internal import SIGNATURE_HEADER, sign_body
from tests.api.consults.conftest import START, Visit
from tests.api.consults.factories import audit_actions, call_event, report, signed_event
from tests.factories import create_patient, create_staff, sign_in


async def consult_of(client: httpx.AsyncClient, visit: Visit, h: dict[str, str] | None = None) -> dict[str, object]:
    r = await client.get(f"/api/consults/{visit.booking.id}", headers=h or visit.psychiatrist_h)
    assert r.status_code == 200, r.text
    return dict(r.json())


@pytest.mark.parametrize("problem", ["unsigned", "wrong_secret", "stale", "tampered"])
async def test_only_requests_signed_by_signaling_are_taken(
    client: httpx.AsyncClient, settings: Settings, visit: Visit, problem: str
) -> None:
    event = call_event(visit.booking, "joined", role="patient")
    request = signed_event(settings, event)
    if problem == "unsigned":
        del request["headers"][SIGNATURE_HEADER]
    elif problem == "wrong_secret":
        request = signed_event(settings, event, secret=b"not the shared secret")
    elif problem == "stale":
        old = sign_body(b"x", b"", timestamp=int(time.time()) - 3600)
        request["headers"][SIGNATURE_HEADER] = old
    else:
        request["content"] = json.dumps(event | {"type": "ended"}).encode()
    r = await client.post("/api/internal/call-events", **request)
    assert r.status_code == 401
    assert r.json()["type"].endswith("/internal-call-refused")
    assert (await consult_of(client, visit))["status"] == "scheduled"


async def test_a_visit_moves_from_waiting_to_in_progress_to_completed_with_its_real_times(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings, visit: Visit
) -> None:
    b = visit.booking
    waited = START - timedelta(minutes=3)
    assert (await report(client, settings, call_event(b, "joined", role="patient", at=waited))).json() == {
        "applied": True,
        "status": "waiting",
    }
    consult = await consult_of(client, visit)
    assert consult["status"] == "waiting"
    assert consult["waiting_since"] == waited.isoformat().replace("+00:00", "Z")
    await report(client, settings, call_event(b, "joined", role="psychiatrist", at=START))
    await report(client, settings, call_event(b, "admitted", role="psychiatrist", at=START + timedelta(seconds=20)))
    assert (await consult_of(client, visit))["status"] == "in_progress"
    connected = START + timedelta(seconds=30)
    await report(client, settings, call_event(b, "connected", role="patient", at=connected))
    await report(client, settings, call_event(b, "connected", role="psychiatrist", at=connected + timedelta(seconds=1)))
    ended = connected + timedelta(minutes=27, seconds=5)
    r = await report(
        client, settings, call_event(b, "ended", role="psychiatrist", at=ended, reason="ended_by_psychiatrist")
    )
    assert r.json() == {"applied": True, "status": "completed"}

    consult = await consult_of(client, visit)
    assert consult["status"] == "completed"
    assert consult["started_at"] == connected.isoformat().replace("+00:00", "Z")
    assert consult["ended_at"] == ended.isoformat().replace("+00:00", "Z")
    assert consult["duration_seconds"] == 27 * 60 + 5
    assert consult["end_reason"] == "ended_by_psychiatrist"
    assert consult["waiting_since"] is None

    # Late or repeated events never move a completed consult back.
    await report(client, settings, call_event(b, "connected", role="patient", at=ended + timedelta(minutes=1)))
    await report(client, settings, call_event(b, "joined", role="patient", at=ended + timedelta(minutes=2)))
    assert await consult_of(client, visit) == consult
    actions = await audit_actions(session, visit.patient.id)
    assert {"consult.call_joined", "consult.call_admitted", "consult.call_connected", "consult.call_ended"} <= set(
        actions
    )


async def test_a_patient_leaving_the_waiting_room_is_no_longer_waiting(
    client: httpx.AsyncClient, settings: Settings, visit: Visit
) -> None:
    await report(client, settings, call_event(visit.booking, "joined", role="patient"))
    await report(client, settings, call_event(visit.booking, "left", role="patient"))
    consult = await consult_of(client, visit)
    assert consult["status"] == "scheduled"
    assert consult["waiting_since"] is None


async def test_a_repeated_event_is_applied_once(client: httpx.AsyncClient, settings: Settings, visit: Visit) -> None:
    event = call_event(visit.booking, "chat", role="patient", chat_text="Is the sound OK?", event_id=uuid.uuid4())
    first = await report(client, settings, event)
    again = await report(client, settings, event)
    assert first.json()["applied"] is True
    assert again.json()["applied"] is False
    r = await client.get(f"/api/consults/{visit.booking.id}/messages", headers=visit.patient_h)
    assert len(r.json()) == 1


async def test_events_must_name_a_party_of_an_existing_consult(
    client: httpx.AsyncClient, settings: Settings, visit: Visit
) -> None:
    stranger = call_event(visit.booking, "joined", role="patient") | {"user_id": str(uuid.uuid4())}
    r = await report(client, settings, stranger)
    assert r.status_code == 422
    assert r.json()["type"].endswith("/event-party-mismatch")
    swapped = call_event(visit.booking, "admitted", role="psychiatrist") | {"user_id": str(visit.patient.id)}
    assert (await report(client, settings, swapped)).status_code == 422
    unknown = call_event(visit.booking, "joined", role="patient") | {"consult_id": str(uuid.uuid4())}
    assert (await report(client, settings, unknown)).status_code == 404
    no_chat = call_event(visit.booking, "chat", role="patient")
    assert (await report(client, settings, no_chat)).status_code == 422


async def test_chat_is_kept_on_the_consult_and_both_parties_read_it_afterwards(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings, visit: Visit
) -> None:
    b = visit.booking
    await report(client, settings, call_event(b, "chat", role="patient", chat_text="Hello doctor", at=START))
    await report(
        client,
        settings,
        call_event(b, "chat", role="psychiatrist", chat_text="Hello, I can see you", at=START + timedelta(seconds=5)),
    )
    await report(client, settings, call_event(b, "ended", role="psychiatrist", at=START + timedelta(minutes=20)))
    clock.freeze(START + timedelta(days=1))
    for account in (visit.patient, visit.psychiatrist):
        r = await client.get(f"/api/consults/{b.id}/messages", headers=await sign_in(client, account))
        assert r.status_code == 200, r.text
        assert [(m["sender_role"], m["text"]) for m in r.json()] == [
            ("patient", "Hello doctor"),
            ("psychiatrist", "Hello, I can see you"),
        ]
    other = await sign_in(client, await create_patient(session))
    assert (await client.get(f"/api/consults/{b.id}/messages", headers=other)).status_code == 404
    admin = await sign_in(client, await create_staff(session, settings, role="admin"))
    assert (await client.get(f"/api/consults/{b.id}/messages", headers=admin)).status_code == 403
    assert "consult.messages_read" in await audit_actions(session, visit.patient.id)


# --- several events in one request --------------------------------------------------------------
async def report_batch(
    client: httpx.AsyncClient, settings: Settings, events: list[dict[str, object]]
) -> httpx.Response:
    return await client.post("/api/internal/call-events/batch", **signed_event(settings, {"events": events}))


async def test_a_batch_is_applied_in_order_and_a_refused_event_holds_back_none_of_the_others(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings, visit: Visit
) -> None:
    b = visit.booking
    connected = START + timedelta(seconds=30)
    ended = connected + timedelta(minutes=12)
    repeated = call_event(b, "joined", role="patient", at=START - timedelta(minutes=2))
    events = [
        repeated,
        call_event(b, "joined", role="psychiatrist", at=START),
        call_event(b, "joined", role="patient") | {"consult_id": str(uuid.uuid4())},  # no such consult
        call_event(b, "admitted", role="psychiatrist", at=START + timedelta(seconds=10)),
        call_event(b, "connected", role="patient", at=connected),
        call_event(b, "admitted", role="psychiatrist") | {"user_id": str(visit.patient.id)},  # not a party
        repeated,
        call_event(b, "ended", role="psychiatrist", at=ended, reason="ended_by_psychiatrist"),
    ]
    r = await report_batch(client, settings, events)
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert [x["event_id"] for x in results] == [e["event_id"] for e in events]
    assert [(x["outcome"], x["status"], x["problem"]) for x in results] == [
        ("applied", "waiting", None),
        ("applied", "waiting", None),
        ("refused", None, "consult-not-found"),
        ("applied", "in_progress", None),
        ("applied", "in_progress", None),
        ("refused", None, "event-party-mismatch"),
        ("duplicate", "in_progress", None),
        ("applied", "completed", None),
    ]
    consult = await consult_of(client, visit)
    assert consult["status"] == "completed"
    assert consult["started_at"] == connected.isoformat().replace("+00:00", "Z")
    assert consult["duration_seconds"] == 12 * 60
    actions = await audit_actions(session, visit.patient.id)
    assert actions.count("consult.call_joined") == 2
    assert actions.count("consult.call_admitted") == 1  # the refused one left no trace

    # The whole batch again (a retry after a lost answer): nothing applies twice.
    again = await report_batch(client, settings, events)
    assert [x["outcome"] for x in again.json()["results"]] == [
        "duplicate",
        "duplicate",
        "refused",
        "duplicate",
        "duplicate",
        "refused",
        "duplicate",
        "duplicate",
    ]
    assert await consult_of(client, visit) == consult


async def test_a_batch_is_signed_like_one_event_and_bounded(
    client: httpx.AsyncClient, settings: Settings, visit: Visit
) -> None:
    events = [call_event(visit.booking, "joined", role="patient")]
    request = signed_event(settings, {"events": events}, secret=b"not the shared secret")
    r = await client.post("/api/internal/call-events/batch", **request)
    assert r.status_code == 401
    assert (await consult_of(client, visit))["status"] == "scheduled"

    for bad in ([], [call_event(visit.booking, "joined", role="patient") for _ in range(101)]):
        r = await report_batch(client, settings, bad)
        assert r.status_code == 422
        assert [e["field"] for e in r.json()["errors"]] == ["body.events"]
    # One malformed event refuses the request whole, naming it; nothing of it is applied.
    r = await report_batch(client, settings, [*events, call_event(visit.booking, "chat", role="patient")])
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"].startswith("body.events.1")
    assert (await consult_of(client, visit))["status"] == "scheduled"
