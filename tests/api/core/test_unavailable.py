"""When the database does not answer: every request that needs it gets a 503 problem with
Retry-After (not a 500: nothing is wrong with the request or the code), and the practice's
public page keeps showing the crisis resources, as last read or else the environment's."""

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
from services.api.practice.service import PracticeSettingsCache
from tests.factories import create_staff, sign_in

NEW_TEXT = "Call the practice's 24-hour line, (208) 555-0199, or call or text 988. In danger: 911."


def unreachable_url(backend: str) -> str:
    if backend == "sqlite":
        return "sqlite+aiosqlite:////nonexistent-directory/for/unavailable/halcyon.db"
    with socket.socket() as s:  # a loopback port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    return f"postgresql+asyncpg://postgres@127.0.0.1:{port}/halcyon"


@pytest.fixture(params=["sqlite", "postgresql"])
async def dead_engine(request: pytest.FixtureRequest) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(unreachable_url(request.param))
    yield engine
    await engine.dispose()


async def _client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://app.test") as c:
        yield c
    await app.state.auth_kit.rate.close()


async def test_requests_that_need_the_database_get_503_with_retry_after_and_the_crisis_line_still_shows(
    settings: Settings, dead_engine: AsyncEngine
) -> None:
    app = create_app(settings, engine=dead_engine, check_migrations=False, run_worker=False)
    async for c in _client(app):
        for r in (
            await c.get("/api/psychiatrists", headers={"X-Request-ID": "db-down-1"}),
            await c.post("/api/auth/login", json={"email": "someone@example.com", "password": "x" * 14}),
        ):
            assert r.status_code == 503, r.text
            assert r.headers["content-type"].startswith("application/problem+json")
            assert r.headers["retry-after"] == "5"
            body = r.json()
            assert body["type"].endswith("/problems/unavailable")
            assert body["title"] == "Temporarily unavailable"
            assert "Nothing was saved" in body["detail"]
            # Nothing about where the database is or what was asked of it.
            assert "127.0.0.1" not in r.text
            assert "nonexistent" not in r.text
            assert "SELECT" not in r.text.upper()
        assert (await c.get("/api/psychiatrists", headers={"X-Request-ID": "db-down-1"})).json()[
            "request_id"
        ] == "db-down-1"

        # No practice settings read yet in this process: the environment's crisis resources.
        r = await c.get("/api/practice")
        assert r.status_code == 200, r.text
        assert r.json()["crisis_line_phone"] == settings.crisis_line_phone
        assert r.json()["crisis_line_text"] == settings.crisis_resources_text


async def test_with_the_database_gone_the_practice_page_keeps_the_crisis_resources_last_read(
    client: httpx.AsyncClient,
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    dead_engine: AsyncEngine,
) -> None:
    admin = await create_staff(session, settings, role="admin")
    h = await sign_in(client, admin)
    r = await client.patch(
        "/api/admin/practice-settings",
        json={"crisis_resources_text": NEW_TEXT, "crisis_line_phone": "208-555-0199"},
        headers=h,
    )
    assert r.status_code == 200, r.text
    cache = PracticeSettingsCache(ttl_seconds=0)  # every request asks the database first
    async with sessionmaker() as s:
        assert (await cache.values(s))["crisis_resources_text"] == NEW_TEXT

    # The same process's cache, now in front of a database that does not answer.
    app = create_app(settings, engine=dead_engine, check_migrations=False, run_worker=False)
    app.state.practice_settings_cache = cache
    async for c in _client(app):
        for _ in range(2):  # not just once: the fallback is not kept in place of a real read
            r = await c.get("/api/practice")
            assert r.status_code == 200, r.text
            assert r.json()["crisis_line_text"] == NEW_TEXT
            assert r.json()["crisis_line_phone"] == "208-555-0199"
        assert (await c.get("/api/psychiatrists")).status_code == 503
