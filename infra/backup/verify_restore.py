#!/usr/bin/env python3
"""Prove a backup restores: restore it into a scratch database, compare row counts per table
with the source, and verify the audit log's hash chain on the restored copy.

    verify_restore.py --source postgresql://halcyon@db:5432/halcyon
        Dump the source now (pg_dump on an exported snapshot, so the counts compared are the
        counts in the dump, even while the API keeps writing), restore it, check, drop it.
    verify_restore.py --source URL --dump /var/backups/halcyon/halcyon-20261122T020000Z.dump
        Restore an existing backup (counts are compared with the source as it is now: run it
        against a quiet source, or a source restored from the same dump).
    verify_restore.py --source URL --restored-db NAME
        Check a database restored earlier (nothing is created or dropped).

Options: --scratch-db NAME (default halcyon_restore_check_<random>), --keep (leave the scratch
database for inspection), --json (machine-readable report). Exit 0 when every count matches and
the audit chain is intact, 1 otherwise, 2 on a usage or connection error.

Runs where Halcyon is installed (it uses the API's own audit verifier) with pg_dump, pg_restore
and psql of the server's major version on PATH.
"""

# ruff: noqa: T201 - a command-line tool: it prints its results

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import secrets
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
RESTORE_SH = HERE / "restore.sh"
_NAME = re.compile(r"^[A-Za-z0-9_]{1,63}$")


@dataclass
class Report:
    restored_db: str
    counts: dict[str, tuple[int, int]] = field(default_factory=dict)  # table -> (source, restored)
    missing_tables: list[str] = field(default_factory=list)
    audit_ok: bool = False
    audit_checked: int = 0
    audit_problem: str | None = None
    schema_revision: tuple[str | None, str | None] = (None, None)

    @property
    def mismatched(self) -> dict[str, tuple[int, int]]:
        return {t: c for t, c in self.counts.items() if c[0] != c[1]}

    @property
    def ok(self) -> bool:
        return (
            not self.mismatched
            and not self.missing_tables
            and self.audit_ok
            and self.schema_revision[0] == self.schema_revision[1]
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "restored_db": self.restored_db,
            "tables": len(self.counts),
            "rows": sum(c[1] for c in self.counts.values()),
            "mismatched": {t: {"source": s, "restored": r} for t, (s, r) in self.mismatched.items()},
            "missing_tables": self.missing_tables,
            "schema_revision": {"source": self.schema_revision[0], "restored": self.schema_revision[1]},
            "audit": {"ok": self.audit_ok, "checked": self.audit_checked, "problem": self.audit_problem},
        }

    def text(self) -> str:
        lines = [f"restored database: {self.restored_db}"]
        lines.append(
            f"row counts: {len(self.counts) - len(self.mismatched)} of {len(self.counts)} tables match "
            f"({sum(c[1] for c in self.counts.values())} rows restored)"
        )
        lines += [f"  MISMATCH {t}: source {s}, restored {r}" for t, (s, r) in sorted(self.mismatched.items())]
        lines += [f"  MISSING table {t} (in the source, not restored)" for t in self.missing_tables]
        src, dst = self.schema_revision
        lines.append(f"schema revision: {dst}" + ("" if src == dst else f" (source is at {src}: MISMATCH)"))
        if self.audit_ok:
            lines.append(f"audit chain intact: {self.audit_checked} entries checked")
        else:
            lines.append(f"audit chain BROKEN: {self.audit_problem} ({self.audit_checked} good before it)")
        lines.append("RESTORE VERIFIED" if self.ok else "RESTORE CHECK FAILED")
        return "\n".join(lines)


# --- connections --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Server:
    host: str
    port: int
    user: str
    password: str | None
    database: str

    @classmethod
    def from_url(cls, url: str) -> Server:
        parts = urlsplit(url.replace("postgresql+asyncpg://", "postgresql://", 1))
        if parts.scheme not in ("postgresql", "postgres"):
            raise SystemExit("verify_restore.py: --source must be a postgresql:// URL")
        return cls(
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 5432,
            user=parts.username or os.environ.get("PGUSER", "postgres"),
            password=parts.password,
            database=(parts.path or "/").lstrip("/") or "postgres",
        )

    def dsn(self, database: str | None = None) -> str:
        auth = self.user if self.password is None else f"{self.user}:{self.password}"
        return f"postgresql://{auth}@{self.host}:{self.port}/{database or self.database}"

    def sqlalchemy_url(self, database: str) -> str:
        return self.dsn(database).replace("postgresql://", "postgresql+asyncpg://", 1)

    def env(self) -> dict[str, str]:
        """libpq variables for the command-line tools (the password never goes on a command line)."""
        env = dict(os.environ, PGHOST=self.host, PGPORT=str(self.port), PGUSER=self.user)
        if self.password is not None:
            env["PGPASSWORD"] = self.password
        return env


