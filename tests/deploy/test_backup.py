"""Backups end to end on the local PostgreSQL: backup.sh, restore.sh and verify_restore.py.

A source database is migrated and seeded with patients and audit entries; the backup is
restored into scratch databases, whose row counts and audit chain are checked. A restored copy
that was tampered with (an audit row altered, a row removed) must be reported, not passed.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest

from services.api.audit import service as audit
from services.api.core.db import make_engine, make_sessionmaker
from services.api.core.migrate import upgrade_head
from tests.deploy.support import INFRA
from tests.factories import create_patient
from tests.support.services import PG_HOST, PG_PORT, PG_USER, create_pg_database, drop_pg_database, require_postgres

BACKUP = INFRA / "backup"
PATIENTS = 3
AUDIT_ENTRIES = 7


def source_url(name: str) -> str:
    return f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"


def pg_env() -> dict[str, str]:
    return dict(os.environ, PGHOST=PG_HOST, PGPORT=str(PG_PORT), PGUSER=PG_USER)


def verify(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(BACKUP / "verify_restore.py"), *args],
        capture_output=True,
        text=True,
        env=pg_env(),
        timeout=300,
    )


def restore_sh(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(BACKUP / "restore.sh"), *args], capture_output=True, text=True, env=pg_env(), timeout=120
    )


async def _seed(url: str) -> None:
    engine = make_engine(url)
    try:
        maker = make_sessionmaker(engine)
        async with maker() as session:
            patients = [await create_patient(session) for _ in range(PATIENTS)]
        async with maker() as session:
            # One entry per transaction takes PostgreSQL's one-statement path; several take the other.
            audit.record(session, None, action="chart.read", subject_type="patient", patient_id=patients[0].id)
            await session.commit()
        async with maker() as session:
            for i in range(AUDIT_ENTRIES - 1):
                audit.record(
                    session,
                    None,
                    action="chart.read",
                    subject_type="patient",
                    subject_id=str(i),
                    patient_id=patients[i % PATIENTS].id,
                    detail={"n": i},
                )
            await session.commit()
    finally:
        await engine.dispose()


@pytest.fixture(scope="module")
def source_db() -> Iterator[str]:
    """A migrated, seeded source database; dropped at the end."""
    require_postgres()
    name = f"halcyon_test_backup_{uuid.uuid4().hex[:8]}"
    url = asyncio.run(create_pg_database(name))
    try:
        upgrade_head(url)
        asyncio.run(_seed(url))
        yield name
    finally:
        asyncio.run(drop_pg_database(name))


@pytest.fixture
async def scratch_name() -> AsyncIterator[str]:
    name = f"halcyon_test_restore_{uuid.uuid4().hex[:8]}"
    yield name
    await drop_pg_database(name)


async def _fetch(database: str, query: str) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(source_url(database))
    try:
        return list(await conn.fetch(query))
    finally:
        await conn.close()


async def _tamper(database: str, statement: str) -> None:
    """Change a restored copy behind the append-only triggers' back (as a superuser could)."""
    conn = await asyncpg.connect(source_url(database))
    try:
        async with conn.transaction():
            await conn.execute("SET LOCAL session_replication_role = replica")
            await conn.execute(statement)
    finally:
        await conn.close()


def test_pg_dump_matches_the_server_major_version() -> None:
    require_postgres()
    client = subprocess.run(["pg_dump", "--version"], capture_output=True, text=True, check=True).stdout
    server = asyncio.run(_fetch("postgres", "SHOW server_version_num"))[0][0]
    assert client.split()[2].split(".")[0] == str(int(server) // 10000), (
        f"{client.strip()} against server {server}: install the postgresql-client of the server's version"
    )


