"""Alembic wiring: one config built in code, and the start-up check for an unmigrated database."""

from __future__ import annotations

from pathlib import Path

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(database_url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    cfg.set_main_option("file_template", "%%(year)d_%%(month).2d_%%(day).2d_%%(rev)s_%%(slug)s")
    return cfg


def upgrade_head(database_url: str) -> None:
    from alembic import command

    command.upgrade(alembic_config(database_url), "heads")


class DatabaseNotMigrated(RuntimeError):
    pass


def _current_and_head(conn: Connection) -> tuple[set[str], set[str]]:
    current = set(MigrationContext.configure(conn).get_current_heads())
    script = ScriptDirectory.from_config(alembic_config(str(conn.engine.url)))
    return current, set(script.get_heads())


async def ensure_migrated(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        current, head = await conn.run_sync(_current_and_head)
    if current != head:
        state = "empty" if not current else f"at {', '.join(sorted(current))}"
        raise DatabaseNotMigrated(
            f"The database is {state} but this version of Halcyon needs {', '.join(sorted(head))}. "
            "Run `halcyon migrate` (make run does this for you) and start again."
        )
