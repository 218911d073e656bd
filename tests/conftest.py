"""Test harness: each test runs on SQLite and on PostgreSQL, on a schema built by Alembic
(`upgrade head`), inside a transaction rolled back at the end. Mail goes to a real SMTP server."""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from services.api.config import Settings
from services.api.core.db import make_engine, make_sessionmaker
from services.api.core.migrate import upgrade_head
from services.api.main import create_app
from services.common.clock import clock
from services.common.settings import Environment
from tests.support.mail import SmtpSink
from tests.support.services import create_pg_database, drop_pg_database, new_pg_database_name, require_postgres

BACKENDS = ["sqlite", "postgresql"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect (never skip) test cases a module says are not worth running: see should_fuzz."""
    keep: list[pytest.Item] = []
    drop: list[pytest.Item] = []
    for item in items:
        should = getattr(getattr(item, "module", None), "should_fuzz", None)
        operation = getattr(item, "operation_label", None)
        callspec = getattr(item, "callspec", None)
        role = callspec.params.get("role") if callspec is not None else None
        if should is not None and operation and role and not should(operation, role):
            drop.append(item)
        else:
            keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def _worker_id(config: pytest.Config) -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def var_dir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="halcyon-test-") as d:
        yield Path(d)


@pytest.fixture(scope="session")
def smtp() -> Iterator[SmtpSink]:
    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request: pytest.FixtureRequest, var_dir: Path) -> Iterator[str]:
    """A migrated database for this worker and backend; dropped at the end of the run."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{var_dir / 'test.db'}"
        upgrade_head(url)
        yield url
        return
    require_postgres()
    name = new_pg_database_name(_worker_id(request.config))
    url = asyncio.run(create_pg_database(name))
    try:
        upgrade_head(url)
        yield url
    finally:
        asyncio.run(drop_pg_database(name))


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    eng = make_engine(database_url)
    yield eng
    await eng.dispose()


@pytest.fixture
async def sessionmaker(engine: AsyncEngine) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Every session of the test shares one connection whose outer transaction is rolled back."""
    async with engine.connect() as conn:
        outer = await conn.begin()
        try:
            yield make_sessionmaker(conn, join_transaction_mode="create_savepoint")
        finally:
            await outer.rollback()


@pytest.fixture
async def session(sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    async with sessionmaker() as s:
        yield s


@pytest.fixture
def settings(var_dir: Path, smtp: SmtpSink) -> Settings:
    return Settings(
        env=Environment.test,
        var_dir=var_dir,
        public_url="http://app.test",
        smtp_host="127.0.0.1",
        smtp_port=smtp.port,
        serve_frontend=False,
        redis_url="",
    )


@pytest.fixture
def app(settings: Settings, engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]):  # type: ignore[no-untyped-def]
    return create_app(settings, engine=engine, sessionmaker=sessionmaker, check_migrations=False, run_worker=False)


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://app.test") as c:
        yield c


@pytest.fixture(autouse=True)
def _unfreeze_clock() -> Iterator[None]:
    yield
    clock.unfreeze()