def _run(cmd: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)  # noqa: S603 - fixed tools, no shell
    if done.returncode != 0:
        raise RuntimeError(f"{Path(cmd[0]).name} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
    return done.stdout


async def _connect(server: Server, database: str | None = None) -> Any:
    import asyncpg

    return await asyncpg.connect(server.dsn(database), timeout=10)


async def check_client_matches_server(server: Server) -> None:
    conn = await _connect(server)
    try:
        server_major = int(await conn.fetchval("SHOW server_version_num")) // 10000
    finally:
        await conn.close()
    out = _run(["pg_dump", "--version"], server.env())
    match = re.search(r"(\d+)(?:\.\d+)?", out)
    client_major = int(match.group(1)) if match else -1
    if client_major != server_major:
        raise RuntimeError(
            f"pg_dump {client_major} with PostgreSQL {server_major}: install postgresql-client-{server_major}"
        )


# --- the steps ------------------------------------------------------------------------------------
async def table_counts(conn: Any) -> dict[str, int]:
    tables = await conn.fetch(
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name"
    )
    counts: dict[str, int] = {}
    for row in tables:
        name = row["table_name"]
        counts[name] = int(await conn.fetchval(f'SELECT count(*) FROM public."{name}"'))  # noqa: S608 - catalogue names
    return counts


async def schema_revision(conn: Any) -> str | None:
    exists = await conn.fetchval("SELECT to_regclass('public.alembic_version') IS NOT NULL")
    return await conn.fetchval("SELECT version_num FROM alembic_version LIMIT 1") if exists else None


async def dump_with_counts(server: Server, dump_path: Path) -> tuple[dict[str, int], str | None]:
    """pg_dump on a snapshot exported by a transaction that counts the rows in the same snapshot."""
    conn = await _connect(server)
    try:
        async with conn.transaction(isolation="repeatable_read", readonly=True):
            snapshot = await conn.fetchval("SELECT pg_export_snapshot()")
            counts = await table_counts(conn)
            revision = await schema_revision(conn)
            # The snapshot lives as long as this transaction: dump while it is open.
            await asyncio.to_thread(
                _run,
                [
                    "pg_dump",
                    "--no-password",
                    "--format=custom",
                    f"--snapshot={snapshot}",
                    f"--file={dump_path}",
                    server.database,
                ],
                server.env(),
            )
    finally:
        await conn.close()
    return counts, revision


async def source_counts(server: Server) -> tuple[dict[str, int], str | None]:
    conn = await _connect(server)
    try:
        async with conn.transaction(isolation="repeatable_read", readonly=True):
            return await table_counts(conn), await schema_revision(conn)
    finally:
        await conn.close()


def restore(server: Server, dump: Path, database: str) -> None:
    _run(["bash", str(RESTORE_SH), str(dump), database, "--create"], server.env())


async def verify_audit(server: Server, database: str) -> tuple[bool, int, str | None]:
    from services.api.audit.service import verify_chain
    from services.api.core.db import make_engine, make_sessionmaker

    engine = make_engine(server.sqlalchemy_url(database))
    try:
        async with make_sessionmaker(engine)() as session:
            report = await verify_chain(session)
    finally:
        await engine.dispose()
    if report.ok:
        return True, report.checked, None
    where = f"entry {report.first_bad_id}: " if report.first_bad_id is not None else ""
    return False, report.checked, f"{where}{report.reason}"


async def check_restored(
    server: Server, database: str, expected: dict[str, int], expected_revision: str | None
) -> Report:
    report = Report(restored_db=database)
    conn = await _connect(server, database)
    try:
        restored = await table_counts(conn)
        revision = await schema_revision(conn)
    finally:
        await conn.close()
    report.counts = {t: (n, restored[t]) for t, n in expected.items() if t in restored}
    report.missing_tables = sorted(set(expected) - set(restored))
    report.schema_revision = (expected_revision, revision)
    report.audit_ok, report.audit_checked, report.audit_problem = await verify_audit(server, database)
    return report


async def drop_database(server: Server, database: str) -> None:
    conn = await _connect(server, "postgres")
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    finally:
        await conn.close()


async def run(args: argparse.Namespace) -> Report:
    server = Server.from_url(args.source)
    if args.restored_db:
        if not _NAME.match(args.restored_db):
            raise SystemExit("verify_restore.py: database names are letters, digits and _")
        expected, revision = await source_counts(server)
        return await check_restored(server, args.restored_db, expected, revision)

    scratch = args.scratch_db or f"halcyon_restore_check_{secrets.token_hex(4)}"
    if not _NAME.match(scratch) or scratch == server.database:
        raise SystemExit("verify_restore.py: --scratch-db must be a new database name (letters, digits, _)")
    await check_client_matches_server(server)
    with tempfile.TemporaryDirectory(prefix="halcyon-verify-") as tmp:
        if args.dump:
            dump = Path(args.dump)
            expected, revision = await source_counts(server)
        else:
            dump = Path(tmp) / "source.dump"
            expected, revision = await dump_with_counts(server, dump)
        try:
            await asyncio.to_thread(restore, server, dump, scratch)
            return await check_restored(server, scratch, expected, revision)
        finally:
            if not args.keep:
                await drop_database(server, scratch)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--source", required=True, help="the database backed up (postgresql://user[:pw]@host:port/db)")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--dump", help="an existing backup to restore (default: dump the source now)")
    group.add_argument("--restored-db", help="check this already restored database instead")
    p.add_argument("--scratch-db", help="name of the scratch database to restore into")
    p.add_argument("--keep", action="store_true", help="keep the scratch database afterwards")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    args = p.parse_args(argv)
    try:
        report = asyncio.run(run(args))
    except Exception as exc:  # a connection or tool failure: say what, exit 2 (not a verdict on the backup)
        print(f"verify_restore.py: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(report.as_dict(), indent=2) if args.json else report.text())
    return 0 if report.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
