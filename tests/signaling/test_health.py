"""The plain HTTP the signaling server answers next to its websockets: health, counts, 404."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import httpx

from tests.signaling.conftest import Api, signaling_settings
from tests.signaling.support import Consult, ServerProcess, seated, start_signaling
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
