"""The production topology on loopback, from the deployment's own files, with real processes.

What infra/compose.yaml runs, without a Docker engine: the machine's PostgreSQL (a database of
this test's own) and Redis, `halcyon migrate` and `halcyon-keys init` once, two API processes
sharing the database, Redis and key folder, a worker, two signaling instances sharing rooms on
Redis (under a bus prefix of their own), coturn, the Stripe stand-in, and nginx rendered from
infra/nginx/halcyon.conf by render.py (`--no-tls`, 127.0.0.1 upstreams). Settings come from
infra/env/*.example with only the addresses and secrets of this machine replaced.

Everything a client does goes through nginx:
1. a patient searches, books a paid visit, pays with a card token made by the stand-in's
   Stripe.js endpoint, and the stand-in's signed webhook (delivered to nginx) confirms it; the
   worker mails the receipt;
2. the patient and the psychiatrist join the visit's call through nginx's `/ws/` and land on
   different signaling instances; their aiortc peers exchange video relayed by coturn;
3. under a bounded booking load, one API and one signaling instance get SIGKILL: requests keep
   succeeding (only those in flight on the killed API may fail, as 503 problems), the call is
   back on the surviving instance within 5 s, and afterwards the database holds no half-written
   booking, no orphaned hold, and an intact audit chain.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import secrets
import shutil
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import select

from services.api.audit.models import AuditEntry
from services.api.audit.service import verify_chain
from services.api.config import Settings
from services.api.core.db import make_engine, make_sessionmaker
from services.api.integrations.stripe.standin import register_webhook, start_standin
from services.api.payments.models import Payment
from services.api.scheduling.models import Booking, VisitType
from tests.api.scheduling.factories import create_psychiatrist, create_visit_type
from tests.deploy.support import (
    INFRA,
    access_log,
    free_port,
    nginx_prefix,
    read_env_file,
    render_nginx,
    require_nginx,
    running_nginx,
)
from tests.factories import Account, create_patient, sign_in
from tests.signaling.support import (
    PYTHON,
    ROOT,
    Client,
    Peer,
    ServerProcess,
    loopback_host_candidates,
    negotiate,
    start_coturn,
    start_process,
    wait_http,
    wait_udp_listening,
)
from tests.support.mail import SmtpSink
from tests.support.services import (
    REDIS_URL,
    create_pg_database,
    drop_pg_database,
    new_pg_database_name,
    require_postgres,
    require_redis,
)

# Many processes for one test: keep it on one xdist worker, apart from the rest (make test: loadgroup).
pytestmark = pytest.mark.xdist_group("topology")

ZONE = ZoneInfo("America/Boise")
LOAD_CLIENTS = 4
LOAD_MAX_REQUESTS = 80  # per client
LOAD_MAX_SECONDS = 20.0
LOAD_PAUSE = 0.05  # between one client's requests
KILL_WINDOW = 0.5  # requests started later than this after the kill must all succeed
# nginx takes a failed instance out for 5 s (render.py: fail_timeout=5s), then tries it again:
# the load goes on past that, so the retry of the dead instance is covered too.
LOAD_AFTER_KILL = 6.5
CALL_BACK_WITHIN = 5.0


# --- the topology ---------------------------------------------------------------------------------
@dataclass
class Topology:
    origin: str  # nginx: http://127.0.0.1:PORT
    ws_origin: str
    prefix: Path
    database_url: str
    stripe: str
    smtp: SmtpSink
    apis: list[ServerProcess]
    api_addresses: list[str]
    signaling: list[ServerProcess]
    signaling_ports: list[int]
    turn_port: int
    psychiatrist: Account
    patients: list[Account]
    paid: uuid.UUID  # 60-minute paid visit (the journey)
    quick_paid: uuid.UUID  # 15-minute paid visit (held under load)
    quick_free: uuid.UUID  # 15-minute free visit (confirmed at once under load)
    processes: list[ServerProcess] = field(default_factory=list)

    def logs(self) -> str:
        return "\n".join(f"--- {p.name} (exit {p.proc.poll()})\n{p.log()}" for p in self.processes)


def _require_coturn() -> None:
    if shutil.which("turnserver") is None:
        pytest.fail("coturn is not installed: `apt-get install coturn` (.ci/run installs it)", pytrace=False)


def _settings_from_files(overrides: dict[str, str]) -> dict[str, str]:
    """infra/env/config.env.example + secrets.env.example, with this machine's values put in."""
    values = read_env_file(INFRA / "env" / "config.env.example") | read_env_file(INFRA / "env" / "secrets.env.example")
    values.update(overrides)
    placeholders = {k: v for k, v in values.items() if "REPLACE" in v.upper() or "example-" in v}
    assert not placeholders, f"settings still holding the examples' placeholders: {sorted(placeholders)}"
    return values


