"""Reaching the real PostgreSQL and Redis of this machine. Unreachable means a failed test,
never a skip: a green run must mean the suite ran against the real services."""

from __future__ import annotations

import os
import socket
import uuid

import pytest

PG_HOST = os.environ.get("HALCYON_TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("HALCYON_TEST_PG_PORT", "5432"))
PG_USER = os.environ.get("HALCYON_TEST_PG_USER", "postgres")
REDIS_URL = os.environ.get("HALCYON_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def require_postgres() -> None:
    if not _reachable(PG_HOST, PG_PORT):
        pytest.fail(
            f"PostgreSQL is not reachable at {PG_HOST}:{PG_PORT}. The suite needs it (see README: "
            "`make services` starts it).",
            pytrace=False,
        )


def require_redis() -> None:
    host, port = REDIS_URL.split("//")[1].split("/")[0].split(":")
    if not _reachable(host, int(port)):
        pytest.fail(f"Redis is not reachable at {REDIS_URL}. The suite needs it (`make services`).", pytrace=False)


def pg_admin_dsn() -> str:
    return f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/postgres"


def new_pg_database_name(worker: str) -> str:
    return f"halcyon_test_{worker}_{uuid.uuid4().hex[:8]}"


async def create_pg_database(name: str) -> str:
    import asyncpg

    conn = await asyncpg.connect(pg_admin_dsn())
    try:
        # CREATE DATABASE cannot run in a transaction: asyncpg runs this in autocommit.
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return f"postgresql+asyncpg://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"


async def drop_pg_database(name: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(pg_admin_dsn())
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()
