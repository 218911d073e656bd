"""The contract between the two services, end to end: the API mints real join tokens for a
real booking, the patient waits, is admitted, a real call connects, the two chat, the
psychiatrist ends it, and the consult record in the API shows the waiting, the actual start,
end and duration, and the chat, all reported by signaling over the signed internal call."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.config import Settings
from services.api.core.db import make_engine, make_sessionmaker
from services.common.clock import utcnow
from services.common.settings import Environment
from services.signaling.events import CallEventReporter
from tests.api.consults.factories import create_booking, create_licensed_psychiatrist
from tests.factories import create_patient, sign_in
from tests.signaling.conftest import Api
from tests.signaling.support import Client, Peer, ServerProcess, negotiate


@pytest.fixture
async def api_session(api: Api) -> AsyncIterator[AsyncSession]:
    """A session on the running API's own database (committed for real)."""
    api.wait()
    engine = make_engine(api.database_url)
    try:
        async with make_sessionmaker(engine)() as session:
            yield session
    finally:
        await engine.dispose()


async def eventually(check: Callable[[], Awaitable[Any]], what: str, *, within: float = 10) -> Any:
    deadline = time.monotonic() + within
    last: Any = None
    while time.monotonic() < deadline:
        last = await check()
        if last:
            return last
        await asyncio.sleep(0.1)
    raise AssertionError(f"{what} did not happen within {within:g} s (last: {last})")


async def test_the_api_records_the_call_as_signaling_reports_it(
    api: Api, api_session: AsyncSession, signaling: ServerProcess
) -> None:
    settings = Settings(env=Environment.test, var_dir=api.var_dir)
    psychiatrist = await create_licensed_psychiatrist(api_session, settings, states=("ID",))
    patient = await create_patient(api_session, state="ID")
    starts_at = utcnow().replace(microsecond=0) + timedelta(minutes=5)
    booking = await create_booking(api_session, patient=patient, psychiatrist=psychiatrist, starts_at=starts_at)

    async with httpx.AsyncClient(base_url=api.url, trust_env=False, timeout=10) as http:
        patient_h = await sign_in(http, patient)
        doc_h = await sign_in(http, psychiatrist)
        r = await http.post(
            f"/api/consults/{booking.id}/patient-join-token", json={"location_state": "ID"}, headers=patient_h
        )
        assert r.status_code == 200, r.text
        patient_token = r.json()
        r = await http.post(f"/api/consults/{booking.id}/psychiatrist-join-token", headers=doc_h)
        assert r.status_code == 200, r.text
        doc_token = r.json()
        path = f"/ws/consults/{booking.id}"
        assert patient_token["signaling_url"].endswith(path)

        async def consult() -> dict[str, Any]:
            return dict((await http.get(f"/api/consults/{booking.id}", headers=doc_h)).json())

        patient_ws = await Client.open(signaling.url, path, patient_token["token"])
        assert (await patient_ws.expect("joined"))["room"] == "waiting"

        async def waiting() -> bool:
            room = (await http.get("/api/consults/waiting-room", headers=doc_h)).json()
            return any(e["booking_id"] == str(booking.id) and e["status"] == "waiting" for e in room)

        await eventually(waiting, "the waiting room showing the patient")

        doc_ws = await Client.open(signaling.url, path, doc_token["token"])
        await doc_ws.expect("joined")
        await doc_ws.send({"type": "admit"})
        await patient_ws.expect("room", state="admitted")
        peers = [Peer("patient", []), Peer("psychiatrist", [])]
        try:
            await negotiate(patient_ws, doc_ws, *peers)
            await peers[0].wait_frames(30)
            await peers[1].wait_frames(30)
            for ws in (patient_ws, doc_ws):
                await ws.send({"type": "connection_state", "connectionState": "connected"})
            await patient_ws.send({"type": "chat", "text": "I can see you now."})
            await doc_ws.expect("chat")
            await eventually(lambda: _started(consult), "the consult recording its start")
            await asyncio.sleep(1.1)  # a call that lasts at least a second
            await doc_ws.send({"type": "end"})
            assert await patient_ws.expect_close() == 4000
        finally:
            for peer in peers:
                await peer.close()
            await patient_ws.close()
            await doc_ws.close()

        record = await eventually(lambda: _completed(consult), "the consult being completed")
        assert record["end_reason"] == "ended_by_psychiatrist"
        assert record["admitted_at"] is not None
        assert record["duration_seconds"] >= 1
        assert record["patient_location"]["state"] == "ID"
        for h in (patient_h, doc_h):
            messages = (await http.get(f"/api/consults/{booking.id}/messages", headers=h)).json()
            assert [(m["sender_role"], m["text"]) for m in messages] == [("patient", "I can see you now.")]


async def _started(consult: Callable[[], Awaitable[dict[str, Any]]]) -> bool:
    record = await consult()
    return record["status"] == "in_progress" and record["started_at"] is not None


async def _completed(consult: Callable[[], Awaitable[dict[str, Any]]]) -> dict[str, Any] | None:
    record = await consult()
    return record if record["status"] == "completed" else None


async def test_events_queued_together_go_in_few_requests_and_an_unreadable_one_costs_only_itself(
    api: Api, api_session: AsyncSession
) -> None:
    """The reporter against the real API: 40 events reported at once arrive in order in a
    handful of batch requests (not 40); an event the API cannot read makes it refuse that batch
    whole, and the reporter then sends its events one by one, losing only the bad one."""
    settings = Settings(env=Environment.test, var_dir=api.var_dir)
    psychiatrist = await create_licensed_psychiatrist(api_session, settings, states=("ID",))
    patient = await create_patient(api_session, state="ID")
    booking = await create_booking(
        api_session, patient=patient, psychiatrist=psychiatrist, starts_at=utcnow() + timedelta(minutes=5)
    )
    reporter = CallEventReporter(api.url, api.secret.encode())
    reporter.start()
    try:

        def report(kind: str, reason: str | None = None) -> None:
            reporter.report(kind, consult_id=str(booking.id), role="patient", user_id=str(patient.id), reason=reason)

        for _ in range(20):
            report("joined")
            report("left")
        await eventually(lambda: _settled(reporter, 40), "40 events delivered")
        assert (reporter.sent, reporter.dropped) == (40, 0)
        assert reporter.requests <= 10, reporter.requests
        # In order: the last event was `left`, so the patient is not waiting.
        async with httpx.AsyncClient(base_url=api.url, trust_env=False, timeout=10) as http:
            h = await sign_in(http, psychiatrist)
            record = (await http.get(f"/api/consults/{booking.id}", headers=h)).json()
        assert (record["status"], record["waiting_since"]) == ("scheduled", None)

        before = reporter.requests
        report("joined")
        report("left", reason="Not Snake Case")  # the API's pattern refuses it
        report("joined")
        await eventually(lambda: _settled(reporter, 43), "three more events handled")
        assert (reporter.sent, reporter.dropped) == (42, 1)
        assert reporter.requests - before >= 2  # the refused batch, then one by one
        async with httpx.AsyncClient(base_url=api.url, trust_env=False, timeout=10) as http:
            record = (await http.get(f"/api/consults/{booking.id}", headers=h)).json()
        assert record["status"] == "waiting"
    finally:
        await reporter.close()


async def _settled(reporter: CallEventReporter, count: int) -> bool:
    return reporter.sent + reporter.dropped >= count