async def test_a_fresh_dump_restores_with_equal_counts_and_an_intact_audit_chain(
    source_db: str, scratch_name: str
) -> None:
    done = await asyncio.to_thread(verify, "--source", source_url(source_db), "--scratch-db", scratch_name, "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert report["ok"] is True
    assert report["mismatched"] == {}
    assert report["missing_tables"] == []
    source_entries = (await _fetch(source_db, "SELECT count(*) FROM audit_log"))[0][0]
    assert source_entries >= AUDIT_ENTRIES
    assert report["audit"] == {"ok": True, "checked": source_entries, "problem": None}
    assert report["schema_revision"]["restored"] == report["schema_revision"]["source"] is not None
    assert report["tables"] > 20
    # The scratch database is dropped afterwards unless --keep.
    assert not await _fetch("postgres", f"SELECT 1 FROM pg_database WHERE datname = '{scratch_name}'")  # noqa: S608 - a name the test made


async def test_backup_script_writes_a_checksummed_dump_that_restores_and_expires_old_ones(
    source_db: str, scratch_name: str, tmp_path: Path
) -> None:
    backups = tmp_path / "backups"
    backups.mkdir()
    old = [backups / f"halcyon-2020010{i}T000000Z.dump" for i in range(1, 5)]
    for i, f in enumerate(old):
        f.write_bytes(b"old")
        (backups / f"{f.name}.sha256").write_text("x")
        os.utime(f, (time.time() - (30 + i) * 86400,) * 2)
    env = pg_env() | {"HALCYON_BACKUP_DATABASE_URL": f"postgresql+asyncpg://{PG_USER}@{PG_HOST}:{PG_PORT}/{source_db}"}
    done = await asyncio.to_thread(
        subprocess.run,
        ["bash", str(BACKUP / "backup.sh"), "--dir", str(backups), "--keep-days", "14", "--keep-min", "3"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    dumps = sorted(backups.glob("halcyon-*.dump"))
    new = [d for d in dumps if d not in old]
    assert len(new) == 1
    assert (new[0].stat().st_mode & 0o777) == 0o600
    # The newest three are kept, whatever their age; the two oldest of the expired ones go.
    assert [d.name for d in dumps if d in old] == [old[0].name, old[1].name]
    assert not (backups / f"{old[3].name}.sha256").exists()
    assert (backups / f"{new[0].name}.sha256").read_text().split()[0]

    checked = await asyncio.to_thread(
        verify, "--source", source_url(source_db), "--dump", str(new[0]), "--scratch-db", scratch_name
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "RESTORE VERIFIED" in checked.stdout
    assert "audit chain intact" in checked.stdout

    # restore.sh refuses a dump that does not match its checksum, and a database that has tables.
    corrupt = tmp_path / new[0].name
    corrupt.write_bytes(new[0].read_bytes()[:-10] + b"0123456789")
    (tmp_path / f"{new[0].name}.sha256").write_text((backups / f"{new[0].name}.sha256").read_text())
    refused = await asyncio.to_thread(restore_sh, str(corrupt), f"{scratch_name}_x", "--create")
    assert refused.returncode == 1
    assert "checksum" in refused.stderr
    refused = await asyncio.to_thread(restore_sh, str(new[0]), source_db)
    assert refused.returncode == 1
    assert "already has" in refused.stderr


@pytest.mark.parametrize(
    ("tampering", "expected"),
    [
        ("UPDATE audit_log SET action = 'chart.export' WHERE id = (SELECT min(id) + 2 FROM audit_log)", "row altered"),
        ("DELETE FROM audit_log WHERE id = (SELECT min(id) + 1 FROM audit_log)", "MISMATCH audit_log"),
        ("DELETE FROM audit_log WHERE id = (SELECT max(id) FROM audit_log)", "newest entries were removed"),
        ("DELETE FROM patients WHERE user_id = (SELECT min(user_id::text)::uuid FROM patients)", "MISMATCH patients"),
    ],
    ids=["audit-row-altered", "audit-row-removed", "newest-audit-row-removed", "patient-removed"],
)
async def test_a_tampered_restore_is_detected(source_db: str, scratch_name: str, tampering: str, expected: str) -> None:
    kept = await asyncio.to_thread(verify, "--source", source_url(source_db), "--scratch-db", scratch_name, "--keep")
    assert kept.returncode == 0, kept.stdout + kept.stderr
    assert "RESTORE VERIFIED" in kept.stdout

    await _tamper(scratch_name, tampering)
    checked = await asyncio.to_thread(verify, "--source", source_url(source_db), "--restored-db", scratch_name)
    assert checked.returncode == 1, checked.stdout + checked.stderr
    assert "RESTORE CHECK FAILED" in checked.stdout
    assert expected in checked.stdout


def test_an_unreachable_server_is_an_error_not_a_verdict() -> None:
    from tests.deploy.support import free_port

    done = verify("--source", f"postgresql://postgres@127.0.0.1:{free_port()}/halcyon")
    assert done.returncode == 2
    assert "verify_restore.py:" in done.stderr
