"""The signaling service's app factory. Rooms, protocol and TURN arrive with the video issue."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from services.signaling.config import SignalingSettings, get_signaling_settings


def create_app(settings: SignalingSettings | None = None) -> FastAPI:
    settings = settings or get_signaling_settings()
    app = FastAPI(title="Halcyon signaling", version="0.1.0", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings

    @app.get("/healthz")
    async def healthz() -> JSONResponse:
        bus = "redis" if settings.redis_url else "in-process"
        return JSONResponse({"status": "ok", "service": "signaling", "bus": bus})

    return app
