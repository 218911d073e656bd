"""Property-based tests of the whole API against its own OpenAPI document (schemathesis).

Every documented operation is called with generated data, valid and invalid, as each kind of
caller, in-process over ASGI. Every answer must be something other than a server error, and
its status, content type and body must be what the document promises.

Schemathesis calls the app through its own client on its own event loop, outside the rolled
back test transaction, so the app here has a real migrated SQLite file of its own, with the
accounts signed in once per worker (module-scoped `world`; fine under pytest-xdist).

The tests are generated at collection from the document of an app that needs no database, one
item per operation and role. (`schemathesis.pytest.from_fixture` would load the schema lazily
from a fixture instead, but in schemathesis 4.32 its lazy path sets `Item._nodeid`, which
pytest 9 no longer has.) `world` checks the app under test serves the same document.
"""

from __future__ import annotations

import asyncio
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import hypothesis
import pytest
import schemathesis
from fastapi import FastAPI
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from services.api.config import Settings
from services.api.core.db import make_engine, make_sessionmaker
from services.api.core.migrate import upgrade_head
from services.api.main import create_app
from services.common.settings import Environment
from tests.api.test_authorization import CALLERS, expected_for, route_table
from tests.factories import create_patient, create_staff, sign_in
from tests.support.mail import SmtpSink

ROLES = {caller.name: caller for caller in CALLERS if caller.name in ("anonymous", "patient", "psychiatrist", "admin")}

# Calls that end the caller's own session would leave every later operation of that role
# answering 401; they are fuzzed as the anonymous caller only (test_authorization covers them
# for every role).
ENDS_OWN_SESSION = {"POST /api/auth/logout"}

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

MAX_EXAMPLES = 8

# Bounded and repeatable: a fixed seed, derandomized Hypothesis, no example database.
CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 20261121,
        "suppress-health-check": ["all"],
        "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
        # The coverage phase's wrong-method probes feed a check (unsupported_method) not run here.
        "phases": {"stateful": {"enabled": False}, "coverage": {"unexpected-methods": []}},
    }
)


def _settings(var: Path, smtp_port: int = 0) -> Settings:
    return Settings(
        env=Environment.test,
        var_dir=var,
        public_url="http://app.test",
        smtp_host="127.0.0.1",
        smtp_port=smtp_port,
        serve_frontend=False,
        redis_url="",
    )


def _openapi_document() -> tuple[dict[str, Any], dict[str, frozenset[str]]]:
    """The document the tests are generated from, and each operation's declared access, read at
    collection from an app that needs no database (`world` checks the served one matches)."""
    with tempfile.TemporaryDirectory(prefix="halcyon-openapi-") as d:
        var = Path(d)
        app = create_app(
            _settings(var),
            engine=make_engine(f"sqlite+aiosqlite:///{var / 'unused.db'}"),
            check_migrations=False,
            run_worker=False,
        )
        return app.openapi(), {route.label: route.access for route in route_table(app)}


OPENAPI, ACCESS = _openapi_document()
schema = schemathesis.openapi.from_dict(OPENAPI, config=CONFIG)


@dataclass(frozen=True)
class World:
    app: FastAPI
    headers: dict[str, dict[str, str]]  # role -> auth headers


@pytest.fixture(scope="module")
async def world(tmp_path_factory: pytest.TempPathFactory, smtp: SmtpSink) -> World:
    var = tmp_path_factory.mktemp("schemathesis")
    url = f"sqlite+aiosqlite:///{var / 'api.db'}"
    await asyncio.to_thread(upgrade_head, url)  # Alembic runs its own event loop
    settings = _settings(var, smtp.port)

    # Accounts and sign-ins go through an app of their own on this event loop; the app
    # schemathesis drives gets a fresh engine, used only on schemathesis' own loop. Both read
    # the same database and the same signing keys (in `var`), so the tokens hold.
    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine)() as session:
            accounts = {
                "patient": await create_patient(session),
                "psychiatrist": await create_staff(session, settings, role="psychiatrist"),
                "admin": await create_staff(session, settings, role="admin"),
            }
        setup_app = create_app(settings, engine=engine, check_migrations=False, run_worker=False)
        transport = httpx.ASGITransport(app=setup_app)
        async with httpx.AsyncClient(transport=transport, base_url="http://app.test") as client:
            headers = {"anonymous": {}} | {role: await sign_in(client, a) for role, a in accounts.items()}
    finally:
        await engine.dispose()

    app = create_app(settings, engine=make_engine(url), check_migrations=False, run_worker=False)
    assert app.openapi() == OPENAPI, "the app under test serves another document than the tests were built from"
    return World(app=app, headers=headers)


@pytest.fixture(params=list(ROLES))
def role(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def should_fuzz(operation: str, role: str) -> bool:
    """Pairs not worth fuzzing are deselected at collection (tests/conftest.py), not skipped:
    - the role gate refuses the role: no input reaches the route, and test_authorization checks
      that refusal on every route, body included;
    - the operation ends the caller's own session (logout) for the rest of the run."""
    if expected_for(ACCESS[operation], ROLES[role]).status is not None:
        return False
    return not (role != "anonymous" and operation in ENDS_OWN_SESSION)


@pytest.fixture
def auth_headers(request: pytest.FixtureRequest, world: World, role: str) -> dict[str, str]:
    operation = getattr(request.node, "operation_label", None)
    assert operation, "schemathesis no longer labels its items: cannot tell which operation this is"
    assert should_fuzz(operation, role), "collection should have deselected this pair"
    return world.headers[role]


def _requires_sign_in(case: schemathesis.Case) -> bool:
    return bool(OPENAPI["paths"][case.operation.path][case.operation.method.lower()].get("security"))


@schema.parametrize()
@hypothesis.settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(hypothesis.HealthCheck),
)
def test_api_keeps_its_openapi_promises(
    case: schemathesis.Case, world: World, role: str, auth_headers: dict[str, str]
) -> None:
    response = case.call_and_validate(headers=auth_headers, checks=CHECKS, app=world.app)
    # A signed-in role whose session died mid-run would pass every later check with a 401 and
    # test nothing: make that loud. (Schemathesis' own bad-token probes get `unauthorized`.)
    if role != "anonymous" and response.status_code == 401 and _requires_sign_in(case):
        sent = response.request.headers.get("Authorization")
        problem_type = str(response.json().get("type", ""))
        assert not (sent == auth_headers["Authorization"] and problem_type.endswith("/session-ended")), (
            f"the {role}'s session ended during the run; an operation before {case.operation.label} ended it"
        )
