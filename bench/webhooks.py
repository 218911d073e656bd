"""Signed Stripe webhook ingest on PostgreSQL, against a one-INSERT endpoint on the same stack.

    .venv/bin/python bench/webhooks.py                           # 50 clients, 2000 events per endpoint
    .venv/bin/python bench/webhooks.py --requests 40 --clients 5 # a quick smoke run

It creates a throw-away PostgreSQL database on 127.0.0.1 (dropped at the end), migrates it,
seeds one psychiatrist, one patient and one held booking with its payment per event, starts
the API with uvicorn on 127.0.0.1 in its own process (webhook secret set, Stripe never called),
then drives two endpoints with the same concurrency in alternating rounds:

- `POST /api/webhooks/stripe`: a `payment_intent.processing` event per payment, each with its
  own event id and a fresh `Stripe-Signature` (HMAC-SHA256 over the raw body): signature
  check, the event stored once under its unique id, the payment row locked and synced;
- `POST /api/bench/insert`: mounted only here, on the same router class (one transaction per
  request), reading the same raw body and doing one INSERT.

It prints throughput and p50/p99 for both and the ratio (goal: >= 0.7x, 0 errors). Bounded in
requests and in time (`--max-seconds` per round); every socket stays on loopback.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fastapi import Request  # noqa: E402

from bench.common import (  # noqa: E402
    HOST,
    Result,
    bench_database,
    free_port,
    serve_api,
    start_server,
    stop_server,
    wait_healthy,
)
from services.api.deps import WriteSession  # noqa: E402  (resolved by FastAPI at run time)

SECRET = "whsec_bench"  # noqa: S105 - a throw-away secret for a throw-away server


# --- the server process ------------------------------------------------------------------
def serve(database_url: str, var_dir: str, port: int) -> None:
    from pydantic import SecretStr
    from sqlalchemy import text

    from services.api.core.routing import APIRouter

    bench = APIRouter(prefix="/api/bench", tags=["bench"])

    @bench.post("/insert", status_code=201)
    async def insert(request: Request, session: WriteSession) -> dict[str, str]:
        """Read the raw body and INSERT one row, through the same route class and session."""
        body = await request.body()
        row_id = uuid.uuid4()
        await session.execute(
            text("INSERT INTO bench_inserts (id, size, at) VALUES (:id, :n, now())"), {"id": row_id, "n": len(body)}
        )
        return {"id": str(row_id)}

    serve_api(
        database_url,
        var_dir,
        port,
        bench,
        stripe_webhook_secrets=SecretStr(SECRET),
        stripe_api_base=f"http://{HOST}:9",  # never asked: the events only sync our rows
    )


# --- set-up ------------------------------------------------------------------------------
async def seed(database_url: str, payments: int) -> list[str]:
    """Held bookings with a payment each; returns their PaymentIntent ids."""
    from datetime import UTC, date, datetime, timedelta

    from sqlalchemy import text

    from services.api.accounts.models import User
    from services.api.clinicians.service import clinician_service
    from services.api.core.db import make_engine, make_sessionmaker
    from services.api.patients.service import patient_service
    from services.api.payments.models import Payment
    from services.api.scheduling.models import Booking, VisitType

    engine = make_engine(database_url)
    now = datetime.now(UTC)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                text("CREATE TABLE bench_inserts (id uuid PRIMARY KEY, size int NOT NULL, at timestamptz NOT NULL)")
            )
        async with make_sessionmaker(engine)() as s:
            doc = User(email="bench.doc@example.org", role="psychiatrist", full_name="Dr. Bench", is_active=True,
                       email_verified_at=now, created_at=now)  # fmt: skip
            pat = User(email="bench.patient@example.org", role="patient", full_name="Bench Patient", is_active=True,
                       email_verified_at=now, created_at=now)  # fmt: skip
            s.add_all([doc, pat])
            await s.flush()
            await clinician_service.create_profile(s, user_id=doc.id, display_name="Dr. Bench", time_zone="UTC")
            await patient_service.create(
                s, user_id=pat.id, date_of_birth=date(1980, 1, 1), state="ID", time_zone="UTC", language="en"
            )
            vt = VisitType(code="bench", name="Bench visit", description="", duration_minutes=15, price_cents=15000,
                           currency="usd", eligibility="any", requires_intake=False, requires_consents=False,
                           is_infusion=False, active=True, created_at=now)  # fmt: skip
            s.add(vt)
            await s.flush()
            intents = []
            day0 = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
            for i in range(payments):
                start = day0 + timedelta(minutes=15 * i)
                booking = Booking(id=uuid.uuid4(), patient_id=pat.id, psychiatrist_id=doc.id, visit_type_id=vt.id,
                                  starts_at=start, ends_at=start + timedelta(minutes=15),
                                  blocked_until=start + timedelta(minutes=15), status="held",
                                  hold_expires_at=now + timedelta(hours=6), price_cents=15000, currency="usd",
                                  sequence=0, created_at=now)  # fmt: skip
                intent = f"pi_bench_{i:06d}"
                s.add(booking)
                await s.flush()  # no ORM relationship orders the two inserts
                s.add(Payment(booking_id=booking.id, patient_id=pat.id, psychiatrist_id=doc.id, visit_type_id=vt.id,
                              stripe_payment_intent_id=intent, amount_cents=15000, currency="usd",
                              status="requires_payment", stripe_status="requires_payment_method", refunded_cents=0,
                              test_mode=True, created_at=now, updated_at=now))  # fmt: skip
                intents.append(intent)
            await s.commit()
            return intents
    finally:
        await engine.dispose()


# --- load --------------------------------------------------------------------------------
def signed(event: dict[str, object]) -> tuple[bytes, dict[str, str]]:
    from services.api.integrations.stripe.client import sign_payload

    body = json.dumps(event).encode()
    return body, {"Stripe-Signature": sign_payload(body, SECRET), "Content-Type": "application/json"}


async def drive(
    client: httpx.AsyncClient,
    clients: int,
    bodies: list[dict[str, object]],
    path: str,
    max_seconds: float,
    expect: Callable[[httpx.Response], bool],
) -> Result:
    result = Result("")
    todo = iter(bodies)
    deadline = time.perf_counter() + max_seconds

    async def worker() -> None:
        for event in todo:
            if time.perf_counter() > deadline:
                return
            body, headers = signed(event)
            await result.timed(client.post(path, content=body, headers=headers), expect)

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    result.elapsed = time.perf_counter() - start
    return result


def event_for(intent: str) -> dict[str, object]:
    obj = {"id": intent, "object": "payment_intent", "status": "processing", "amount": 15000, "currency": "usd",
           "metadata": {}, "latest_charge": None, "livemode": False}  # fmt: skip
    return {"id": f"evt_{uuid.uuid4().hex}", "object": "event", "type": "payment_intent.processing",
            "created": int(time.time()), "data": {"object": obj}, "livemode": False}  # fmt: skip


async def run(args: argparse.Namespace) -> int:
    warm = min(args.clients * 2, args.requests)
    async with bench_database() as url:
        server: subprocess.Popen[bytes] | None = None
        try:
            intents = await seed(url, args.requests + warm)
            port = free_port()
            with tempfile.TemporaryDirectory(prefix="halcyon-bench-") as var:
                server = start_server(__file__, url, var, port)
                limits = httpx.Limits(max_connections=args.clients, max_keepalive_connections=args.clients)
                async with httpx.AsyncClient(base_url=f"http://{HOST}:{port}", timeout=60, limits=limits) as client:
                    if not await wait_healthy(client):
                        print("the server did not start")
                        return 2
                    events = [event_for(i) for i in intents]
                    applied = lambda r: r.json().get("outcome") == "applied"  # noqa: E731
                    any_ok = lambda _r: True  # noqa: E731
                    await drive(client, args.clients, events[:warm], "/api/webhooks/stripe", args.max_seconds, applied)
                    await drive(client, args.clients, events[:warm], "/api/bench/insert", args.max_seconds, any_ok)
                    events = events[warm:]
                    minimal, webhook = Result("minimal INSERT"), Result("signed webhook ingest")
                    per_round = max(1, args.requests // args.rounds)
                    for k in range(args.rounds):
                        batch = events[k * per_round : (k + 1) * per_round]
                        minimal.add(
                            await drive(client, args.clients, batch, "/api/bench/insert", args.max_seconds, any_ok)
                        )
                        webhook.add(
                            await drive(client, args.clients, batch, "/api/webhooks/stripe", args.max_seconds, applied)
                        )
                    duplicates = await drive(
                        client,
                        args.clients,
                        events[: min(len(events), per_round)],
                        "/api/webhooks/stripe",
                        args.max_seconds,
                        lambda r: r.json().get("outcome") == "duplicate",
                    )
                    duplicates.name = "duplicate deliveries"
            ratio = webhook.throughput / minimal.throughput if minimal.throughput else 0.0
            print(f"PostgreSQL, {args.clients} concurrent clients, {args.rounds} alternating rounds, loopback")
            print(minimal.line())
            print(webhook.line())
            print(duplicates.line())
            print(f"ratio webhook/minimal throughput: {ratio:.2f}x (goal >= 0.70x, 0 errors)")
            for sample in minimal.samples + webhook.samples + duplicates.samples:
                print("  error sample:", sample)
            return 0 if minimal.errors == webhook.errors == duplicates.errors == 0 else 1
        finally:
            stop_server(server)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--clients", type=int, default=50)
    p.add_argument("--requests", type=int, default=2000, help="events per endpoint, split over the rounds")
    p.add_argument("--rounds", type=int, default=4)
    p.add_argument("--max-seconds", type=float, default=120.0, help="per round and endpoint")
    p.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--database-url", default="", help=argparse.SUPPRESS)
    p.add_argument("--var-dir", default="", help=argparse.SUPPRESS)
    p.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.serve:
        serve(args.database_url, args.var_dir, args.port)
        return 0
    return asyncio.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
