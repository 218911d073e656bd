"""Authorization across the whole API, read from the app itself.

Every route the app serves is found by walking `app.routes`; its access is the
`__halcyon_access__` tag of the role dependency in its dependency tree (none = public). Each
route is then called by every kind of caller and the answer must match that access: the
anonymous caller gets 401, a wrong role 403, staff without two-factor sign-in 403
`mfa-required`, and an admitted caller gets past the gate (observed by wrapping the role
dependencies, so a route's own 403, e.g. "not on this patient's care team", is told apart).
Nothing here lists routes by hand, so a route added later is covered the moment it is mounted.
"""

from __future__ import annotations

import contextlib
import functools
import re
import typing
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import fastapi.routing
import httpx
import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from services.api.accounts.deps import ACCESS_DEPENDENCIES
from services.api.config import Settings
from services.api.core.db import make_engine, make_sessionmaker
from services.api.core.errors import PROBLEM_MEDIA_TYPE, Problem
from services.api.core.routing import APIRouter
from services.api.deps import CurrentAdmin
from services.api.main import create_app
from services.api.routes import ROUTERS
from services.common.settings import Environment
from tests.factories import Account, create_patient, create_staff, sign_in

PROBLEM_REF = "#/components/schemas/Problem"

# --- the access matrix: which roles each access tag admits, and which need a verified MFA ----
ADMITS: dict[str, frozenset[str]] = {
    "user": frozenset({"patient", "psychiatrist", "admin"}),
    "patient": frozenset({"patient"}),
    "psychiatrist": frozenset({"psychiatrist"}),
    "admin": frozenset({"admin"}),
    "staff": frozenset({"psychiatrist", "admin"}),
}
NEEDS_MFA = frozenset({"psychiatrist", "admin", "staff"})


@dataclass(frozen=True)
class Caller:
    name: str
    role: str | None  # None: not signed in
    mfa: bool = False


CALLERS = [
    Caller("anonymous", None),
    Caller("patient", "patient"),
    Caller("psychiatrist", "psychiatrist", mfa=True),
    Caller("admin", "admin", mfa=True),
    Caller("psychiatrist_without_mfa", "psychiatrist"),
    Caller("admin_without_mfa", "admin"),
]


@dataclass(frozen=True)
class Expected:
    status: int | None  # None: the role gate admits the caller
    problem_type_suffix: str | None = None


def expected_for(access: frozenset[str], caller: Caller) -> Expected:
    if not access:
        return Expected(None)
    if caller.role is None:
        return Expected(401, "/unauthorized")
    if any(caller.role not in ADMITS[a] for a in access):
        return Expected(403, "/forbidden")
    if access & NEEDS_MFA and not caller.mfa:
        return Expected(403, "/mfa-required")
    return Expected(None)


# --- walking the app ---------------------------------------------------------------------------
@dataclass(frozen=True)
class RouteInfo:
    method: str
    path: str  # as mounted and documented, e.g. /api/auth/sessions/{session_id} (no convertors)
    access: frozenset[str]
    path_params: dict[str, Any]  # name -> annotation (or a starlette convertor class name)
    has_body: bool
    in_schema: bool
    route: APIRoute

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"


def _mounted_routes(app: FastAPI) -> Iterator[Any]:
    """Every APIRoute with its mounted path. FastAPI >= 0.137 keeps included routers as lazy
    `_IncludedRouter` entries in `app.routes`; `iter_route_contexts` is how FastAPI itself (its
    OpenAPI builder) walks them. Older FastAPI copies the routes into `app.routes` directly."""
    iter_route_contexts = getattr(fastapi.routing, "iter_route_contexts", None)
    if iter_route_contexts is None:  # pragma: no cover - older FastAPI
        yield from (r for r in app.routes if isinstance(r, APIRoute))
        return
    for context in iter_route_contexts(app.routes):
        if isinstance(context.original_route, APIRoute):
            yield context


