"""The signaling service's app factory, and `python -m services.signaling.main` to run one
instance on its own (several instances share rooms through Redis: set HALCYON_SIGNALING_REDIS_URL).

It owns nothing durable: rooms live on the bus, identities come from join tokens signed by
the API (verified with the API's published public keys), and what happened in a call goes
back to the API as call events.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import AsyncIterator

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from services.common.internal import load_or_create_secret
from services.common.logging import configure_logging
from services.signaling.bus import make_bus
from services.signaling.config import SignalingSettings, get_signaling_settings
from services.signaling.echo import EchoPeers
from services.signaling.endpoints import router
from services.signaling.events import CallEventReporter
from services.signaling.keys import KeyStore
from services.signaling.rooms import Rooms

# The transport's hard cap on one frame. Frames between max_frame_bytes and this reach us and
# get an `error` then close 4413; anything larger is cut off by the server library (1009).
HARD_FRAME_LIMIT = 4 * 1024 * 1024


def create_app(settings: SignalingSettings | None = None) -> FastAPI:
    settings = settings or get_signaling_settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        secret = load_or_create_secret(settings.internal_secret.get_secret_value(), settings.var_dir)
        events = CallEventReporter(settings.api_url, secret)
        events.start()
        rooms = Rooms(settings, make_bus(settings.redis_url, prefix=settings.bus_prefix), events)
        await rooms.start()
        app.state.rooms = rooms
        app.state.events = events
        keys: KeyStore = app.state.keys
        await keys.refresh()
        try:
            yield
        finally:
            await app.state.echo.close_all()
            await rooms.close()
            await events.close()

    app = FastAPI(
        title="Halcyon signaling",
        version="0.1.0",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.instance = secrets.token_hex(4)
    app.state.keys = KeyStore(settings.effective_jwks_url)
    app.state.echo = EchoPeers(settings)
    app.include_router(router)

    @app.get("/healthz")
    async def healthz() -> JSONResponse:
        bus = "redis" if settings.redis_url else "in-process"
        return JSONResponse({"status": "ok", "service": "signaling", "bus": bus})

    @app.get("/stats")
    async def stats() -> JSONResponse:
        """Counts only (no ids): rooms, connections, pre-call checks running, events sent."""
        rooms: Rooms | None = getattr(app.state, "rooms", None)
        events: CallEventReporter | None = getattr(app.state, "events", None)
        return JSONResponse(
            {
                "instance": app.state.instance,
                **(rooms.stats() if rooms else {}),
                "precall_checks": app.state.echo.active,
                "events_sent": events.sent if events else 0,
                "events_dropped": events.dropped if events else 0,
            }
        )

    return app


def run() -> None:
    import uvicorn

    settings = get_signaling_settings()
    configure_logging(settings.log_level, as_json=settings.log_json)
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_config=None,
        ws_max_size=HARD_FRAME_LIMIT,
        ws_ping_interval=None,  # our own heartbeats (ping/pong messages) cover liveness
        access_log=False,
    )


if __name__ == "__main__":
    run()
