#!/usr/bin/env python3
"""Container health checks (installed as /usr/local/bin/halcyon-healthcheck in the image).

    halcyon-healthcheck http http://127.0.0.1:8000/readyz    exit 0 on a 2xx within 3 s
    halcyon-healthcheck database                              exit 0 when HALCYON_DATABASE_URL answers SELECT 1
    halcyon-healthcheck process "halcyon worker"              exit 0 while PID 1 is that command

Standard library only except `database`, which uses Halcyon's own engine.
"""

# ruff: noqa: T201 - a command-line tool: it prints its results

from __future__ import annotations

import sys
import urllib.error
import urllib.request
from pathlib import Path


def http(url: str) -> int:
    if not url.startswith(("http://127.0.0.1", "http://localhost")):
        print("only loopback URLs are checked", file=sys.stderr)
        return 2
    try:
        with urllib.request.urlopen(url, timeout=3) as r:  # noqa: S310 - loopback http only, checked above
            return 0 if 200 <= r.status < 300 else 1
    except (urllib.error.URLError, OSError) as exc:
        print(f"unhealthy: {exc}", file=sys.stderr)
        return 1


def database() -> int:
    import asyncio

    from sqlalchemy import text

    from services.api.config import get_settings
    from services.api.core.db import make_engine

    async def ping() -> None:
        engine = make_engine(get_settings().effective_database_url)
        try:
            async with engine.connect() as conn:
                await asyncio.wait_for(conn.execute(text("SELECT 1")), timeout=3)
        finally:
            await engine.dispose()

    try:
        asyncio.run(ping())
    except Exception as exc:
        print(f"database unreachable: {type(exc).__name__}", file=sys.stderr)
        return 1
    return 0


def process(expected: str) -> int:
    try:
        cmdline = Path("/proc/1/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        state = next(line for line in Path("/proc/1/status").read_text().splitlines() if line.startswith("State:"))
    except (OSError, StopIteration) as exc:
        print(f"cannot read PID 1: {exc}", file=sys.stderr)
        return 1
    if expected not in cmdline or "zombie" in state:
        print(f"PID 1 is {cmdline!r} ({state})", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "http":
        return http(argv[1])
    if argv == ["database"]:
        return database()
    if len(argv) == 2 and argv[0] == "process":
        return process(argv[1])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
