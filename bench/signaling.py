"""Signaling benchmark: relay round trip (p50/p99) and messages/s, against the PeerJS server
and a raw websocket echo, in the same run on the same machine; then two instances via Redis.

    .venv/bin/python bench/signaling.py            # full run (about two minutes on 2 cores)
    .venv/bin/python bench/signaling.py --quick    # fewer messages, one run each: a smoke check
    .venv/bin/python bench/signaling.py --repeats 5

Every scenario runs `--repeats` times (3) with the servers taking turns, and each figure is
the median of its runs: the machine's speed drifts within a minute, and a single run per
server can land one of them in a slow patch.

Everything binds 127.0.0.1 and every process started here is stopped by its PID at the end.
Scenarios, each with the same client code:
  one room         2 connections (patient, psychiatrist); the patient sends, the psychiatrist
                   sends it straight back; round trip = patient -> server -> psychiatrist ->
                   server -> patient. For the echo server: client -> server -> client.
  100 connections  50 rooms of 2 (a consult room has two seats) doing the same at once;
                   messages/s counts every relayed message.
  Redis            patient on instance A, psychiatrist on instance B: round trip, and 10k
                   numbered messages checked for loss and order.
PeerJS (npm `peer`, bench/peerjs) relays the same payloads as CANDIDATE messages to `dst`.
Our instances run with the message-rate limit raised (a benchmark floods on purpose).
The machine may be shared: the load average before and after is printed with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import itertools
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import free_port, load_average  # noqa: E402
from services.common.clock import utcnow  # noqa: E402
from services.common.join import SeatRole, mint_join_token  # noqa: E402
from services.common.tokens import SigningKeys  # noqa: E402

PEERJS_DIR = ROOT / "bench" / "peerjs"


# --- processes --------------------------------------------------------------------------------
class Procs:
    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.started: list[subprocess.Popen[bytes]] = []

    def start(self, name: str, args: list[str], env: dict[str, str] | None = None, cwd: Path = ROOT) -> None:
        log = (self.log_dir / f"{name}.log").open("wb")
        self.started.append(subprocess.Popen(args, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT))

    def stop_all(self) -> None:
        for p in self.started:
            if p.poll() is None:
                os.kill(p.pid, signal.SIGTERM)
        for p in self.started:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.kill(p.pid, signal.SIGKILL)


def wait_port(name: str, port: int, log_dir: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.1)
    log = (log_dir / f"{name}.log").read_text(errors="replace")[-2000:]
    raise SystemExit(f"{name}: nothing listens on 127.0.0.1:{port} after {timeout:g} s\n{log}")


class ApiStandIn:
    """Serves the public keys and accepts call events: the benchmark measures signaling alone."""

    def __init__(self, keys: SigningKeys) -> None:
        jwks = json.dumps(keys.public_jwks()).encode()
        self.events = 0
        self.requests = 0
        self.last_event = time.monotonic()
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as the API (uvicorn) answers

            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(jwks)))
                self.end_headers()
                self.wfile.write(jwks)

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                stand_in.requests += 1
                stand_in.last_event = time.monotonic()
                if self.path.endswith("/batch"):  # several events: one outcome each
                    events = json.loads(body)["events"]
                    stand_in.events += len(events)
                    results = [{"event_id": e["event_id"], "outcome": "applied", "status": "waiting"} for e in events]
                    answer = json.dumps({"results": results}).encode()
                else:
                    stand_in.events += 1
                    answer = b'{"applied":true,"status":"waiting"}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


ECHO_SERVER = """
import asyncio, sys
from websockets.asyncio.server import serve
async def echo(ws):
    async for message in ws:
        await ws.send(message)
async def main():
    async with serve(echo, "127.0.0.1", int(sys.argv[1]), ping_interval=None, max_size=2**20):
        await asyncio.Future()
