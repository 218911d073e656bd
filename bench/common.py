"""What the API benchmarks share: loopback ports, a throw-away database, the API in its own
process, and the tally of timed requests. Each script keeps its own seeding and load."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from services.api.core.routing import APIRouter

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


# --- the database ------------------------------------------------------------------------
@asynccontextmanager
async def bench_database(database_url: str = "") -> AsyncIterator[str]:
    """A migrated PostgreSQL database: `database_url` as given, else a temporary one dropped at the end."""
    from services.api.core.migrate import upgrade_head
    from tests.support.services import create_pg_database, drop_pg_database

    name = f"halcyon_bench_{uuid.uuid4().hex[:8]}"
    url = database_url or await create_pg_database(name)
    try:
        await asyncio.to_thread(upgrade_head, url)
        yield url
    finally:
        if not database_url:
            await drop_pg_database(name)


# --- the server process ------------------------------------------------------------------
def serve_api(database_url: str, var_dir: str, port: int, bench: APIRouter, **settings: Any) -> None:
    """The API with the script's `bench` router mounted, served by uvicorn until stopped."""
    import uvicorn

    from services.api.config import Settings
    from services.api.main import create_app
    from services.common.settings import Environment

    app = create_app(
        Settings(
            env=Environment.test,
            var_dir=Path(var_dir),
            database_url=database_url,
            serve_frontend=False,
            redis_url="",
            log_level="WARNING",
            **settings,
        ),
        check_migrations=False,
        run_worker=False,
    )
    app.include_router(bench)
    # Keep-alive outlives the pauses between rounds, so no client races a server-side close.
    uvicorn.run(app, host=HOST, port=port, log_level="warning", access_log=False, timeout_keep_alive=300)


def start_server(script: str, url: str, var: str, port: int) -> subprocess.Popen[bytes]:
    """`script --serve` in its own process, so the load generator does not share its event loop."""
    return subprocess.Popen(
        [sys.executable, script, "--serve", "--database-url", url, "--var-dir", var, "--port", str(port)],
        cwd=ROOT,
        env=os.environ | {"PYTHONWARNINGS": "ignore"},
    )


def stop_server(server: subprocess.Popen[bytes] | None) -> None:
    if server is not None:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


async def wait_healthy(client: httpx.AsyncClient) -> bool:
    """Whether the server answers `/healthz` within about 20 seconds."""
    for _ in range(200):
        try:
            if (await client.get("/healthz")).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        await asyncio.sleep(0.1)
    return False


# --- load --------------------------------------------------------------------------------
@dataclass
class Result:
    name: str
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    elapsed: float = 0.0
    samples: list[str] = field(default_factory=list)

    def add(self, other: Result) -> None:
        self.latencies += other.latencies
        self.errors += other.errors
        self.elapsed += other.elapsed
        self.samples += other.samples

    @property
    def count(self) -> int:
        return len(self.latencies)

    @property
    def throughput(self) -> float:
        return self.count / self.elapsed if self.elapsed else 0.0

    def pct(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else 0.0

    def line(self, width: int = 24) -> str:
        return (
            f"{self.name:<{width}} {self.count:>6} req  {self.throughput:>8.1f} req/s  "
            f"p50 {self.pct(0.50):>7.1f} ms  p99 {self.pct(0.99):>7.1f} ms  errors {self.errors}"
        )

    async def timed(
        self, request: Awaitable[httpx.Response], expect: Callable[[httpx.Response], bool] = lambda _r: True
    ) -> None:
        """Await one request and count it: an error unless 2xx and `expect`ed; a few samples kept."""
        t0 = time.perf_counter()
        try:
            r = await request
            ok = r.status_code < 300 and expect(r)
            if not ok and len(self.samples) < 3:
                self.samples.append(f"{r.status_code} {r.text[:200]}")
        except httpx.HTTPError as exc:
            ok = False
            if len(self.samples) < 3:
                self.samples.append(repr(exc))
        self.latencies.append(time.perf_counter() - t0)
        if not ok:
            self.errors += 1
