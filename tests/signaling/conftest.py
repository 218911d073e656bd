"""Real servers for the signaling tests, started once per session and stopped by their PIDs:
the API (for its public keys and the call-events endpoint, on its own migrated SQLite
file) and a signaling instance with the in-process bus. Tests that need Redis, coturn or a
second instance start those in their own module."""

from __future__ import annotations

import secrets
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from services.common.tokens import SigningKeys
from tests.signaling.support import (
    PYTHON,
    Consult,
    ServerProcess,
    loopback_host_candidates,
    signaling_env,
    start_process,
    start_signaling,
    wait_http,
)
from tests.support.mail import free_port


@dataclass
class Api:
    url: str
    keys: SigningKeys
    database_url: str
    secret: str
    var_dir: Path
    process: ServerProcess
    _ready: bool = False

    def wait(self) -> None:
        """Block until the API answers (it starts while the signaling instances start)."""
        if not self._ready:
            wait_http(self.process, f"{self.url}/healthz", timeout=60)
            self._ready = True


@pytest.fixture(scope="session", autouse=True)
def _loopback_only() -> Iterator[None]:
    with loopback_host_candidates():
        yield


@pytest.fixture(scope="session")
def work_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("signaling")


@pytest.fixture(scope="session")
def api(work_dir: Path) -> Iterator[Api]:
    var = work_dir / "api-var"
    var.mkdir()
    database_url = f"sqlite+aiosqlite:///{var / 'api.db'}"
    keys = SigningKeys.load_or_create(var / "signing_keys.json")  # the API loads this same key
    secret = secrets.token_urlsafe(24)
    port = free_port()
    env = signaling_env(0, {})
    env.update(
        {
            "HALCYON_ENV": "test",
            "HALCYON_VAR_DIR": str(var),
            "HALCYON_DATABASE_URL": database_url,
            "HALCYON_SERVE_FRONTEND": "false",
            "HALCYON_LOCAL_SMTP": "false",
            "HALCYON_INTERNAL_SECRET": secret,
            "HALCYON_REDIS_URL": "",
        }
    )
    # Migrate, then serve, in the background: the signaling instances start meanwhile.
    uvicorn = [PYTHON, "-m", "uvicorn", "--factory", "services.api.main:create_app", "--host", "127.0.0.1"]
    serve = shlex.join([*uvicorn, "--port", str(port), "--log-level", "warning"])
    migrate = shlex.join([PYTHON, "-m", "services.cli", "migrate"])
    process = start_process("api", ["sh", "-c", f"{migrate} && exec {serve}"], env=env, log_dir=work_dir)
    try:
        yield Api(f"http://127.0.0.1:{port}", keys, database_url, secret, var, process)
    finally:
        process.kill()


def signaling_settings(api: Api, work_dir: Path, **overrides: str) -> dict[str, str]:
    settings = {
        "HALCYON_SIGNALING_API_URL": api.url,
        "HALCYON_SIGNALING_INTERNAL_SECRET": api.secret,
        "HALCYON_SIGNALING_VAR_DIR": str(work_dir / "signaling-var"),
        "HALCYON_SIGNALING_ECHO_HOST_ADDRESSES": '["127.0.0.1"]',
        "HALCYON_SIGNALING_HEARTBEAT_INTERVAL_SECONDS": "1",
        "HALCYON_SIGNALING_HEARTBEAT_TIMEOUT_SECONDS": "5",
        "HALCYON_SIGNALING_LOG_LEVEL": "WARNING",
    }
    settings.update({f"HALCYON_SIGNALING_{k.upper()}": v for k, v in overrides.items()})
    return settings


@pytest.fixture(scope="session")
def signaling(api: Api, work_dir: Path) -> Iterator[ServerProcess]:
    """One instance, in-process bus, default limits."""
    server = start_signaling("signaling", free_port(), signaling_settings(api, work_dir), work_dir)
    api.wait()
    try:
        yield server
    finally:
        server.kill()


@pytest.fixture
def consult(api: Api) -> Consult:
    return Consult(api.keys)