asyncio.run(main())
"""


# --- clients --------------------------------------------------------------------------------
@dataclass
class Result:
    name: str
    rtts: list[float]
    messages: int
    seconds: float

    @property
    def p50(self) -> float:
        return statistics.median(self.rtts) * 1000

    @property
    def p99(self) -> float:
        ordered = sorted(self.rtts)
        return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000

    @property
    def rate(self) -> float:
        return self.messages / self.seconds


@dataclass
class Summary:
    """One server's figures over its runs of a scenario: the median of each."""

    name: str
    p50: float
    p99: float
    rate: float

    @classmethod
    def of(cls, runs: list[Result]) -> Summary:
        return cls(
            runs[0].name,
            statistics.median(r.p50 for r in runs),
            statistics.median(r.p99 for r in runs),
            statistics.median(r.rate for r in runs),
        )


Pair = tuple[ClientConnection, ClientConnection, Callable[[int], str], Callable[[str], int]]


async def open_ws(url: str) -> ClientConnection:
    return await connect(url, proxy=None, ping_interval=None, max_size=2**20, open_timeout=10)


async def halcyon_pair(url_a: str, url_b: str, keys: SigningKeys) -> Pair:
    consult, now = uuid.uuid4(), utcnow()

    async def seat(url: str, role: SeatRole) -> ClientConnection:
        token = mint_join_token(
            keys,
            consult_id=consult,
            user_id=uuid.uuid4(),
            role=role,
            not_before=now - timedelta(minutes=1),
            expires_at=now + timedelta(hours=1),
        )
        ws = await open_ws(f"{url}/ws/consults/{consult}")
        await ws.send(json.dumps({"type": "hello", "protocol": 1, "token": token}))
        if json.loads(await ws.recv())["type"] != "joined":
            raise SystemExit("signaling did not seat the benchmark client")
        return ws

    patient = await seat(url_a, SeatRole.patient)
    doctor = await seat(url_b, SeatRole.psychiatrist)
    await doctor.send(json.dumps({"type": "admit"}))
    while json.loads(await patient.recv()).get("type") != "room":
        pass
    while json.loads(await doctor.recv()).get("type") != "room":
        pass

    def wrap(n: int) -> str:
        return json.dumps(
            {
                "type": "candidate",
                "candidate": f"candidate:{n} 1 udp 1 127.0.0.1 9 typ host",
                "sdpMid": "0",
                "sdpMLineIndex": 0,
            }
        )

    def unwrap(raw: str) -> int:
        msg = json.loads(raw)
        if msg.get("type") != "candidate":
            raise SystemExit(f"unexpected message: {raw[:300]}")
        return int(msg["candidate"].split(" ", 1)[0].removeprefix("candidate:"))

    return patient, doctor, wrap, unwrap


async def peerjs_pair(url: str) -> Pair:
    ids = [uuid.uuid4().hex, uuid.uuid4().hex]

    async def open_peer(peer_id: str) -> ClientConnection:
        ws = await open_ws(f"{url}/peerjs?key=peerjs&id={peer_id}&token={uuid.uuid4().hex[:8]}")
        if json.loads(await ws.recv())["type"] != "OPEN":
            raise SystemExit("PeerJS did not open the benchmark client")
        return ws

    a, b = await open_peer(ids[0]), await open_peer(ids[1])

    def wrap_to(dst: str) -> Callable[[int], str]:
        def wrap(n: int) -> str:
            payload = {"candidate": f"candidate:{n} 1 udp 1 127.0.0.1 9 typ host", "sdpMid": "0", "sdpMLineIndex": 0}
            return json.dumps({"type": "CANDIDATE", "dst": dst, "payload": payload})

        return wrap

    def unwrap(raw: str) -> int:
        return int(json.loads(raw)["payload"]["candidate"].split(" ", 1)[0].removeprefix("candidate:"))

    # b answers to a: the bouncing side needs its own wrap; stash it on the socket.
    b.bench_wrap = wrap_to(ids[0])  # type: ignore[attr-defined]
    return a, b, wrap_to(ids[1]), unwrap


