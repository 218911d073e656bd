"""The `halcyon` command's account tools, as an operator runs them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def _run(*args: str, env: dict[str, str], stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "services.cli", *args], env=env, capture_output=True, text=True, timeout=120, input=stdin
    )


def test_create_admin_makes_an_admin_who_must_enrol_mfa(tmp_path: Path) -> None:
    env = {**os.environ, "HALCYON_VAR_DIR": str(tmp_path)}
    env.pop("HALCYON_DATABASE_URL", None)
    assert _run("migrate", env=env).returncode == 0
    weak = _run("create-admin", "--email", "boss@example.org", "--name", "Boss", "--password", "short", env=env)
    assert weak.returncode == 2
    assert "at least 10" in weak.stdout
    ok = _run(
        "create-admin",
        "--email",
        "Boss@Example.org",
        "--name",
        "Boss",
        env={**env, "HALCYON_ADMIN_PASSWORD": "a strong admin pass"},
    )
    assert ok.returncode == 0, ok.stderr
    assert "two-factor" in ok.stdout
    again = _run(
        "create-admin", "--email", "boss@example.org", "--name", "Boss", "--password", "a strong admin pass", env=env
    )
    assert again.returncode == 1
    assert "already exists" in again.stdout
    # No password and no terminal: a clear refusal instead of hanging on a prompt.
    no_tty = _run("create-admin", "--email", "other@example.org", "--name", "Other", env=env, stdin="")
    assert no_tty.returncode == 2
    verify = _run("audit", "verify", env=env)
    assert verify.returncode == 0
    assert "1 entries checked" in verify.stdout


def test_serve_refuses_an_unmigrated_database_with_a_clear_message(tmp_path: Path) -> None:
    env = {**os.environ, "HALCYON_VAR_DIR": str(tmp_path), "HALCYON_API_PORT": "0", "HALCYON_ENV": "production"}
    env.pop("HALCYON_DATABASE_URL", None)
    r = _run("serve", "api", env=env)
    assert r.returncode != 0
    assert "halcyon migrate" in r.stdout + r.stderr
