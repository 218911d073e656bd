"""Payments tests: the Stripe stand-in (localstripe) on loopback, started once per test worker,
with the real SDK pointed at it and a receiver for the webhooks it signs."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.config import Settings
from services.api.integrations.stripe.standin import register_webhook, start_standin
from services.api.scheduling.models import VisitType
from services.common.clock import clock
from services.common.settings import Environment
from tests.api.scheduling.factories import create_psychiatrist, create_visit_type
from tests.factories import Account, create_patient, sign_in
from tests.support.mail import SmtpSink
from tests.support.ports import free_port
from tests.support.stripe import OLD_WEBHOOK_SECRET, WEBHOOK_SECRET, StandIn, WebhookReceiver

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
SLOT = datetime(2026, 3, 4, 16, tzinfo=UTC)  # Wednesday 09:00 in Boise (MST)


@pytest.fixture(scope="session")
def standin() -> Iterator[StandIn]:
    receiver = WebhookReceiver()
    receiver.start()
    with tempfile.TemporaryDirectory(prefix="halcyon-localstripe-") as state:
        proc, url = start_standin(free_port(), Path(state))
        try:
            register_webhook(url, "tests", receiver.url, WEBHOOK_SECRET)
            yield StandIn(url, receiver)
        finally:
            proc.kill()
            proc.wait(timeout=10)
            receiver.stop()


@pytest.fixture
def settings(var_dir: Path, smtp: SmtpSink, standin: StandIn) -> Settings:
    return Settings(
        env=Environment.test,
        var_dir=var_dir,
        public_url="http://app.test",
        smtp_host="127.0.0.1",
        smtp_port=smtp.port,
        serve_frontend=False,
        redis_url="",
        access_token_minutes=240,  # tests move the clock past holds without signing in again
        staff_idle_minutes=240,
        stripe_api_base=standin.url,
        stripe_js_url=f"{standin.url}/js.stripe.com/v3/",
        stripe_webhook_secrets=f"{WEBHOOK_SECRET}, {OLD_WEBHOOK_SECRET}",
    )


@dataclass
class World:
    doc: Account
    patient: Account
    paid: VisitType
    free: VisitType
    h: dict[str, str]


@pytest.fixture
async def world(client: httpx.AsyncClient, session: AsyncSession, settings: Settings) -> World:
    clock.freeze(NOW)
    doc = await create_psychiatrist(session, settings, hours=[(d, time(8), time(17)) for d in range(7)])
    paid = await create_visit_type(session, name="Initial evaluation", duration_minutes=60, price_cents=35000)
    free = await create_visit_type(session, name="Free Consult", duration_minutes=15, price_cents=0)
    patient = await create_patient(session, state="ID", time_zone="America/Boise")
    return World(doc, patient, paid, free, await sign_in(client, patient))


async def hold(client: httpx.AsyncClient, w: World, at: datetime = SLOT, h: dict[str, str] | None = None) -> str:
    body = {"visit_type_id": str(w.paid.id), "psychiatrist_id": str(w.doc.id), "starts_at": at.isoformat()}
    r = await client.post("/api/bookings", json=body, headers=h or w.h)
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "held"
    return str(r.json()["id"])


def later(minutes: int) -> None:
    clock.freeze(NOW + timedelta(minutes=minutes))


from tests.api.scheduling.conftest import committed_engine  # noqa: E402, F401 - a fixture shared with scheduling
