"""Running the deployment files on loopback: render infra/nginx/halcyon.conf and start nginx.

Also meant for the loopback topology test (nginx in front of real API and signaling processes):
`render_nginx(prefix, api=[...], signaling=[...])` then `with running_nginx(prefix, port): ...`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.ports import free_port as free_port  # the deploy tests import it from here

ROOT = Path(__file__).resolve().parents[2]
INFRA = ROOT / "infra"
RENDER = INFRA / "nginx" / "render.py"


def require_nginx() -> str:
    path = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
    if path is None:
        pytest.fail("nginx is not installed: `apt-get install nginx` (.ci/run installs it)", pytrace=False)
    return path


@contextlib.contextmanager
def nginx_prefix() -> Iterator[Path]:
    """A folder nginx's workers can enter (when run as root they drop to `nobody`)."""
    prefix = Path(tempfile.mkdtemp(prefix="halcyon-nginx-"))
    prefix.chmod(0o755)
    try:
        yield prefix
    finally:
        shutil.rmtree(prefix, ignore_errors=True)


def render_nginx(prefix: Path, *args: str) -> Path:
    """Render a standalone nginx.conf into `prefix` with render.py's own command line."""
    conf = prefix / "nginx.conf"
    subprocess.run(
        [sys.executable, str(RENDER), *args, "--standalone", str(prefix), "--out", str(conf)],
        check=True,
        capture_output=True,
        text=True,
    )
    return conf


@contextlib.contextmanager
def running_nginx(prefix: Path, health_url: str, *, timeout: float = 10.0) -> Iterator[subprocess.Popen[bytes]]:
    """Start nginx in the foreground on the rendered config; stop it (SIGTERM, by pid) after."""
    binary = require_nginx()
    conf = prefix / "nginx.conf"
    check = subprocess.run(
        [binary, "-t", "-p", str(prefix), "-c", str(conf), "-e", str(prefix / "error.log")],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, f"nginx -t refused the rendered config:\n{check.stderr}"
    proc = subprocess.Popen(
        [binary, "-p", str(prefix), "-c", str(conf), "-e", str(prefix / "error.log"), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise AssertionError(f"nginx exited: {proc.stderr.read().decode() if proc.stderr else ''}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(health_url, timeout=1, verify=False).status_code == 200:  # noqa: S501 - self-signed test cert
                    break
            if time.monotonic() > deadline:
                raise AssertionError(f"nginx did not answer {health_url} within {timeout} s")
            time.sleep(0.05)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def read_env_file(path: Path) -> dict[str, str]:
    """The `KEY=VALUE` lines of a compose env file (infra/env/*.example): no quoting, `#` comments."""
    values: dict[str, str] = {}
    for number, line in enumerate(path.read_text().splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        assert sep, f"{path.name}:{number} is not KEY=VALUE: {line!r}"
        assert key.strip().isidentifier(), f"{path.name}:{number} has no variable name: {line!r}"
        values[key.strip()] = value
    return values


def access_log(prefix: Path) -> list[dict[str, object]]:
    """nginx's JSON access log (render.py's `halcyon_json` format), one dict per request."""
    import json

    path = prefix / "access.log"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