async def echo_pair(url: str) -> Pair:
    ws = await open_ws(url)

    def wrap(n: int) -> str:
        return json.dumps(
            {
                "type": "candidate",
                "candidate": f"candidate:{n} 1 udp 1 127.0.0.1 9 typ host",
                "sdpMid": "0",
                "sdpMLineIndex": 0,
            }
        )

    def unwrap(raw: str) -> int:
        return int(json.loads(raw)["candidate"].split(" ", 1)[0].removeprefix("candidate:"))

    return ws, ws, wrap, unwrap


async def ping_pong(pair: Pair, rounds: int) -> list[float]:
    """The first socket sends; the second sends each message straight back."""
    a, b, wrap, unwrap = pair
    back = getattr(b, "bench_wrap", wrap)
    bouncer = None
    if a is not b:

        async def bounce() -> None:
            for _ in range(rounds):
                await b.send(back(unwrap(await b.recv())))

        bouncer = asyncio.create_task(bounce())
    rtts = []
    for n in range(rounds):
        started = time.perf_counter()
        await a.send(wrap(n))
        got = unwrap(await a.recv())
        rtts.append(time.perf_counter() - started)
        if got != n:
            raise SystemExit(f"out of order: sent {n}, got {got}")
    if bouncer is not None:
        await bouncer
    return rtts


