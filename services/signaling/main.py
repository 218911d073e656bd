"""The signaling server, and `python -m services.signaling.main` to run one instance on its own
(several instances share rooms through Redis: set HALCYON_SIGNALING_REDIS_URL).

One `websockets` asyncio server (no ASGI framework: relaying is most of what this process
does, and a framework's per-message layers cost more than the relay itself, see
docs/benchmarks.md) serves both websocket endpoints and answers the plain HTTP requests
`GET /healthz` and `GET /stats` during the opening handshake (`process_request`). Any other
path gets 404; a websocket path requested without an upgrade gets 426.

It owns nothing durable: rooms live on the bus, identities come from join tokens signed by
the API (verified with the API's published public keys), and what happened in a call goes
back to the API as call events.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import http
import json
import logging
import secrets
import signal
import threading
import time
from collections.abc import Iterator
from types import FrameType
from typing import Any

from websockets.asyncio.server import ServerConnection, serve
from websockets.http11 import Request, Response

from services.common.internal import load_or_create_secret
from services.common.logging import configure_logging
from services.signaling import endpoints
from services.signaling.bus import make_bus
from services.signaling.config import SignalingSettings, get_signaling_settings
from services.signaling.echo import EchoPeers
from services.signaling.events import CallEventReporter
from services.signaling.keys import KeyStore
from services.signaling.rooms import Rooms

log = logging.getLogger("services.signaling.main")  # also when run as __main__
# The websockets server logs every connection and HTTP response at INFO (no access log here, as
# under uvicorn before): keep its warnings and errors.
transport_log = logging.getLogger("services.signaling.transport")
transport_log.setLevel(logging.WARNING)

# The transport's hard cap on one frame. Frames between max_frame_bytes and this reach us and
# get an `error` then close 4413; anything larger is cut off by the server library (1009).
HARD_FRAME_LIMIT = 4 * 1024 * 1024
# How long a closing handshake may take before the TCP connection is dropped.
CLOSE_TIMEOUT_SECONDS = 3.0
HANDLED_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class SignalingServer:
    """One signaling instance. `await serve()` runs it until SIGINT/SIGTERM or `stop()`.

    Like uvicorn's server, it takes SIGINT/SIGTERM while it runs and passes them on to the
    previous handlers once it has shut down, so it runs next to the API's uvicorn server in one
    process (`halcyon serve`) as well as alone.
    """

    def __init__(self, settings: SignalingSettings | None = None, *, freeze_gc: bool = False) -> None:
        self.settings = settings or get_signaling_settings()
        self._freeze_gc = freeze_gc
        self.instance = secrets.token_hex(4)
        self.keys = KeyStore(self.settings.effective_jwks_url)
        self.echo = EchoPeers(self.settings)
        self.rooms: Rooms | None = None
        self.events: CallEventReporter | None = None
        self._stop: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._captured: list[int] = []
        self.started = asyncio.Event()

    # --- HTTP ---------------------------------------------------------------------------------
    def health(self) -> dict[str, Any]:
        return {"status": "ok", "service": "signaling", "bus": "redis" if self.settings.redis_url else "in-process"}

    def stats(self) -> dict[str, Any]:
        """Counts only (no ids): rooms, connections, pre-call checks running, events sent."""
        return {
            "instance": self.instance,
            **(self.rooms.stats() if self.rooms else {}),
            "precall_checks": self.echo.active,
            "events_sent": self.events.sent if self.events else 0,
            "events_dropped": self.events.dropped if self.events else 0,
            "event_requests": self.events.requests if self.events else 0,
        }

    async def bus_roundtrip(self) -> float:
        """Seconds for one read through the bus (Redis across instances): what every relay pays."""
        if self.rooms is None:
            raise RuntimeError("not started")
        started = time.perf_counter()
        await asyncio.wait_for(self.rooms.bus.state(f"{self.settings.bus_prefix}:probe"), timeout=3)
        return time.perf_counter() - started

    async def ready(self) -> tuple[bool, dict[str, Any]]:
        """Ready when the bus answers (Redis when configured) and the API's public keys are loaded."""
        checks: dict[str, str] = {"keys": "ok" if self.keys.loaded else "not loaded"}
        try:
            checks["bus"] = f"ok ({await self.bus_roundtrip() * 1000:.1f} ms)"
        except Exception as exc:  # any failure means not ready; say which
            checks["bus"] = f"unreachable: {type(exc).__name__}"
        ok = all(v.startswith("ok") for v in checks.values())
        return ok, {"status": "ready" if ok else "not ready", "checks": checks}

    async def metrics(self) -> str:
        """Prometheus text format: counts and the bus round trip, labelled by instance only."""
        stats = self.stats()
        try:
            rtt = await self.bus_roundtrip()
        except Exception:  # reported as NaN: the scrape still succeeds
            rtt = float("nan")
        label = f'{{instance="{self.instance}"}}'
        rows = [
            ("rooms", "gauge", "Consult rooms open on this instance.", stats.get("rooms", 0)),
            ("connections", "gauge", "Websocket connections seated on this instance.", stats.get("connections", 0)),
            ("precall_checks", "gauge", "Pre-call checks (echo peers) running.", stats.get("precall_checks", 0)),
            ("call_events_sent_total", "counter", "Call events reported to the API.", stats.get("events_sent", 0)),
            ("call_events_dropped_total", "counter", "Call events given up on.", stats.get("events_dropped", 0)),
            (
                "call_event_requests_total",
                "counter",
                "Requests that carried call events to the API (batched; retries count).",
                stats.get("event_requests", 0),
            ),
            ("bus_roundtrip_seconds", "gauge", "One read through the room bus at scrape time.", rtt),
        ]
        lines = []
        for name, kind, help_text, value in rows:
            lines += [f"# HELP halcyon_signaling_{name} {help_text}", f"# TYPE halcyon_signaling_{name} {kind}"]
            lines.append(f"halcyon_signaling_{name}{label} {value}")
        if self.rooms is not None:
            lines += self.rooms.relay_latency.render(
                "halcyon_signaling_relay_latency_seconds", f'instance="{self.instance}"'
            )
        return "\n".join(lines) + "\n"

    async def _process_request(self, ws: ServerConnection, request: Request) -> Response | None:
        path = request.path.split("?", 1)[0]
        if endpoints.route(path) is not None:
            return None  # the websocket handshake (426 if the request is not an upgrade)
        if path == "/healthz":
            return _json(ws, http.HTTPStatus.OK, self.health())
        if path == "/stats":
            return _json(ws, http.HTTPStatus.OK, self.stats())
        if path == "/readyz":
            ok, body = await self.ready()
            return _json(ws, http.HTTPStatus.OK if ok else http.HTTPStatus.SERVICE_UNAVAILABLE, body)
        if path == "/metrics":
            response = ws.respond(http.HTTPStatus.OK, await self.metrics())
            del response.headers["Content-Type"]
            response.headers["Content-Type"] = "text/plain; version=0.0.4; charset=utf-8"
            return response
        return _json(ws, http.HTTPStatus.NOT_FOUND, {"detail": "Not Found"})

    # --- running ------------------------------------------------------------------------------
    def stop(self) -> None:
        if self._stop is not None and self._loop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)

    async def serve(self) -> None:
        settings = self.settings
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        secret = load_or_create_secret(settings.internal_secret.get_secret_value(), settings.var_dir)
        events = self.events = CallEventReporter(settings.api_url, secret)
        events.start()
        rooms = self.rooms = Rooms(settings, make_bus(settings.redis_url, prefix=settings.bus_prefix), events)
        keys_loader: asyncio.Task[None] | None = None
        with self._capture_signals():
            try:
                await rooms.start()
                await self.keys.refresh()
                # Not ready (and joins refused) until the API's keys are in; the API may come up
                # after us, so keep asking in the background rather than once.
                keys_loader = asyncio.create_task(self.keys.load_until_loaded(), name="api-keys")
                services = endpoints.Services(settings, self.keys, rooms, self.echo)

                async def handler(ws: ServerConnection) -> None:
                    await endpoints.handle(ws, services)

                async with serve(
                    handler,
                    settings.host,
                    settings.port,
                    process_request=self._process_request,
                    select_subprotocol=endpoints.select_subprotocol,
                    compression=None,  # small JSON messages: deflate costs more than it saves
                    max_size=HARD_FRAME_LIMIT,
                    ping_interval=None,  # our own heartbeats (ping/pong messages) cover liveness
                    close_timeout=CLOSE_TIMEOUT_SECONDS,
                    server_header=None,
                    create_connection=endpoints.SignalingConnection,
                    logger=transport_log,
                ):
                    log.info("signaling listens on %s:%s", settings.host, settings.port)
                    if self._freeze_gc:
                        # What is alive after startup (modules, aiortc, pydantic schemas) stays
                        # alive: keep it out of the collector's full passes, which took tens of
                        # milliseconds each and showed as the relay's slowest round trips.
                        gc.freeze()
                    self.started.set()
                    await self._stop.wait()
                    # Every client is told to reconnect (1001: another instance takes over).
                    await rooms.close()
            finally:
                if keys_loader is not None:
                    keys_loader.cancel()
                await self.echo.close_all()
                with contextlib.suppress(Exception):
                    await rooms.close()
                await events.close()

    @contextlib.contextmanager
    def _capture_signals(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return

        def on_signal(signum: int, frame: FrameType | None) -> None:  # noqa: ARG001 - signal handler signature
            self._captured.append(signum)
            self.stop()

        previous = {sig: signal.signal(sig, on_signal) for sig in HANDLED_SIGNALS}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        for signum in reversed(self._captured):
            signal.raise_signal(signum)


def _json(ws: ServerConnection, status: http.HTTPStatus, body: dict[str, Any]) -> Response:
    response = ws.respond(status, json.dumps(body))
    del response.headers["Content-Type"]
    response.headers["Content-Type"] = "application/json"
    return response


def run() -> None:
    settings = get_signaling_settings()
    configure_logging(settings.log_level, as_json=settings.log_json)
    server = SignalingServer(settings, freeze_gc=True)  # a process of its own
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop comes with uvicorn[standard]
        asyncio.run(server.serve())
    else:
        uvloop.run(server.serve())


if __name__ == "__main__":
    run()
