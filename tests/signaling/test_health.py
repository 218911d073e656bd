"""The plain HTTP the signaling server answers next to its websockets: health, counts, 404."""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx

from tests.signaling.conftest import Api, signaling_settings
from tests.signaling.support import Consult, ServerProcess, seated, start_process, start_signaling
from tests.support.mail import free_port


def _http(server: ServerProcess) -> str:
    return server.url.replace("ws://", "http://", 1)


async def test_signaling_health_reports_its_bus(signaling: ServerProcess) -> None:
    async with httpx.AsyncClient(base_url=_http(signaling), trust_env=False) as c:
        r = await c.get("/healthz")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    assert r.json() == {"status": "ok", "service": "signaling", "bus": "in-process"}


async def test_stats_count_connections_and_unknown_paths_are_404(signaling: ServerProcess, consult: Consult) -> None:
    patient, _ = await seated(signaling.url, consult, "patient")
    async with httpx.AsyncClient(base_url=_http(signaling), trust_env=False) as c:
        stats = (await c.get("/stats")).json()
        assert stats["connections"] >= 1
        assert stats["rooms"] >= 1
        assert {"instance", "precall_checks", "events_sent", "events_dropped"} <= set(stats)
        assert (await c.get("/nowhere")).status_code == 404
        # A websocket path asked for without an upgrade: the websocket handshake refuses it.
        assert (await c.get(f"/ws/consults/{consult.id}")).status_code == 426
    await patient.close()


async def test_stopping_an_instance_tells_its_clients_to_reconnect_with_1001(
    api: Api, work_dir: Path, consult: Consult
) -> None:
    server = start_signaling("signaling-stopping", free_port(), signaling_settings(api, work_dir), work_dir)
    try:
        api.wait()
        patient, _ = await seated(server.url, consult, "patient")
        server.proc.send_signal(signal.SIGTERM)
        assert await patient.expect_close(timeout=5) == 1001
        await asyncio.to_thread(server.proc.wait, 10)
    finally:
        server.kill()


async def test_readiness_and_metrics_report_the_bus_and_counts_without_ids(
    signaling: ServerProcess, consult: Consult
) -> None:
    patient, _ = await seated(signaling.url, consult, "patient")
    async with httpx.AsyncClient(base_url=_http(signaling), trust_env=False) as c:
        ready = await c.get("/readyz")
        metrics = await c.get("/metrics")
    await patient.close()
    assert ready.status_code == 200, ready.text
    assert ready.json()["status"] == "ready"
    assert ready.json()["checks"]["bus"].startswith("ok")
    assert metrics.headers["content-type"].startswith("text/plain")
    values = {
        line.split("{")[0]: float(line.rsplit(" ", 1)[1])
        for line in metrics.text.splitlines()
        if line and not line.startswith("#")
    }
    assert values["halcyon_signaling_connections"] >= 1
    assert values["halcyon_signaling_rooms"] >= 1
    assert 0 <= values["halcyon_signaling_bus_roundtrip_seconds"] < 3
    assert "# TYPE halcyon_signaling_relay_latency_seconds histogram" in metrics.text
    assert 'halcyon_signaling_relay_latency_seconds_bucket{instance="' in metrics.text
    assert str(consult.id) not in metrics.text  # counts only, never a consult or a user


async def test_an_instance_whose_redis_goes_away_is_not_ready(api: Api, work_dir: Path) -> None:
    """A Redis of this test's own (killed by its PID), not the shared one."""
    redis_port = free_port()
    redis = start_process(
        "redis-own",
        ["redis-server", "--bind", "127.0.0.1", "--port", str(redis_port), "--save", "", "--appendonly", "no"],
        env={},
        log_dir=work_dir,
    )
    server = None
    try:
        for _ in range(100):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", redis_port), timeout=0.2):
                break
            await asyncio.sleep(0.05)
        settings = signaling_settings(api, work_dir, redis_url=f"redis://127.0.0.1:{redis_port}/0")
        server = start_signaling("signaling-own-redis", free_port(), settings, work_dir)
        async with httpx.AsyncClient(base_url=_http(server), trust_env=False, timeout=10) as c:
            # Ready once the bus answers and the API's keys are in (/healthz came first).
            for _ in range(200):  # up to 20 s
                ready = await c.get("/readyz")
                if ready.status_code == 200:
                    break
                await asyncio.sleep(0.1)
            assert ready.status_code == 200, ready.text
            redis.kill(signal.SIGKILL)
            r = await c.get("/readyz")
        assert r.status_code == 503, r.text
        assert r.json()["checks"]["bus"].startswith("unreachable")
        assert r.json()["status"] == "not ready"
    finally:
        if server is not None:
            server.kill()
        redis.kill()


async def test_an_instance_started_before_the_api_becomes_ready_once_the_api_answers(
    api: Api, work_dir: Path, consult: Consult
) -> None:
    """The API's keys come from a stand-in that starts a while after the instance: no join,
    no probe needed to fetch them again, and a join works once they are in."""
    keys_port = free_port()
    settings = signaling_settings(api, work_dir, jwks_url=f"http://127.0.0.1:{keys_port}/.well-known/jwks.json")
    server = start_signaling("signaling-before-api", free_port(), settings, work_dir)
    body = json.dumps(api.keys.public_jwks()).encode()

    class Jwks(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    stand_in: ThreadingHTTPServer | None = None
    try:
        async with httpx.AsyncClient(base_url=_http(server), trust_env=False, timeout=10) as c:
            await asyncio.sleep(2)  # a few failed fetches, backing off
            before = await c.get("/readyz")
            assert before.status_code == 503, before.text
            assert before.json()["checks"]["keys"] == "not loaded"
            stand_in = ThreadingHTTPServer(("127.0.0.1", keys_port), Jwks)
            threading.Thread(target=stand_in.serve_forever, daemon=True).start()
            for _ in range(100):  # the retries are at most 5 s apart
                ready = await c.get("/readyz")
                if ready.status_code == 200:
                    break
                await asyncio.sleep(0.1)
            assert ready.status_code == 200, ready.text
        api.wait()
        patient, _ = await seated(server.url, consult, "patient")
        await patient.close()
    finally:
        if stand_in is not None:
            stand_in.shutdown()
        server.kill()