def _walk(dependant: Dependant) -> Iterator[Dependant]:
    stack = [dependant]
    while stack:
        d = stack.pop()
        yield d
        stack.extend(d.dependencies)


def declared_access(dependant: Dependant) -> frozenset[str]:
    return frozenset(tag for d in _walk(dependant) if (tag := getattr(d.call, "__halcyon_access__", None)) is not None)


def route_table(app: FastAPI) -> list[RouteInfo]:
    table: list[RouteInfo] = []
    for route in _mounted_routes(app):
        dependant: Dependant = route.dependant
        params: dict[str, Any] = {}
        for d in _walk(dependant):
            for f in d.path_params:
                params.setdefault(f.alias, f.field_info.annotation)
        for name, convertor in (route.param_convertors or {}).items():
            params.setdefault(name, type(convertor).__name__)
        for method in sorted(route.methods or ()):
            if method in {"HEAD", "OPTIONS"}:
                continue
            table.append(
                RouteInfo(
                    method=method,
                    path=route.path_format,
                    access=declared_access(dependant),
                    path_params=params,
                    has_body=route.body_field is not None,
                    in_schema=bool(route.include_in_schema),
                    route=route,
                )
            )
    return table


def _sample(annotation: Any) -> str:
    """A valid value for a path parameter of this type."""
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        return _sample(typing.get_args(annotation)[0])
    if origin is typing.Literal:
        return str(typing.get_args(annotation)[0])
    if origin is not None and type(None) in typing.get_args(annotation):  # Optional[X] / X | None
        return _sample(next(a for a in typing.get_args(annotation) if a is not type(None)))
    if isinstance(annotation, type):
        if issubclass(annotation, Enum):
            return str(next(iter(annotation)).value)
        if issubclass(annotation, uuid.UUID):
            return str(uuid.uuid4())
        if issubclass(annotation, bool):
            return "true"
        if issubclass(annotation, (int, float)):
            return "1"
        if issubclass(annotation, datetime):
            return datetime.now(UTC).isoformat()
        if issubclass(annotation, date):
            return date.today().isoformat()  # noqa: DTZ011 - a calendar date, no zone involved
    return {"IntegerConvertor": "1", "FloatConvertor": "1", "UUIDConvertor": str(uuid.uuid4())}.get(
        str(annotation), "sample"
    )


_PARAM = re.compile(r"{([^}:]+)(?::[^}]+)?}")


def url_for(route: RouteInfo, overrides: dict[str, str] | None = None) -> str:
    values = {name: _sample(ann) for name, ann in route.path_params.items()} | (overrides or {})
    return _PARAM.sub(lambda m: values.get(m.group(1), "sample"), route.path)


def describe(r: httpx.Response) -> str:
    return f"{r.status_code} {r.headers.get('content-type')} {r.text[:300]}"


# --- the app without a database: its routes and OpenAPI document need none -------------------
def app_without_database(var: Path) -> FastAPI:
    """An app whose engine never connects. Development mode mounts the dev-only routes too (the
    local mailbox), so they are walked and documented like the rest."""
    settings = Settings(env=Environment.development, var_dir=var, serve_frontend=False, redis_url="")
    return create_app(
        settings,
        engine=make_engine(f"sqlite+aiosqlite:///{var / 'unused.db'}"),
        check_migrations=False,
        run_worker=False,
    )


@pytest.fixture(scope="module")
def documented_app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    return app_without_database(tmp_path_factory.mktemp("openapi"))


@pytest.fixture(scope="module")
def spec(documented_app: FastAPI) -> dict[str, Any]:
    """Built once per module: generating the document is the slow part of building an app."""
    return documented_app.openapi()


# --- a database where every probe is undone --------------------------------------------------
# A probe such as POST /api/auth/logout would end the caller's session for every later probe.
# Each request runs inside a savepoint rolled back right after it, so every route sees the same
# signed-in world, whatever order the walk takes.
@pytest.fixture
async def connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    async with engine.connect() as conn:
        outer = await conn.begin()
        try:
            yield conn
        finally:
            await outer.rollback()


