"""Booking throughput and latency on PostgreSQL, against a one-INSERT endpoint on the same stack.

    .venv/bin/python bench/booking.py                # 50 clients, 2000 requests per endpoint
    .venv/bin/python bench/booking.py --requests 40 --clients 5   # a quick smoke run

It creates a throw-away PostgreSQL database on 127.0.0.1 (dropped at the end), migrates it,
seeds one psychiatrist (licensed, open every day) and one patient per client, starts the API
with uvicorn on 127.0.0.1 in a separate process, signs the patients in, then drives two
endpoints with the same number of concurrent clients, alternating rounds so drift hits both:

- `POST /api/bookings`: the real booking (holds a paid visit; `--visit free` confirms a free
  one, which also queues the e-mail, reminders and care-team row);
- `POST /api/bench/insert`: a minimal endpoint mounted only here, on the same router class
  (transaction per request), the same patient authentication and session, doing one INSERT.

Every booking is for a distinct time, so none conflicts; any non-2xx answer counts as an error.
It prints throughput and p50/p99 for both, and the ratio (goal: >= 0.8x, 0 errors). Bounded in
requests and in time (`--max-seconds` per round); every socket stays on loopback.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import (  # noqa: E402
    HOST,
    Result,
    bench_database,
    free_port,
    load_average,
    serve_api,
    start_server,
    stop_server,
    wait_healthy,
)
from services.api.deps import CurrentPatient, WriteSession  # noqa: E402  (resolved by FastAPI at run time)

PASSWORD = "bench horse battery staple"  # noqa: S105 - throw-away accounts in a throw-away database


# --- the server process ------------------------------------------------------------------
def serve(database_url: str, var_dir: str, port: int) -> None:
    from sqlalchemy import text

    from services.api.core.routing import APIRouter

    bench = APIRouter(prefix="/api/bench", tags=["bench"])

    @bench.post("/insert", status_code=201)
    async def insert(actor: CurrentPatient, session: WriteSession) -> dict[str, str]:
        """One INSERT, through the same route class, authentication and session as bookings."""
        row_id = uuid.uuid4()
        await session.execute(
            text("INSERT INTO bench_inserts (id, patient_id, at) VALUES (:id, :p, now())"),
            {"id": row_id, "p": actor.user_id},
        )
        return {"id": str(row_id)}

    serve_api(database_url, var_dir, port, bench)


# --- set-up ------------------------------------------------------------------------------
async def seed(database_url: str, clients: int, visit: str) -> tuple[str, str, list[str]]:
    """One psychiatrist open around the clock, one visit type, one patient per client."""
    from datetime import date, time

    from sqlalchemy import text

    from services.api.accounts.models import User
    from services.api.clinicians.service import clinician_service
    from services.api.core.db import make_engine, make_sessionmaker
    from services.api.core.passwords import hash_password
    from services.api.patients.service import patient_service
    from services.api.scheduling.models import AvailabilityRule, ScheduleSettings, VisitType
    from services.common.clock import utcnow

    engine = make_engine(database_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "CREATE TABLE bench_inserts (id uuid PRIMARY KEY, patient_id uuid NOT NULL, at timestamptz NOT NULL)"
                )
            )
        async with make_sessionmaker(engine)() as s:
            now = utcnow()
            doc = User(
                email="bench.doc@example.org",
                password_hash=None,
                role="psychiatrist",
                full_name="Dr. Bench",
                is_active=True,
                email_verified_at=now,
                created_at=now,
            )
            s.add(doc)
            await s.flush()
            await clinician_service.create_profile(s, user_id=doc.id, display_name="Dr. Bench", time_zone="UTC")
            await clinician_service.add_license(
                s, psychiatrist_id=doc.id, state="ID", number="B-1", expires_on=date(2099, 1, 1)
            )
            s.add(
                ScheduleSettings(psychiatrist_id=doc.id, buffer_minutes=0, slot_step_minutes=15, min_notice_minutes=0)
            )
            for weekday in range(7):
                s.add(
                    AvailabilityRule(
                        psychiatrist_id=doc.id,
                        weekday=weekday,
                        start_time=time(0),
                        end_time=time(23, 45),
                        created_at=now,
                    )
                )
            vt = VisitType(
                code="bench",
                name="Bench visit",
                description="",
                duration_minutes=15,
                price_cents=0 if visit == "free" else 15000,
                currency="usd",
                eligibility="any",
                requires_intake=False,
                requires_consents=False,
                is_infusion=False,
                active=True,
                created_at=now,
            )
            s.add(vt)
            pw = hash_password(PASSWORD)
            emails = []
            for i in range(clients):
                email = f"bench.patient.{i}@example.org"
                user = User(
                    email=email,
                    password_hash=pw,
                    role="patient",
                    full_name=f"Bench Patient {i}",
                    is_active=True,
                    email_verified_at=now,
                    created_at=now,
                )
                s.add(user)
                await s.flush()
                await patient_service.create(
                    s, user_id=user.id, date_of_birth=date(1980, 1, 1), state="ID", time_zone="UTC", language="en"
                )
                emails.append(email)
            await s.commit()
            return str(doc.id), str(vt.id), emails
    finally:
        await engine.dispose()


# --- load --------------------------------------------------------------------------------
@dataclass
class CpuResult(Result):
    server_cpu: float = 0.0  # seconds of the API process's CPU time spent in the rounds

    def add(self, other: Result) -> None:
        super().add(other)
        if isinstance(other, CpuResult):
            self.server_cpu += other.server_cpu

    def line(self, width: int = 22) -> str:
        return f"{super().line(width)}  server CPU {1000 * self.server_cpu / max(1, self.count):.1f} ms/req"


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far; 0 where /proc is missing."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def drive(
    name: str,
    client: httpx.AsyncClient,
    headers: list[dict[str, str]],
    requests: int,
    make_body: object,
    path: str,
    max_seconds: float,
    server_pid: int = 0,
) -> CpuResult:
    result = CpuResult(name)
    counter = iter(range(requests))
    deadline = time.perf_counter() + max_seconds

    async def worker(i: int) -> None:
        for n in counter:
            if time.perf_counter() > deadline:
                return
            body = make_body(i, n)  # type: ignore[operator]
            await result.timed(client.post(path, json=body, headers=headers[i]))

    cpu0 = process_cpu(server_pid) if server_pid else 0.0
    start = time.perf_counter()
    await asyncio.gather(*(worker(i) for i in range(len(headers))))
    result.elapsed = time.perf_counter() - start
    result.server_cpu = process_cpu(server_pid) - cpu0 if server_pid else 0.0
    return result


async def run(args: argparse.Namespace) -> int:
    async with bench_database(args.database_url) as url:
        server: subprocess.Popen[bytes] | None = None
        try:
            doc_id, vt_id, emails = await seed(url, args.clients, args.visit)
            port = free_port()
            with tempfile.TemporaryDirectory(prefix="halcyon-bench-") as var:
                server = start_server(__file__, url, var, port)
                base = f"http://{HOST}:{port}"
                limits = httpx.Limits(max_connections=args.clients, max_keepalive_connections=args.clients)
                async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
                    if not await wait_healthy(client):
                        print("the server did not start")
                        return 2
                    headers = []
                    for email in emails:
                        r = await client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
                        r.raise_for_status()
                        headers.append({"Authorization": f"Bearer {r.json()['access_token']}"})

                    day0 = (datetime.now(UTC) + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
                    per_day = 95  # 00:00 to 23:30 every 15 minutes
                    taken = iter(range(10**9))

                    def booking_body(_i: int, _n: int) -> dict[str, str]:
                        k = next(taken)
                        start = day0 + timedelta(days=k // per_day, minutes=15 * (k % per_day))
                        return {"visit_type_id": vt_id, "psychiatrist_id": doc_id, "starts_at": start.isoformat()}

                    def insert_body(_i: int, _n: int) -> dict[str, str]:
                        return {}

                    warm = min(args.clients * 2, args.requests)
                    await drive("warm-up", client, headers, warm, insert_body, "/api/bench/insert", args.max_seconds)
                    await drive("warm-up", client, headers, warm, booking_body, "/api/bookings", args.max_seconds)
                    minimal, booking = CpuResult("minimal INSERT"), CpuResult(f"booking ({args.visit})")
                    per_round = max(1, args.requests // args.rounds)
                    plan = ((minimal, insert_body, "/api/bench/insert"), (booking, booking_body, "/api/bookings"))
                    load_before = load_average()
                    for _ in range(args.rounds):
                        for total, make_body, path in plan:
                            total.add(
                                await drive(
                                    "", client, headers, per_round, make_body, path, args.max_seconds, server.pid
                                )
                            )
            ratio = booking.throughput / minimal.throughput if minimal.throughput else 0.0
            print(f"PostgreSQL, {args.clients} concurrent clients, {args.rounds} alternating rounds, loopback")
            print(f"load average (1, 5, 15 min): {load_before} before the rounds, {load_average()} after")
            print(minimal.line())
            print(booking.line())
            print(f"ratio booking/minimal throughput: {ratio:.2f}x (goal >= 0.80x, 0 errors)")
            for sample in minimal.samples + booking.samples:
                print("  error sample:", sample)
            return 0 if booking.errors == 0 and minimal.errors == 0 else 1
        finally:
            stop_server(server)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--clients", type=int, default=50)
    p.add_argument("--requests", type=int, default=2000, help="per endpoint, split over the rounds")
    p.add_argument("--rounds", type=int, default=4)
    p.add_argument("--max-seconds", type=float, default=120.0, help="per round and endpoint")
    p.add_argument("--visit", choices=["paid", "free"], default="paid")
    p.add_argument(
        "--database-url", default="", help="an empty migrated PostgreSQL database (default: a temporary one)"
    )
    p.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--var-dir", default="", help=argparse.SUPPRESS)
    p.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.serve:
        serve(args.database_url, args.var_dir, args.port)
        return 0
    return asyncio.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
