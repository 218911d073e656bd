"""GET /metrics: Prometheus counts per route template, the outbox queue, and no patient data."""

from __future__ import annotations

import contextlib
import re
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from services.api.config import Settings
from services.api.core.db import make_sessionmaker
from services.api.main import create_app
from services.api.notifications.models import OutboxMessage
from services.common.clock import utcnow
from tests.factories import create_patient, sign_in


@pytest.fixture
async def connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    async with engine.connect() as conn:
        outer = await conn.begin()
        try:
            yield conn
        finally:
            await outer.rollback()


@pytest.fixture
def sessionmaker(connection: AsyncConnection) -> async_sessionmaker[AsyncSession]:
    return make_sessionmaker(connection, join_transaction_mode="create_savepoint")


class _ThroughConnection:
    """The scrape reads the outbox through the test's connection, so it sees the test's rows
    (and, on SQLite, does not wait for the write lock the test transaction holds)."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    @contextlib.asynccontextmanager
    async def connect(self) -> AsyncIterator[AsyncConnection]:
        yield self._conn


@pytest.fixture
def app(
    settings: Settings, engine: AsyncEngine, connection: AsyncConnection, sessionmaker: async_sessionmaker[AsyncSession]
) -> FastAPI:
    app = create_app(settings, engine=engine, sessionmaker=sessionmaker, check_migrations=False, run_worker=False)
    app.state.engine = _ThroughConnection(connection)
    return app


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one series in Prometheus text output (0 when absent)."""
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', line[: line.rindex("}")])) if "{" in line else {}
        if found == labels:
            return float(line.rsplit(" ", 1)[1])
    return 0.0


async def scrape(client: httpx.AsyncClient) -> str:
    r = await client.get("/metrics")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain")
    return r.text


async def test_requests_are_counted_by_route_template_without_ids_or_emails(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    patient = await create_patient(session)
    headers = await sign_in(client, patient)
    me = await client.get("/api/patients/me/profile", headers=headers)
    assert me.status_code == 200, me.text
    patient_id = me.json()["patient_id"]
    # A patient may not use the staff chart route: each answer is 403, whoever's id is in the path.
    stranger = uuid.uuid4()
    for target in (patient_id, patient_id, patient_id, str(stranger)):
        assert (await client.get(f"/api/patients/{target}/profile", headers=headers)).status_code == 403
    assert (await client.get(f"/api/no-such-thing/{patient.email}")).status_code == 404

    text = await scrape(client)
    template = "/api/patients/{patient_id}/profile"
    assert sample(text, "halcyon_http_requests_total", method="GET", route=template, status="403") == 4
    assert (
        sample(text, "halcyon_http_requests_total", method="GET", route="/api/patients/me/profile", status="200") == 1
    )
    assert sample(text, "halcyon_http_requests_total", method="POST", route="/api/auth/login", status="200") == 1
    assert sample(text, "halcyon_http_requests_total", method="GET", route="unmatched", status="404") == 1
    assert sample(text, "halcyon_http_request_duration_seconds_count", method="GET", route=template) == 4
    assert sample(text, "halcyon_http_request_duration_seconds_sum", method="GET", route=template) > 0
    assert sample(text, "halcyon_http_request_errors_total", method="GET", route=template) == 0

    # Nothing that identifies a person reaches the output: no ids, no e-mail, no raw paths.
    for secret in (patient_id, str(stranger), patient.email, patient.email.split("@")[0], str(patient.user.id)):
        assert secret not in text, f"{secret} leaked into /metrics"
    assert "/api/no-such-thing" not in text


async def test_server_errors_are_counted_as_errors(app: FastAPI, client: httpx.AsyncClient) -> None:
    @app.get("/api/metrics-check/{thing_id}")
    async def explode(thing_id: str) -> None:
        raise RuntimeError("boom")

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://app.test") as c:
        for i in range(2):
            assert (await c.get(f"/api/metrics-check/{i}")).status_code == 500
    text = await scrape(client)
    route = "/api/metrics-check/{thing_id}"
    assert sample(text, "halcyon_http_request_errors_total", method="GET", route=route) == 2
    assert sample(text, "halcyon_http_requests_total", method="GET", route=route, status="500") == 2


async def test_outbox_gauges_show_queued_and_failed_jobs(client: httpx.AsyncClient, session: AsyncSession) -> None:
    before = await scrape(client)
    pending = sample(before, "halcyon_outbox_messages", status="pending")
    failed = sample(before, "halcyon_outbox_messages", status="failed")
    now = utcnow()

    def message(status: str, age: timedelta) -> OutboxMessage:
        return OutboxMessage(
            kind="test",
            to_address="someone@example.org",
            subject="s",
            body_text="b",
            status=status,
            attempts=0 if status == "pending" else 8,
            created_at=now - age,
            next_attempt_at=now,
        )

    session.add_all([message("pending", timedelta(minutes=10)), message("pending", timedelta(0))])
    session.add(message("failed", timedelta(hours=1)))
    session.add(message("sent", timedelta(hours=2)))
    await session.flush()

    after = await scrape(client)
    assert sample(after, "halcyon_outbox_messages", status="pending") == pending + 2
    assert sample(after, "halcyon_outbox_messages", status="failed") == failed + 1
    assert sample(after, "halcyon_outbox_oldest_pending_age_seconds") >= 600
    assert "someone@example.org" not in after


async def test_metrics_can_be_turned_off(settings: Settings, engine: AsyncEngine) -> None:
    app = create_app(settings.model_copy(update={"metrics_enabled": False}), engine=engine, check_migrations=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://app.test") as c:
        assert (await c.get("/metrics")).status_code == 404
        assert (await c.get("/healthz")).status_code == 200