@pytest.fixture
def sessionmaker(connection: AsyncConnection) -> async_sessionmaker[AsyncSession]:
    """Overrides the conftest one so the test can hold the connection (see `probe`)."""
    return make_sessionmaker(connection, join_transaction_mode="create_savepoint")


class _ThroughConnection:
    """Stands in for `app.state.engine` (only /healthz uses it): on SQLite the test transaction
    holds the write lock, so a second connection would wait for it and report the database
    unreachable. Health is read through the test's own connection instead."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    @contextlib.asynccontextmanager
    async def connect(self) -> AsyncIterator[AsyncConnection]:
        yield self._conn


@pytest.fixture
def app(
    settings: Settings,
    engine: AsyncEngine,
    connection: AsyncConnection,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> FastAPI:
    app = create_app(settings, engine=engine, sessionmaker=sessionmaker, check_migrations=False, run_worker=False)
    app.state.engine = _ThroughConnection(connection)
    return app


async def probe(
    client: httpx.AsyncClient,
    connection: AsyncConnection,
    method: str,
    url: str,
    *,
    headers: dict[str, str],
    **kwargs: Any,
) -> httpx.Response:
    savepoint = await connection.begin_nested()
    try:
        return await client.request(method, url, headers=headers, **kwargs)
    finally:
        await savepoint.rollback()


async def signed_in(
    caller: Caller, client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> dict[str, str]:
    if caller.role is None:
        return {}
    account: Account
    if caller.role == "patient":
        account = await create_patient(session)
    else:
        account = await create_staff(session, settings, role=caller.role, with_mfa=caller.mfa)
    headers = await sign_in(client, account)
    assert headers["Authorization"] != "Bearer None", f"{caller.name} got no access token"
    return headers


@pytest.fixture
def gate_log(app: FastAPI) -> list[str]:
    """Which role dependencies admitted the current request. Each one is wrapped (not replaced:
    the real check runs) so the test tells the gate's refusal from a route's own 403, such as
    "not on this patient's care team" for a psychiatrist the gate let in."""
    log: list[str] = []

    def recording(dependency: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        @functools.wraps(dependency)  # FastAPI reads the signature (sub-dependencies) through __wrapped__
        async def admit(*args: Any, **kwargs: Any) -> Any:
            actor = await dependency(*args, **kwargs)
            log.append(dependency.__halcyon_access__)  # type: ignore[attr-defined]
            return actor

        return admit

    for dependency in ACCESS_DEPENDENCIES:
        app.dependency_overrides[dependency] = recording(dependency)
    return log


def _problem_or_error(r: httpx.Response) -> str | None:
    try:
        problem = Problem.model_validate_json(r.content)
    except ValueError as exc:
        return str(exc).splitlines()[0]
    return None if problem.status == r.status_code else f"status {problem.status} in the body"


def _declared_statuses(spec: dict[str, Any], route: RouteInfo) -> set[str]:
    op = spec["paths"].get(route.path, {}).get(route.method.lower(), {})
    return set(op.get("responses", {}))


# --- the tests ---------------------------------------------------------------------------------
def test_the_access_matrix_knows_every_access_tag() -> None:
    tags = {dep.__halcyon_access__ for dep in ACCESS_DEPENDENCIES}  # type: ignore[attr-defined]
    assert tags == set(ADMITS), "a role dependency was added or renamed: teach this test what it admits"


def test_the_walk_finds_every_mounted_route_and_every_documented_operation(
    documented_app: FastAPI, spec: dict[str, Any]
) -> None:
    table = route_table(documented_app)
    walked = {(r.method, r.path) for r in table}
    for router in ROUTERS:
        for route in router.routes:
            if isinstance(route, APIRoute):
                for method in route.methods:
                    assert (method, route.path_format) in walked, f"{method} {route.path} is mounted but not walked"
    documented = {
        (method.upper(), path)
        for path, ops in spec["paths"].items()
        for method in ops
        if method in {"get", "put", "post", "patch", "delete"}
    }
    assert documented <= walked, f"documented but not walked: {sorted(documented - walked)}"
    assert any(r.access for r in table), "no route carries a role dependency: the walk is broken"
    assert any(not r.access for r in table), "no public route found: the walk is broken"


def test_a_route_mounted_later_is_walked_with_its_access(tmp_path: Path) -> None:
    app = app_without_database(tmp_path)
    extra = APIRouter(prefix="/api/walk-check", tags=["walk-check"])

    @extra.get("/{thing_id}")
    async def read_thing(thing_id: uuid.UUID, actor: CurrentAdmin) -> dict[str, str]:
        return {"id": str(thing_id)}

    app.include_router(extra)
    [found] = [r for r in route_table(app) if r.path == "/api/walk-check/{thing_id}"]
    assert found.access == {"admin"}
    assert found.path_params == {"thing_id": uuid.UUID}
    uuid.UUID(url_for(found).rsplit("/", 1)[1])


@pytest.mark.parametrize("caller", CALLERS, ids=lambda c: c.name)
async def test_every_route_admits_or_refuses_each_caller_by_its_declared_access(
    caller: Caller,
    app: FastAPI,
    client: httpx.AsyncClient,
    connection: AsyncConnection,
    session: AsyncSession,
    settings: Settings,
    gate_log: list[str],
    spec: dict[str, Any],
) -> None:
    headers = await signed_in(caller, client, session, settings)
    failures: list[str] = []
    table = route_table(app)
    assert table
    for route in table:
        kwargs: dict[str, Any] = {"json": {}} if route.has_body else {}
        gate_log.clear()
        r = await probe(client, connection, route.method, url_for(route), headers=headers, **kwargs)
        admitted = route.access <= set(gate_log)
        expected = expected_for(route.access, caller)
        access = ",".join(sorted(route.access)) or "public"
        where = f"{route.label} [{access}] as {caller.name}"
        if r.status_code >= 500:
            failures.append(f"{where}: server error {describe(r)}")
            continue
        if r.status_code >= 400:
            if not r.headers.get("content-type", "").startswith(PROBLEM_MEDIA_TYPE):
                failures.append(f"{where}: a {r.status_code} that is not problem+json: {describe(r)}")
            elif (not_a_problem := _problem_or_error(r)) is not None:
                failures.append(
                    f"{where}: a {r.status_code} whose body is not a Problem ({not_a_problem}): {describe(r)}"
                )
        if route.in_schema and r.status_code >= 400 and str(r.status_code) not in _declared_statuses(spec, route):
            failures.append(f"{where}: answered {r.status_code}, which its OpenAPI responses do not declare")
        if expected.status is None:
            if not admitted:
                failures.append(f"{where}: expected the gate to admit, got {describe(r)}")
            # Past the gate a route may still answer 401/403 of its own (wrong password, no
            # refresh cookie, not this patient's psychiatrist): fine when its document says so.
            elif r.status_code in (401, 403) and str(r.status_code) not in _declared_statuses(spec, route):
                failures.append(f"{where}: admitted, then an undocumented {describe(r)}")
            continue
        if admitted:
            failures.append(f"{where}: expected the gate to refuse, but it admitted: {describe(r)}")
        if r.status_code != expected.status:
            failures.append(f"{where}: expected {expected.status}, got {describe(r)}")
            continue
        problem_type = str(r.json().get("type", ""))
        if expected.problem_type_suffix and not problem_type.endswith(expected.problem_type_suffix):
            failures.append(
                f"{where}: expected a problem type ending {expected.problem_type_suffix}, got {problem_type}"
            )
        if expected.status == 401 and "bearer" not in r.headers.get("www-authenticate", "").lower():
            failures.append(f"{where}: a 401 without `WWW-Authenticate: Bearer`")
    assert not failures, "\n".join(failures)


# Inputs a careless or hostile client sends; none may crash a route, whoever sends them.
_GARBAGE_BODIES: list[dict[str, Any]] = [
    {"json": []},
    {"json": None},
    {"json": "text"},
    {"json": {"unexpected": "field", "email": 1, "password": None, "token": ["x"], "code": {}}},
    {"content": b"{not json", "headers": {"content-type": "application/json"}},
    {"content": b'{"email": "\xff\xfe"}', "headers": {"content-type": "application/json"}},
    {"content": b"a=1", "headers": {"content-type": "application/x-www-form-urlencoded"}},
    {},  # no body at all
]
_GARBAGE_QUERY = {"page": "0", "limit": "100000", "since": "yesterday", "until": "-1", "role": "root"}
_GARBAGE_PATH_VALUES = ["not-a-valid-value", "0" * 300, "%00"]


def _garbage_requests(route: RouteInfo) -> Iterator[tuple[str, dict[str, Any]]]:
    """One bad thing at a time (not every combination), so the walk stays quick as routes grow."""
    body: dict[str, Any] = {"json": {}} if route.has_body else {}
    yield url_for(route), {**body, "params": _GARBAGE_QUERY}
    for value in _GARBAGE_PATH_VALUES if route.path_params else []:
        yield url_for(route, dict.fromkeys(route.path_params, value)), body
    for garbage in _GARBAGE_BODIES if route.has_body else []:
        yield url_for(route), garbage


@pytest.mark.parametrize("caller", CALLERS, ids=lambda c: c.name)
async def test_no_route_answers_any_caller_with_a_server_error(
    caller: Caller,
    app: FastAPI,
    client: httpx.AsyncClient,
    connection: AsyncConnection,
    session: AsyncSession,
    settings: Settings,
) -> None:
    headers = await signed_in(caller, client, session, settings)
    failures: list[str] = []
    for route in route_table(app):
        for url, request in _garbage_requests(route):
            kwargs = {k: v for k, v in request.items() if k != "headers"}
            r = await probe(
                client, connection, route.method, url, headers=headers | request.get("headers", {}), **kwargs
            )
            where = f"{route.label} as {caller.name}: {route.method} {url} {kwargs}"
            if r.status_code >= 500:
                failures.append(f"{where}: {describe(r)}")
            elif r.status_code >= 400 and not r.headers.get("content-type", "").startswith(PROBLEM_MEDIA_TYPE):
                failures.append(f"{where}: not problem+json: {describe(r)}")
    assert not failures, "\n".join(failures)


# --- what the OpenAPI document promises -------------------------------------------------------
def test_every_protected_route_documents_401_and_403(documented_app: FastAPI, spec: dict[str, Any]) -> None:
    missing = [
        f"{route.label} [{','.join(sorted(route.access))}] declares {sorted(declared)}"
        for route in route_table(documented_app)
        if route.in_schema and route.access and not {"401", "403"} <= (declared := _declared_statuses(spec, route))
    ]
    assert not missing, "protected routes must declare 401 and 403:\n" + "\n".join(missing)


def test_every_documented_4xx_is_a_problem(spec: dict[str, Any]) -> None:
    assert "Problem" in spec["components"]["schemas"]
    wrong: list[str] = []
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            for status, response in op.get("responses", {}).items():
                if not str(status).upper().startswith("4"):
                    continue
                content = response.get("content", {})
                schema = content.get(PROBLEM_MEDIA_TYPE, {}).get("schema", {})
                if schema.get("$ref") != PROBLEM_REF:
                    wrong.append(f"{method.upper()} {path} {status}: {sorted(content)} {schema}")
                for media_type, body in content.items():
                    if body.get("schema", {}).get("$ref") not in (PROBLEM_REF, None):
                        wrong.append(f"{method.upper()} {path} {status} {media_type}: {body['schema']}")
    assert not wrong, "every 4xx must be documented as a Problem:\n" + "\n".join(wrong)
