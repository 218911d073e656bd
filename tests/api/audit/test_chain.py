from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from services.api.audit import service as audit
from services.api.config import Settings
from services.api.core.context import Actor, RequestContext, Role
from services.api.core.db import make_engine, make_sessionmaker
from services.api.core.migrate import upgrade_head
from tests.factories import create_patient, create_staff, sign_in


async def test_every_change_writes_a_chained_entry_that_verifies(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    patient = await create_patient(session)
    await sign_in(client, patient)
    await sign_in(client, patient)
    report = await audit.verify_chain(session)
    assert report.ok
    assert report.checked >= 2


async def test_audit_rows_cannot_be_updated_or_deleted(session: AsyncSession) -> None:
    audit.record(session, None, action="test.row", subject_type="test")
    await session.commit()
    for stmt in ("UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"):
            async with session.begin_nested():
                await session.execute(text(stmt))


async def test_tampering_is_detected(session: AsyncSession) -> None:
    for i in range(3):
        audit.record(session, None, action=f"test.row{i}", subject_type="test")
        await session.commit()
    assert (await audit.verify_chain(session)).ok
    # Someone with database access disables the guard and edits a row.
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        await session.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))
    else:
        await session.execute(text("DROP TRIGGER audit_log_no_update"))
    last_two = (await session.scalars(text("SELECT id FROM audit_log ORDER BY id DESC LIMIT 2"))).all()
    await session.execute(text("UPDATE audit_log SET action = 'edited' WHERE id = :id"), {"id": last_two[1]})
    report = await audit.verify_chain(session)
    assert not report.ok
    assert report.first_bad_id == last_two[1]
    assert "altered" in (report.reason or "")


