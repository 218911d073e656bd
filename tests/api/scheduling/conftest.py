"""A database of its own, committed for real, for tests that need truly concurrent transactions."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from services.api.core.db import make_engine
from services.api.core.migrate import upgrade_head
from tests.support.services import create_pg_database, drop_pg_database, new_pg_database_name


def _remove_sqlite_files(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


@pytest.fixture
async def committed_engine(database_url: str, var_dir: Path) -> AsyncIterator[AsyncEngine]:
    """A fresh migrated database of the same backend as `database_url`, dropped afterwards.

    Its rows are committed (no rolled-back outer transaction), so several connections really
    race, and nothing it writes leaks into the shared test database.
    """
    if database_url.startswith("sqlite"):
        path = var_dir / f"committed-{uuid.uuid4().hex[:8]}.db"
        url = f"sqlite+aiosqlite:///{path}"
        await asyncio.to_thread(upgrade_head, url)
        engine = make_engine(url)
        try:
            yield engine
        finally:
            await engine.dispose()
            await asyncio.to_thread(_remove_sqlite_files, path)
        return
    name = new_pg_database_name(os.environ.get("PYTEST_XDIST_WORKER", "main") + "_c")
    url = await create_pg_database(name)
    try:
        await asyncio.to_thread(upgrade_head, url)
        engine = make_engine(url)
        try:
            yield engine
        finally:
            await engine.dispose()
    finally:
        await drop_pg_database(name)