async def settled(api: ApiStandIn, quiet: float = 0.3, limit: float = 30.0) -> None:
    """Wait until no call event has reached the API stand-in for `quiet` seconds.

    Seating and admitting 50 rooms makes our instances report ~150 call events (joined,
    admitted; left on closing), sent in the background (in batches of what queued up). That is a cost
    per call, not per message: left running into the timed part (or into the next server's
    scenario), it would measure the flush of a backlog instead of the relay. So every scenario
    starts and ends with the servers idle."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and time.monotonic() - api.last_event < quiet:  # noqa: ASYNC110 - a counter another thread bumps
        await asyncio.sleep(0.05)


async def scenario(name: str, make: Callable[[], Awaitable[Pair]], pairs: int, rounds: int, api: ApiStandIn) -> Result:
    opened = [await make() for _ in range(pairs)]
    await asyncio.gather(*(ping_pong(p, 20) for p in opened))  # warm up
    await settled(api)
    # The client's own garbage collector out of the timed part: opening 100 connections makes
    # enough long-lived objects for a full collection (14 ms measured) to fall due soon after,
    # i.e. inside whichever scenario comes next, stalling all its round trips at once and
    # landing in that server's p99. Collect now and keep what exists out of later passes.
    gc.collect()
    gc.freeze()
    started = time.perf_counter()
    all_rtts = await asyncio.gather(*(ping_pong(p, rounds) for p in opened))
    seconds = time.perf_counter() - started
    gc.unfreeze()
    for a, b, _, _ in opened:
        await a.close()
        if b is not a:
            await b.close()
    await settled(api)
    relayed_per_round = 2  # there and back
    rtts = [r for rs in all_rtts for r in rs]
    return Result(name, rtts, len(rtts) * relayed_per_round, seconds)


async def ordered_stream(pair: Pair, count: int, window: int = 50) -> tuple[int, int]:
    """Send `count` numbered messages a -> b with `window` in flight; return (lost, reordered)."""
    a, b, wrap, unwrap = pair
    credit = asyncio.Semaphore(window)
    received: list[int] = []

    async def receive() -> None:
        while len(received) < count:
            try:
                raw = await asyncio.wait_for(b.recv(), timeout=5)
            except TimeoutError:
                return
            received.append(unwrap(raw))
            credit.release()

    reader = asyncio.create_task(receive())
    for n in range(count):
        await credit.acquire()
        await a.send(wrap(n))
    await reader
    lost = count - len(set(received))
    reordered = sum(1 for x, y in itertools.pairwise(received) if y < x)
    return lost, reordered


# --- the run ------------------------------------------------------------------------------------
def signaling_env(port: int, api: ApiStandIn, var: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALCYON_")}
    env.update(
        {
            "HALCYON_SIGNALING_HOST": "127.0.0.1",
            "HALCYON_SIGNALING_PORT": str(port),
            "HALCYON_SIGNALING_API_URL": api.url,
            "HALCYON_SIGNALING_JWKS_URL": f"{api.url}/.well-known/jwks.json",
            "HALCYON_SIGNALING_INTERNAL_SECRET": "bench",
            "HALCYON_SIGNALING_VAR_DIR": str(var),
            "HALCYON_SIGNALING_RATE_PER_SECOND": "10000",
            "HALCYON_SIGNALING_RATE_BURST": "100000",
            "HALCYON_SIGNALING_HEARTBEAT_TIMEOUT_SECONDS": "600",
            "HALCYON_SIGNALING_LOG_LEVEL": "WARNING",
        }
    )
    env.update({f"HALCYON_SIGNALING_{k.upper()}": v for k, v in extra.items()})
    return env


def table(results: list[Summary]) -> str:
    lines = [f"{'server':<34} {'p50 ms':>8} {'p99 ms':>8} {'msg/s':>9}"]
    for r in results:
        lines.append(f"{r.name:<34} {r.p50:>8.3f} {r.p99:>8.3f} {r.rate:>9.0f}")
    return "\n".join(lines)


def install_peerjs() -> None:
    if not (PEERJS_DIR / "node_modules" / ".bin" / "peerjs").exists():
        npm = shutil.which("npm") or "npm"
        args = [npm, "ci", "--prefix", str(PEERJS_DIR), "--no-audit", "--no-fund", "--loglevel=error"]
        subprocess.run(args, check=True)


def check_health(ports: list[int]) -> None:
    for port in ports:
        httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5, trust_env=False).raise_for_status()


async def run(args: argparse.Namespace) -> int:
    load_before = load_average()
    work = Path(tempfile.mkdtemp(prefix="halcyon-bench-"))
    keys = SigningKeys.load_or_create(work / "keys.json")
    api = ApiStandIn(keys)
    procs = Procs(work)
    ports = {name: free_port() for name in ("single", "redis_a", "redis_b", "peerjs", "echo")}
    prefix = f"halcyon-bench:{uuid.uuid4().hex[:8]}"
    python = sys.executable
    try:
        procs.start("single", [python, "-m", "services.signaling.main"], signaling_env(ports["single"], api, work))
        for name in ("redis_a", "redis_b"):
            env = signaling_env(ports[name], api, work, redis_url=args.redis_url, bus_prefix=prefix)
            procs.start(name, [python, "-m", "services.signaling.main"], env)
        peerjs = str(PEERJS_DIR / "node_modules" / ".bin" / "peerjs")
        procs.start("peerjs", [peerjs, "--port", str(ports["peerjs"]), "--host", "127.0.0.1"], cwd=PEERJS_DIR)
        procs.start("echo", [python, "-c", ECHO_SERVER, str(ports["echo"])])
        for name, port in ports.items():
            wait_port(name, port, work)
        check_health([ports["single"], ports["redis_a"], ports["redis_b"]])

        ws = {name: f"ws://127.0.0.1:{port}" for name, port in ports.items()}
        rounds_one, rounds_many = (500, 50) if args.quick else (1000, 200)
        pairs = 50
        servers: list[tuple[str, Callable[[], Awaitable[Pair]], int]] = [
            ("halcyon (1 instance)", lambda: halcyon_pair(ws["single"], ws["single"], keys), 1),
            ("peerjs", lambda: peerjs_pair(ws["peerjs"]), 1),
            ("raw websocket echo", lambda: echo_pair(ws["echo"]), 2),  # 2 clients: as many sockets
            ("halcyon (2 instances, Redis)", lambda: halcyon_pair(ws["redis_a"], ws["redis_b"], keys), 1),
        ]
        # Each server in turn, `repeats` times over: the machine's speed drifts by tens of per
        # cent within a minute (shared host), and taking turns puts every server under the same
        # drift; the medians of the repeats then drop the odd slow one.
        one_room: list[list[Result]] = [[] for _ in servers]
        many: list[list[Result]] = [[] for _ in servers]
        for _ in range(args.repeats):
            for i, (name, make, _) in enumerate(servers):
                one_room[i].append(await scenario(name, make, 1, rounds_one, api))
        for _ in range(args.repeats):
            for i, (name, make, sockets) in enumerate(servers):
                n = pairs * 2 if sockets == 2 else pairs
                many[i].append(await scenario(name, make, n, rounds_many, api))
        stream_count = 2000 if args.quick else 10_000
        lost, reordered = await ordered_stream(await halcyon_pair(ws["redis_a"], ws["redis_b"], keys), stream_count)
    finally:
        procs.stop_all()
        api.server.shutdown()
        shutil.rmtree(work, ignore_errors=True)

    one, lots = [Summary.of(runs) for runs in one_room], [Summary.of(runs) for runs in many]
    ours, peer, echo, redis = one
    ours_n, peer_n, echo_n, redis_n = lots
    print(f"machine: {os.cpu_count()} cores; Python {sys.version.split()[0]}")
    print(f"load average (1, 5, 15 min): {load_before} before, {load_average()} after")
    print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])}")
    print(f"each figure: the median of {args.repeats} runs, the servers taking turns\n")
    print(f"One room (2 connections), {rounds_one} round trips per run:")
    print(table(one))
    print(f"\n100 connections ({pairs} rooms of 2; echo: 100 clients), {rounds_many} round trips each per run:")
    print(table(lots))
    print("\nRatios (halcyon / peerjs; goal: latency <= 1, throughput >= 1):")
    print(f"  one room        p50 {ours.p50 / peer.p50:.2f}  p99 {ours.p99 / peer.p99:.2f}")
    print(
        f"  100 connections p50 {ours_n.p50 / peer_n.p50:.2f}  p99 {ours_n.p99 / peer_n.p99:.2f}  "
        f"msg/s {ours_n.rate / peer_n.rate:.2f}"
    )
    print("Ratios (halcyon / raw websocket echo, the floor):")
    print(f"  one room        p50 {ours.p50 / echo.p50:.2f}  p99 {ours.p99 / echo.p99:.2f}")
    print(f"  100 connections p50 {ours_n.p50 / echo_n.p50:.2f}  msg/s {ours_n.rate / echo_n.rate:.2f}")
    print("Two instances via Redis / one instance (goal: p50 <= 1.5):")
    print(f"  one room        p50 {redis.p50 / ours.p50:.2f}  p99 {redis.p99 / ours.p99:.2f}")
    print(f"  100 connections p50 {redis_n.p50 / ours_n.p50:.2f}  msg/s {redis_n.rate / ours_n.rate:.2f}")
    print(f"  {stream_count} numbered messages across instances: {lost} lost, {reordered} reordered")
    return 0 if lost == 0 and reordered == 0 else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer messages, one run each: a smoke check")
    parser.add_argument("--repeats", type=int, default=None, help="runs per scenario and server (default 3)")
    parser.add_argument("--redis-url", default=os.environ.get("HALCYON_TEST_REDIS_URL", "redis://127.0.0.1:6379/0"))
    args = parser.parse_args()
    if args.repeats is None:
        args.repeats = 1 if args.quick else 3
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    install_peerjs()
    return asyncio.run(run(args))


if __name__ == "__main__":
    raise SystemExit(main())