async def _seed(database_url: str, var: Path) -> tuple[Account, list[Account], VisitType, VisitType, VisitType]:
    """A psychiatrist licensed in Idaho, open around the clock; five patients; three visit types."""
    engine = make_engine(database_url)
    try:
        async with make_sessionmaker(engine)() as s:
            settings = Settings(var_dir=var, database_url=database_url)  # the shared secret.key encrypts MFA
            doc = await create_psychiatrist(
                s,
                settings,
                hours=[(d, dtime(0), dtime(23, 45)) for d in range(7)],
                step_minutes=15,
                min_notice_minutes=0,
            )
            paid = await create_visit_type(s, name="Initial evaluation", duration_minutes=60, price_cents=35000)
            quick_paid = await create_visit_type(s, name="Check-in", duration_minutes=15, price_cents=9000)
            quick_free = await create_visit_type(s, name="Free consult", duration_minutes=15, price_cents=0)
            patients = [await create_patient(s, state="ID", time_zone="America/Boise") for _ in range(1 + LOAD_CLIENTS)]
    finally:
        await engine.dispose()
    return doc, patients, paid, quick_paid, quick_free


@pytest.fixture
def topology(tmp_path: Path) -> Iterator[Topology]:
    require_postgres()
    require_redis()
    require_nginx()
    _require_coturn()
    work = tmp_path
    var = work / "var"  # HALCYON_VAR_DIR shared by both API instances and the worker (compose: halcyon-keys)
    var.mkdir()
    name = new_pg_database_name("topology")
    database_url = asyncio.run(create_pg_database(name))
    smtp = SmtpSink()
    smtp.start()
    processes: list[ServerProcess] = []
    standin: subprocess.Popen[bytes] | None = None
    try:
        with contextlib.ExitStack() as stack:
            nginx_port, turn_port = free_port(), free_port()
            api_ports = [free_port(), free_port()]
            sig_ports = [free_port(), free_port()]
            origin = f"http://127.0.0.1:{nginx_port}"
            turn_secret = secrets.token_urlsafe(24)
            internal_secret = secrets.token_urlsafe(24)
            webhook_secret = f"whsec_topology_{secrets.token_hex(8)}"

            relay_low = 30000 + random.randrange(0, 50) * 200  # its own relay ports, apart from other workers'
            coturn = start_coturn(turn_port, turn_secret, work, min_port=relay_low, max_port=relay_low + 199)
            processes.append(coturn)

            base = {k: v for k, v in os.environ.items() if not k.startswith("HALCYON_")}
            settings = _settings_from_files(
                {
                    "HALCYON_PUBLIC_URL": origin,
                    "HALCYON_SIGNALING_PUBLIC_URL": origin,  # one origin: wss://<origin>/ws/...
                    "HALCYON_DATABASE_URL": database_url,
                    "HALCYON_REDIS_URL": REDIS_URL,
                    "HALCYON_SIGNALING_REDIS_URL": REDIS_URL,
                    "HALCYON_VAR_DIR": str(var),
                    "HALCYON_INTERNAL_SECRET": internal_secret,
                    "HALCYON_SIGNALING_INTERNAL_SECRET": internal_secret,
                    "HALCYON_SIGNALING_TURN_SECRET": turn_secret,
                    "HALCYON_SIGNALING_TURN_URLS": f'["turn:127.0.0.1:{turn_port}?transport=udp"]',
                    "HALCYON_SMTP_HOST": "127.0.0.1",
                    "HALCYON_SMTP_PORT": str(smtp.port),
                    "HALCYON_SMTP_STARTTLS": "false",
                    "HALCYON_SMTP_USERNAME": "",
                    "HALCYON_MAIL_FROM": "Topology Practice <no-reply@practice.test>",
                    "HALCYON_SERVER_NAME": "127.0.0.1",
                    "HALCYON_TURN_REALM": "halcyon.test",
                    "HALCYON_STRIPE_PUBLISHABLE_KEY": "",  # the stand-in's own test key
                    "HALCYON_STRIPE_WEBHOOK_SECRETS": webhook_secret,
                    "HALCYON_LOCAL_SMTP": "false",
                    "HALCYON_SERVE_FRONTEND": "false",  # the web app's build is not what this proves
                    # Test-only: a visit bookable now, so its call can be joined within the test.
                    "HALCYON_BOOKING_MIN_NOTICE_MINUTES": "0",
                    "HALCYON_CONSULT_JOIN_EARLY_MINUTES": "240",
                }
            )
            env = base | settings

            # What compose's `migrate` service does, once, before any instance starts.
            for step in (
                [PYTHON, "-m", "services.cli", "migrate"],
                [PYTHON, str(INFRA / "keys" / "halcyon_keys.py"), "init", str(var)],
            ):
                done = subprocess.run(step, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
                assert done.returncode == 0, f"{step} failed:\n{done.stdout}\n{done.stderr}"
            doc, patients, paid, quick_paid, quick_free = asyncio.run(_seed(database_url, var))

            standin, stripe_url = start_standin(free_port(), work / "stripe")
            # Stripe delivers its signed events to the public origin, like to a real deployment.
            register_webhook(stripe_url, "topology", f"{origin}/api/webhooks/stripe", webhook_secret)
            env["HALCYON_STRIPE_API_BASE"] = stripe_url
            env["HALCYON_STRIPE_JS_URL"] = f"{stripe_url}/js.stripe.com/v3/"

            apis = []
            for i, port in enumerate(api_ports, 1):
                api_env = env | {"HALCYON_API_HOST": "127.0.0.1", "HALCYON_API_PORT": str(port)}
                api = start_process(
                    f"api-{i}", [PYTHON, "-m", "services.cli", "serve", "api"], env=api_env, log_dir=work
                )
                processes.append(api)
                apis.append(api)
            worker = start_process("worker", [PYTHON, "-m", "services.cli", "worker"], env=env, log_dir=work)
            processes.append(worker)

            prefix = stack.enter_context(nginx_prefix())
            api_addresses = [f"127.0.0.1:{p}" for p in api_ports]
            render_nginx(
                prefix,
                "--no-tls",
                "--listen",
                f"127.0.0.1:{nginx_port}",
                *[a for address in api_addresses for a in ("--api", address)],
                *[a for p in sig_ports for a in ("--signaling", f"127.0.0.1:{p}")],
                "--stripe-origin",
                stripe_url,
            )
            stack.enter_context(running_nginx(prefix, f"{origin}/nginx-health"))
            for api, port in zip(apis, api_ports, strict=True):
                wait_http(api, f"http://127.0.0.1:{port}/readyz", timeout=90)  # database and Redis answer

            bus_prefix = f"halcyon-test:topology-{uuid.uuid4().hex[:10]}"  # this test's rooms only
            sigs = []
            for i, port in enumerate(sig_ports, 1):
                sig_env = env | {
                    "HALCYON_SIGNALING_HOST": "127.0.0.1",
                    "HALCYON_SIGNALING_PORT": str(port),
                    "HALCYON_SIGNALING_API_URL": origin,  # keys and call events through the proxy
                    "HALCYON_SIGNALING_BUS_PREFIX": bus_prefix,
                    "HALCYON_SIGNALING_VAR_DIR": str(work / f"signaling-{i}"),
                    "HALCYON_SIGNALING_ECHO_HOST_ADDRESSES": '["127.0.0.1"]',
                    "HALCYON_SIGNALING_HEARTBEAT_INTERVAL_SECONDS": "1",
                    "HALCYON_SIGNALING_HEARTBEAT_TIMEOUT_SECONDS": "5",
                }
                sig = start_process(
                    f"signaling-{i}", [PYTHON, "-m", "services.signaling.main"], env=sig_env, log_dir=work
                )
                processes.append(sig)
                sigs.append(sig)
            for sig, port in zip(sigs, sig_ports, strict=True):
                wait_http(sig, f"http://127.0.0.1:{port}/healthz", timeout=60)
            wait_udp_listening(turn_port, coturn)
            assert worker.proc.poll() is None, f"the worker exited:\n{worker.log()}"

            yield Topology(
                origin=origin,
                ws_origin=origin.replace("http://", "ws://"),
                prefix=prefix,
                database_url=database_url,
                stripe=stripe_url,
                smtp=smtp,
                apis=apis,
                api_addresses=api_addresses,
                signaling=sigs,
                signaling_ports=sig_ports,
                turn_port=turn_port,
                psychiatrist=doc,
                patients=patients,
                paid=paid.id,
                quick_paid=quick_paid.id,
                quick_free=quick_free.id,
                processes=processes,
            )
    finally:
        for p in reversed(processes):
            p.kill()
        if standin is not None:
            standin.kill()
            standin.wait(timeout=10)
        smtp.stop()
        asyncio.run(drop_pg_database(name))


# --- helpers --------------------------------------------------------------------------------------
async def _eventually(what: str, check: Any, *, timeout: float = 15.0, every: float = 0.2) -> Any:  # noqa: ASYNC109 - the test's own deadline
    """Poll `check` (a function, sync or async) until it returns something true."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = check()
        if asyncio.iscoroutine(last):
            last = await last
        if last:
            return last
        await asyncio.sleep(every)
    raise AssertionError(f"{what} did not happen within {timeout:g} s (last: {last!r})")


def _connections(t: Topology) -> list[int]:
    """Each signaling instance's own count of websockets (its /stats, reached directly)."""
    counts = []
    for port, sig in zip(t.signaling_ports, t.signaling, strict=True):
        if sig.proc.poll() is not None:
            counts.append(0)
            continue
        counts.append(
            int(httpx.get(f"http://127.0.0.1:{port}/stats", timeout=2, trust_env=False).json()["connections"])
        )
    return counts


async def _settled(t: Topology, total: int) -> list[int]:
    """The instances' connection counts once they add up to `total`."""

    async def check() -> list[int] | None:
        counts = await asyncio.to_thread(_connections, t)
        return counts if sum(counts) == total else None

    result: list[int] = await _eventually(f"{total} signaling connections in all", check, timeout=5, every=0.05)
    return result


async def _join(t: Topology, token: dict[str, Any]) -> tuple[Client, dict[str, Any]]:
    url = str(token["signaling_url"])
    assert url.startswith(f"{t.ws_origin}/ws/consults/"), url  # the API hands out the proxy's origin
    client = await Client.open(t.ws_origin, url.removeprefix(t.ws_origin), str(token["token"]))
    joined = await client.expect("joined", timeout=5)
    return client, joined


def _loopback_only(peer: Peer) -> None:
    assert peer.local_candidate_addresses() == {"127.0.0.1"}, f"{peer.name} offered non-loopback candidates"


# --- 1. the booking journey -------------------------------------------------------------------------
async def _book_and_pay(t: Topology, c: httpx.AsyncClient, h: dict[str, str], patient: Account) -> str:
    today = datetime.now(ZONE).date()
    r = await c.get(
        "/api/scheduling/slots",
        params={"visit_type_id": str(t.paid), "from": today.isoformat(), "to": (today + timedelta(days=1)).isoformat()},
        headers=h,
    )
    assert r.status_code == 200, r.text
    slots = r.json()["slots"]
    assert slots, "no open time found for the paid visit"
    first = slots[0]  # starts within the hour: its call can be joined during the test
    assert first["psychiatrist_id"] == str(t.psychiatrist.id)

    body = {"visit_type_id": str(t.paid), "psychiatrist_id": first["psychiatrist_id"], "starts_at": first["starts_at"]}
    r = await c.post("/api/bookings", json=body, headers=h)
    assert r.status_code == 201, r.text
    booking = r.json()
    assert booking["status"] == "held"
    assert booking["hold_expires_at"]
    booking_id = str(booking["id"])

    r = await c.post(f"/api/bookings/{booking_id}/payment", headers=h)
    assert r.status_code == 200, r.text
    started = r.json()
    assert started["status"] == "requires_payment"
    assert started["amount_cents"] == 35000
    assert started["stripe"]["js_url"] == f"{t.stripe}/js.stripe.com/v3/"
    # What Stripe.js does in the browser with the publishable key the API handed out.
    token = await c.post(
        f"{t.stripe}/v1/tokens",
        data={
            "card[number]": "4242424242424242",
            "card[exp_month]": "12",
            "card[exp_year]": "2034",
            "card[cvc]": "123",
            "key": started["stripe"]["publishable_key"],
        },
    )
    assert token.status_code == 200, token.text
    r = await c.post(f"/api/bookings/{booking_id}/payment/card", json={"token": token.json()["id"]}, headers=h)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "succeeded"

    # Only Stripe's signed webhook confirms: the stand-in posts it to nginx, which hands it to an API.
    async def confirmed() -> bool:
        got = await c.get(f"/api/bookings/{booking_id}", headers=h)
        return got.status_code == 200 and got.json()["status"] == "confirmed"

    await _eventually("the webhook confirming the booking", confirmed, timeout=20)
    hooks = [e for e in access_log(t.prefix) if e["uri"] == "/api/webhooks/stripe"]
    assert any(e["status"] == 200 for e in hooks), f"no webhook reached an API through nginx: {hooks}"
    shown = (await c.get(f"/api/bookings/{booking_id}/payment", headers=h)).json()
    assert (shown["status"], shown["outcome"]) == ("succeeded", "confirmed")

    # The worker (its own process) sends the receipt through the outbox.
    async def receipt() -> bool:
        return any(m.subject.startswith("Receipt for your Initial evaluation") for m in t.smtp.to(patient.email))

    await _eventually("the receipt e-mail from the worker", receipt, timeout=20)
    return booking_id


# --- 2. the call across two signaling instances -------------------------------------------------------
@dataclass
class Call:
    patient_token: dict[str, Any]
    psychiatrist_ice: list[dict[str, Any]]
    patient: Client
    psychiatrist: Client
    patient_instance: int
    peers: list[Peer]


async def _call(t: Topology, c: httpx.AsyncClient, ph: dict[str, str], dh: dict[str, str], booking_id: str) -> Call:
    r = await c.post(f"/api/consults/{booking_id}/patient-join-token", json={"location_state": "ID"}, headers=ph)
    assert r.status_code == 200, r.text
    patient_token = r.json()
    r = await c.post(f"/api/consults/{booking_id}/psychiatrist-join-token", headers=dh)
    assert r.status_code == 200, r.text
    doc_token = r.json()

    assert await asyncio.to_thread(_connections, t) == [0, 0]
    patient, joined = await _join(t, patient_token)
    patient_instance = (await _settled(t, 1)).index(1)
    # nginx balances /ws/ over both instances; the psychiatrist must land on the other one
    # (round robin: the next connection normally does; else reconnect, a bounded number of times).
    for _ in range(6):
        psychiatrist, doc_joined = await _join(t, doc_token)
        if await _settled(t, 2) == [1, 1]:
            break
        await psychiatrist.close()
        await _settled(t, 1)
    else:
        raise AssertionError("nginx never sent the psychiatrist to the other signaling instance")
    assert doc_joined["peer"] == {"role": "patient", "present": True}

    await psychiatrist.send({"type": "admit"})
    await patient.expect("room", state="admitted")
    await psychiatrist.expect("room", state="admitted")

    # ICE servers come from signaling: coturn on loopback with time-limited REST credentials.
    for j in (joined, doc_joined):
        [server] = j["iceServers"]
        assert server["urls"] == [f"turn:127.0.0.1:{t.turn_port}?transport=udp"]
    peers = [
        Peer("patient", joined["iceServers"], relay_only=True),
        Peer("psychiatrist", doc_joined["iceServers"], relay_only=True),
    ]
    await negotiate(patient, psychiatrist, *peers)
    for peer in peers:
        await peer.wait_frames(30, timeout=25)
        assert peer.local_candidate_types() == {"relay"}
        _loopback_only(peer)

    # Signaling reported the admission to the API (its call events go through nginx too).
    async def admitted() -> bool:
        got = await c.get(f"/api/consults/{booking_id}", headers=ph)
        return got.status_code == 200 and got.json()["admitted_at"] is not None

    await _eventually("the admission reaching the API", admitted, timeout=10)
    return Call(patient_token, doc_joined["iceServers"], patient, psychiatrist, patient_instance, peers)


# --- 3. load and faults ----------------------------------------------------------------------------------
@dataclass
class Outcome:
    client: int
    method: str
    path: str
    started: float
    ended: float
    status: int  # 0: no answer at all
    content_type: str = ""
    problem: str = ""
    booking: dict[str, Any] | None = None


async def _open_slots(t: Topology, c: httpx.AsyncClient, h: dict[str, str]) -> list[dict[str, Any]]:
    """15-minute times days away from the journey's visit, dealt out to the load clients."""
    first = datetime.now(ZONE).date() + timedelta(days=2)
    r = await c.get(
        "/api/scheduling/slots",
        params={
            "visit_type_id": str(t.quick_free),
            "from": first.isoformat(),
            "to": (first + timedelta(days=3)).isoformat(),
        },
        headers=h,
    )
    assert r.status_code == 200, r.text
    slots: list[dict[str, Any]] = r.json()["slots"]
    assert len(slots) >= LOAD_CLIENTS * (LOAD_MAX_REQUESTS // 2 + 1)
    return slots


async def _load_client(
    t: Topology,
    n: int,
    h: dict[str, str],
    slots: list[dict[str, Any]],
    stop: asyncio.Event,
    out: list[Outcome],
) -> None:
    """GETs and bookings in turn, one at a time: at most LOAD_MAX_REQUESTS, for LOAD_MAX_SECONDS."""
    deadline = time.monotonic() + LOAD_MAX_SECONDS
    async with httpx.AsyncClient(base_url=t.origin, headers=h, timeout=15, trust_env=False) as c:
        for i in range(LOAD_MAX_REQUESTS):
            if stop.is_set() or time.monotonic() > deadline:
                return
            if i % 2 == 0:
                method, path, body = "GET", ("/api/visit-types" if i % 4 == 0 else "/api/bookings?limit=5"), None
            else:
                slot = slots[i // 2]
                vt = t.quick_paid if i % 4 == 1 else t.quick_free
                method, path = "POST", "/api/bookings"
                body = {
                    "visit_type_id": str(vt),
                    "psychiatrist_id": slot["psychiatrist_id"],
                    "starts_at": slot["starts_at"],
                }
            started = time.monotonic()
            try:
                r = await c.request(method, path, json=body)
            except httpx.HTTPError as exc:
                out.append(Outcome(n, method, path, started, time.monotonic(), 0, problem=repr(exc)))
                continue
            o = Outcome(n, method, path, started, time.monotonic(), r.status_code, r.headers.get("content-type", ""))
            if r.status_code >= 400 and o.content_type.startswith("application/problem+json"):
                o.problem = str(r.json().get("type", ""))
            if method == "POST" and r.status_code == 201:
                o.booking = r.json()
            out.append(o)
            await asyncio.sleep(LOAD_PAUSE)


def _ok(o: Outcome) -> bool:
    return o.status == (201 if o.method == "POST" else 200)


async def _faults(
    t: Topology, call: Call, load_headers: list[dict[str, str]], slots: list[dict[str, Any]]
) -> tuple[list[Outcome], float]:
    outcomes: list[Outcome] = []
    stop = asyncio.Event()
    loaders = [
        asyncio.create_task(_load_client(t, n, h, slots[n::LOAD_CLIENTS], stop, outcomes))
        for n, h in enumerate(load_headers)
    ]
    try:
        await _eventually("the load getting going", lambda: len(outcomes) >= 2 * LOAD_CLIENTS, timeout=10, every=0.05)
        doomed_signaling = t.signaling[call.patient_instance]
        survivor = 1 - call.patient_instance
        killed_at = time.monotonic()
        os.kill(t.apis[0].proc.pid, signal.SIGKILL)
        os.kill(doomed_signaling.proc.pid, signal.SIGKILL)
        t.apis[0].proc.wait(timeout=5)
        doomed_signaling.proc.wait(timeout=5)

        # The patient's socket ran through the killed instance: it drops, and the patient comes
        # back through nginx, which now has only the survivor to offer.
        await call.patient.expect_close(timeout=CALL_BACK_WITHIN)
        assert not call.psychiatrist.closed.is_set(), "the psychiatrist's socket on the surviving instance dropped"
        patient, joined = await _join(t, call.patient_token)
        assert joined["room"] == "admitted"
        assert joined["peer"] == {"role": "psychiatrist", "present": True}
        call.patient = patient
        # aiortc has no ICE restart: the call is renegotiated on fresh peer connections.
        for peer in call.peers:
            await peer.close()
        call.peers = [Peer("patient", joined["iceServers"]), Peer("psychiatrist", call.psychiatrist_ice)]
        await negotiate(patient, call.psychiatrist, *call.peers)
        for peer in call.peers:
            await peer.wait_frames(10, timeout=max(0.1, killed_at + CALL_BACK_WITHIN - time.monotonic()))
        back_after = time.monotonic() - killed_at
        print(f"\ntopology: the call was back {back_after:.2f} s after SIGKILL")
        assert back_after < CALL_BACK_WITHIN, f"the call took {back_after:.1f} s to come back after SIGKILL"
        for peer in call.peers:
            await peer.wait_frames(30, timeout=15)
            _loopback_only(peer)
        expected = [0, 0]
        expected[survivor] = 2
        assert await asyncio.to_thread(_connections, t) == expected

        # Keep the load on after the kill window: every one of these must succeed.
        await asyncio.sleep(max(0.0, killed_at + LOAD_AFTER_KILL - time.monotonic()))
    finally:
        stop.set()
        await asyncio.gather(*loaders)
    return outcomes, killed_at


def _check_load(t: Topology, outcomes: list[Outcome], killed_at: float) -> None:
    failed = [o for o in outcomes if not _ok(o)]
    summary = [(o.method, o.path, o.status, o.problem, round(o.started - killed_at, 2)) for o in failed]
    # Only what was in flight on the killed instance may fail: nginx re-sends a request only when
    # it never reached an instance, and never a POST that did (it could book twice).
    assert len(failed) <= LOAD_CLIENTS, f"more failures than requests in flight: {summary}"
    for o in failed:
        # Unavailable (nginx found the instance gone) or, if the instance died after nginx had
        # passed on its answer's headers, cut off mid-answer: nothing else can reach the client then.
        cut_off = o.status == 0 and "RemoteProtocolError" in (o.problem or "")
        assert o.status in (502, 503) or cut_off, f"a request failed other than as unavailable: {summary}"
        assert cut_off or o.content_type.startswith("application/problem+json"), summary
        in_flight = o.started <= killed_at + KILL_WINDOW and o.ended >= killed_at
        assert in_flight, f"a request failed that was not in flight at the kill: {summary}"
    after = [o for o in outcomes if o.started > killed_at + KILL_WINDOW]
    assert len(after) >= 2 * LOAD_CLIENTS, f"too little load after the kill to tell: {len(after)} requests"
    assert all(_ok(o) for o in after), summary
    print(
        f"topology: {len(outcomes)} requests under load, {len(after)} after the kill window, "
        f"{len(failed)} in flight on the killed API failed: {summary}"
    )
    assert {o.method for o in after} == {"GET", "POST"}
    assert any(o.started > killed_at + 5.5 for o in after), "the load ended before nginx retried the dead API"

    # nginx spread the requests over both API instances; after the kill, whenever it tried the
    # dead one (right away, and again once its 5 s were up) it passed the request on to the other.
    api = [e for e in access_log(t.prefix) if str(e["uri"]).startswith("/api/")]
    assert {str(e["upstream"]).split(", ")[-1] for e in api} == set(t.api_addresses)
    dead = t.api_addresses[0]
    passed_on = [e for e in api if str(e["upstream"]).startswith(f"{dead}, ")]
    assert passed_on, "nginx never tried the killed API again"
    assert all(int(str(e["status"])) < 500 for e in passed_on), passed_on
    assert str(api[-1]["upstream"]).split(", ")[-1] != dead


# --- 4. the database afterwards --------------------------------------------------------------------------
async def _check_database(t: Topology, outcomes: list[Outcome], journey_booking: str) -> None:
    answered = {str(o.booking["id"]): o.booking["status"] for o in outcomes if o.booking}
    posts_lost = [o for o in outcomes if o.method == "POST" and not _ok(o)]
    load_patients = {p.id for p in t.patients[1:]}
    engine = make_engine(t.database_url)
    try:
        async with make_sessionmaker(engine)() as s:
            now = datetime.now(UTC)
            rows = (await s.scalars(select(Booking))).all()
            payments = {p.booking_id: p for p in (await s.scalars(select(Payment))).all()}
            created = set(
                (await s.scalars(select(AuditEntry.subject_id).where(AuditEntry.action == "booking.created"))).all()
            )
            for b in rows:
                what = f"booking {b.id} ({b.status})"
                assert str(b.id) in created, f"{what} has no audit entry of its creation"
                if b.status == "held":
                    assert b.hold_expires_at is not None, what
                    assert b.confirmed_at is None, what
                    # No orphaned hold: a held row is still within its hold (expired ones are marked).
                    assert b.hold_expires_at > now, f"{what}: its hold lapsed at {b.hold_expires_at} but it is held"
                    assert b.price_cents > 0, what
                elif b.status == "confirmed":
                    assert b.confirmed_at is not None, what
                    assert b.cancelled_at is None, what
                    if b.price_cents > 0:
                        paid = payments.get(b.id)
                        assert paid is not None, f"{what} without a payment"
                        assert paid.status == "succeeded", f"{what} with a {paid.status} payment"
                elif b.status == "expired":
                    assert b.hold_expires_at is not None, what
                    assert b.hold_expires_at <= now, what
                else:
                    raise AssertionError(f"{what}: nothing in this test cancels or releases a booking")
            by_id = {str(b.id): b for b in rows}
            for booking_id, status in answered.items():
                assert booking_id in by_id, f"booking {booking_id} was answered 201 but is not in the database"
                assert by_id[booking_id].status == status
            load_rows = [b for b in rows if b.patient_id in load_patients]
            # A POST lost with its instance was either committed whole or not at all.
            assert len(answered) <= len(load_rows) <= len(answered) + len(posts_lost)
            journey = by_id[journey_booking]
            assert journey.status == "confirmed"
            assert payments[journey.id].status == "succeeded"

            report = await verify_chain(s)
            assert report.ok, f"audit chain broken at {report.first_bad_id}: {report.reason}"
            assert report.checked > len(rows)
    finally:
        await engine.dispose()


# --- the test ----------------------------------------------------------------------------------------------
async def test_the_topology_books_calls_and_survives_sigkill_of_an_api_and_a_signaling_instance(
    topology: Topology,
) -> None:
    try:
        await _run(topology)
    except AssertionError as exc:  # what the servers said is the first thing to read
        raise AssertionError(f"{exc}\n\nthe processes' logs (ends):\n{topology.logs()}") from exc


async def _run(t: Topology) -> None:
    patient, *load_patients = t.patients
    with loopback_host_candidates():
        async with httpx.AsyncClient(base_url=t.origin, timeout=15, trust_env=False) as c:
            ph = await sign_in(c, patient)
            dh = await sign_in(c, t.psychiatrist)  # password, then TOTP (staff)
            load_headers = [await sign_in(c, p) for p in load_patients]

            booking_id = await _book_and_pay(t, c, ph, patient)
            call = await _call(t, c, ph, dh, booking_id)
            slots = await _open_slots(t, c, load_headers[0])
            try:
                outcomes, killed_at = await _faults(t, call, load_headers, slots)
            finally:
                for peer in call.peers:
                    await peer.close()
                await call.patient.close()
                await call.psychiatrist.close()
    _check_load(t, outcomes, killed_at)
    await _check_database(t, outcomes, booking_id)
    assert t.apis[1].proc.poll() is None, "the surviving API exited"
    assert t.signaling[1 - call.patient_instance].proc.poll() is None, "the surviving signaling instance exited"
