"""GET /readyz: ready only when the database answers and Redis (when configured) does too."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from services.api.config import Settings
from services.api.core.db import make_engine
from services.api.main import create_app
from tests.support.services import REDIS_URL, require_redis


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://app.test") as c:
        yield c
    await app.state.auth_kit.rate.close()


def _app(
    settings: Settings, engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession], **update: str
) -> FastAPI:
    return create_app(
        settings.model_copy(update=update),
        engine=engine,
        sessionmaker=sessionmaker,
        check_migrations=False,
        run_worker=False,
    )


async def test_ready_when_the_database_answers_and_no_redis_is_configured(client: httpx.AsyncClient) -> None:
    r = await client.get("/readyz")
    assert r.status_code == 200, r.text
    assert r.json() == {"status": "ready", "checks": {"database": "ok", "redis": "not configured"}}


async def test_ready_with_a_reachable_redis(
    settings: Settings, engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    require_redis()
    async for c in _client(_app(settings, engine, sessionmaker, redis_url=REDIS_URL)):
        r = await c.get("/readyz")
        assert r.status_code == 200, r.text
        assert r.json()["checks"] == {"database": "ok", "redis": "ok"}


async def test_not_ready_when_redis_does_not_answer_names_redis(
    settings: Settings, engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    app = _app(settings, engine, sessionmaker, redis_url=f"redis://127.0.0.1:{closed_port()}/0")
    async for c in _client(app):
        r = await c.get("/readyz", headers={"X-Request-ID": "ready-check-1"})
        assert r.status_code == 503
        assert r.headers["content-type"].startswith("application/problem+json")
        body = r.json()
        assert body["title"] == "Not ready"
        assert body["status"] == 503
        assert body["type"].endswith("/not-ready")
        assert [e["field"] for e in body["errors"]] == ["redis"]
        assert "redis" in body["detail"]
        assert "database" not in body["detail"]
        assert body["checks"] == {"database": "ok", "redis": "unreachable"}
        assert body["request_id"] == "ready-check-1"
        # Liveness is not readiness: /healthz checks the database only and stays green.
        assert (await c.get("/healthz")).status_code == 200


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
async def test_not_ready_when_the_database_does_not_answer_names_the_database(
    backend: str, settings: Settings, tmp_path: object
) -> None:
    url = (
        f"postgresql+asyncpg://postgres@127.0.0.1:{closed_port()}/halcyon"
        if backend == "postgresql"
        else "sqlite+aiosqlite:////nonexistent-directory/for/readyz/halcyon.db"
    )
    engine = make_engine(url)
    app = create_app(settings, engine=engine, check_migrations=False, run_worker=False)
    try:
        async for c in _client(app):
            r = await c.get("/readyz")
            assert r.status_code == 503
            body = r.json()
            assert [e["field"] for e in body["errors"]] == ["database"]
            assert body["detail"] == "Not ready: database unreachable."
            assert body["checks"]["database"] == "unreachable"
    finally:
        await engine.dispose()