async def test_a_rolled_back_request_leaves_no_audit_row(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    async with sessionmaker() as s:
        before = len((await s.scalars(text("SELECT id FROM audit_log"))).all())
        audit.record(s, None, action="test.rolled_back", subject_type="test")
        await s.rollback()
        await s.commit()
        after = len((await s.scalars(text("SELECT id FROM audit_log"))).all())
    assert after == before


async def test_entries_carry_actor_request_and_patient(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    admin = await create_staff(session, settings, role="admin")
    headers = await sign_in(client, admin)
    r = await client.get("/api/admin/audit?action=auth.signed_in", headers=headers)
    assert r.status_code == 200
    entry = next(e for e in r.json()["items"] if e["actor_id"] == str(admin.id))
    assert entry["actor_role"] == "admin"
    assert entry["ip"] == "203.0.113.7"
    verify = await client.get("/api/admin/audit/verify", headers=headers)
    assert verify.json()["ok"] is True
    naive = await client.get("/api/admin/audit?since=2026-01-01T00:00:00", headers=headers)
    assert naive.status_code == 422  # a time without a zone is ambiguous


@pytest.fixture
async def committed_engine(database_url: str) -> AsyncEngine:
    """A real engine whose transactions commit (for concurrency), on this test's backend."""
    return make_engine(database_url)


async def test_concurrent_writers_keep_one_unbroken_chain(committed_engine: AsyncEngine) -> None:
    """Writers of one entry (one statement on PostgreSQL) and of several race; none forks the chain."""
    maker = make_sessionmaker(committed_engine)
    ctx = RequestContext(request_id="concurrency-test")

    def entries(i: int) -> int:
        return 3 if i % 4 == 0 else 1

    async def writer(i: int) -> None:
        async with maker() as s:
            for n in range(entries(i)):
                audit.record(s, ctx, action="test.concurrent", subject_type="test", subject_id=f"{i}.{n}")
            await asyncio.sleep(0)
            await s.commit()

    try:
        async with maker() as s:
            before = await audit.verify_chain(s)
        await asyncio.wait_for(asyncio.gather(*(writer(i) for i in range(40))), timeout=60)
        async with maker() as s:
            report = await audit.verify_chain(s)
            newest = await s.scalar(text("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1"))
            head = await s.scalar(text("SELECT hash FROM audit_chain_head"))
        assert report.ok, report
        assert report.checked - before.checked == sum(entries(i) for i in range(40))
        assert head == newest
    finally:
        await committed_engine.dispose()


async def _drop_guard(session: AsyncSession) -> None:
    """Someone with database access disables the append-only guard (rolled back with the test)."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))
    else:
        await session.execute(text("DROP TRIGGER audit_log_no_delete"))


async def test_removing_the_newest_entries_is_detected(session: AsyncSession) -> None:
    for i in range(3):
        audit.record(session, None, action=f"test.tail{i}", subject_type="test")
        await session.commit()
    assert (await audit.verify_chain(session)).ok
    await _drop_guard(session)
    newest = await session.scalar(text("SELECT MAX(id) FROM audit_log"))
    await session.execute(text("DELETE FROM audit_log WHERE id = :id"), {"id": newest})
    report = await audit.verify_chain(session)
    assert not report.ok
    assert "newest entries were removed" in (report.reason or "")


async def test_without_the_chain_head_nothing_is_written_and_verify_says_so(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker() as s:
        await s.execute(text("DELETE FROM audit_chain_head"))
        await s.commit()
        before = await s.scalar(text("SELECT COUNT(*) FROM audit_log"))
        for count in (1, 2):  # PostgreSQL writes one entry in its own statement
            for i in range(count):
                audit.record(s, None, action=f"test.headless{i}", subject_type="test")
            with pytest.raises(audit.ChainHeadMissing):
                await s.commit()
            await s.rollback()
        assert await s.scalar(text("SELECT COUNT(*) FROM audit_log")) == before
        report = await audit.verify_chain(s)
    assert not report.ok
    assert "head is missing" in (report.reason or "")


async def test_an_existing_chain_continues_after_upgrading_to_the_chain_head(database_url: str, var_dir: Path) -> None:
    """Rows written before the chain head existed stay valid, and new entries chain on from them."""
    from alembic import command

    from services.api.audit.models import AuditEntry
    from services.api.core.migrate import alembic_config
    from services.common.clock import utcnow
    from tests.support.services import create_pg_database, drop_pg_database, new_pg_database_name

    name = ""
    if database_url.startswith("sqlite"):
        url = f"sqlite+aiosqlite:///{var_dir / f'chain-upgrade-{os.getpid()}.db'}"
    else:
        name = new_pg_database_name(os.environ.get("PYTEST_XDIST_WORKER", "main") + "_chain")
        url = await create_pg_database(name)
    engine = make_engine(url)
    try:
        await asyncio.to_thread(command.upgrade, alembic_config(url), "0006")
        async with make_sessionmaker(engine)() as s:  # the chain as the previous writer left it
            prev = audit.GENESIS
            for i in range(3):
                e = AuditEntry(at=utcnow(), action=f"old{i}", subject_type="t", detail={"n": i}, prev_hash=prev)
                e.hash = audit._digest(prev, audit._row_fields(e))
                prev = e.hash
                s.add(e)
            await s.commit()
        await asyncio.to_thread(upgrade_head, url)
        async with make_sessionmaker(engine)() as s:
            audit.record(s, None, action="new.one", subject_type="t")
            await s.commit()
            audit.record(s, None, action="new.two", subject_type="t")
            audit.record(s, None, action="new.three", subject_type="t")
            await s.commit()
            report = await audit.verify_chain(s)
        assert report.ok, report
        assert report.checked == 6
    finally:
        await engine.dispose()
        if name:
            await drop_pg_database(name)
        else:
            for suffix in ("", "-wal", "-shm"):
                path = Path(f"{url.removeprefix('sqlite+aiosqlite:///')}{suffix}")
                await asyncio.to_thread(path.unlink, missing_ok=True)


def test_cli_verifies_the_chain_and_reports_a_broken_one() -> None:
    with tempfile.TemporaryDirectory() as d:
        env = {**os.environ, "HALCYON_VAR_DIR": d}
        url = f"sqlite+aiosqlite:///{Path(d) / 'halcyon.db'}"
        upgrade_head(url)

        async def seed() -> None:
            engine = make_engine(url)
            async with make_sessionmaker(engine)() as s:
                actor = Actor(user_id=__import__("uuid").uuid4(), role=Role.admin)
                for i in range(3):
                    audit.record(s, RequestContext("r", actor=actor), action=f"a{i}", subject_type="t")
                await s.commit()
                await s.execute(text("DROP TRIGGER audit_log_no_delete"))
                await s.execute(text("DELETE FROM audit_log WHERE action = 'a1'"))
                await s.commit()
            await engine.dispose()

        ok = subprocess.run(
            [sys.executable, "-m", "services.cli", "audit", "verify"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert ok.returncode == 0, ok.stderr
        assert "intact" in ok.stdout
        asyncio.run(seed())
        bad = subprocess.run(
            [sys.executable, "-m", "services.cli", "audit", "verify"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert bad.returncode == 1
        assert "BROKEN" in bad.stdout
        assert "removed or reordered" in bad.stdout
