from __future__ import annotations

import asyncio
import tempfile
import uuid
from pathlib import Path

import httpx
import pytest
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.accounts.service import AuthKit
from services.api.config import Settings
from services.api.core.db import make_engine
from services.api.core.migrate import DatabaseNotMigrated, ensure_migrated, upgrade_head
from services.api.core.ratelimit import RedisRateStore
from services.api.core.routing import iter_api_routes
from services.api.main import create_app
from services.common.settings import Environment
from services.common.tokens import SigningKeys, TokenError
from tests.factories import create_patient
from tests.support.services import REDIS_URL, require_redis


async def test_health_answers_with_database_status(client: httpx.AsyncClient) -> None:
    r = await client.get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "service": "api", "database": "ok"}


async def test_every_response_carries_a_request_id_and_echoes_a_safe_one(client: httpx.AsyncClient) -> None:
    r = await client.get("/healthz", headers={"X-Request-ID": "abc12345-trace"})
    assert r.headers["x-request-id"] == "abc12345-trace"
    r = await client.get("/healthz", headers={"X-Request-ID": "<script>"})
    assert r.headers["x-request-id"] != "<script>"
    assert len(r.headers["x-request-id"]) == 32


async def test_unknown_routes_and_methods_are_problems(client: httpx.AsyncClient) -> None:
    r = await client.get("/api/nothing-here")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")
    r = await client.put("/api/auth/login", json={})
    assert r.status_code == 405
    assert r.json()["title"] == "Method not allowed"


async def test_jwks_publishes_the_public_key_that_verifies_our_tokens(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    patient = await create_patient(session)
    login = await client.post("/api/auth/login", json={"email": patient.email, "password": patient.password})
    token = login.json()["access_token"]
    jwks = (await client.get("/.well-known/jwks.json")).json()
    assert all("d" not in k for k in jwks["keys"])  # never the private part
    verifier = SigningKeys.from_public_jwks(jwks)
    assert verifier.decode(token, typ="access")["sub"] == str(patient.id)
    with pytest.raises(TokenError):
        verifier.decode(token, typ="join")


async def test_app_refuses_to_start_on_an_unmigrated_database() -> None:
    with tempfile.TemporaryDirectory() as d:
        url = f"sqlite+aiosqlite:///{Path(d) / 'empty.db'}"
        engine = make_engine(url)
        with pytest.raises(DatabaseNotMigrated, match="halcyon migrate"):
            await ensure_migrated(engine)
        await engine.dispose()
        await asyncio.to_thread(upgrade_head, url)  # alembic runs its own event loop
        engine = make_engine(url)
        await ensure_migrated(engine)
        await engine.dispose()


def test_openapi_operation_ids_are_readable_and_errors_declared(app) -> None:  # type: ignore[no-untyped-def]
    schema = app.openapi()
    ops = [op for path in schema["paths"].values() for op in path.values()]
    ids = [op["operationId"] for op in ops]
    assert "auth-login" in ids
    assert len(ids) == len(set(ids))
    login = schema["paths"]["/api/auth/login"]["post"]["responses"]
    assert {"401", "403", "422", "429"} <= set(login)
    assert "application/problem+json" in login["429"]["content"]


async def test_sign_in_throttling_is_shared_through_redis(
    settings: Settings,
    engine,
    sessionmaker,
    session: AsyncSession,  # type: ignore[no-untyped-def]
) -> None:
    """Two API instances share one Redis: failures on one lock the account on the other."""
    require_redis()
    prefix = f"halcyon-test:{uuid.uuid4().hex}:"
    patient = await create_patient(session)
    clients = []
    apps = []
    for _ in range(2):
        app = create_app(settings, engine=engine, sessionmaker=sessionmaker, check_migrations=False, run_worker=False)
        kit: AuthKit = app.state.auth_kit
        app.state.auth_kit = AuthKit(kit.settings, kit.keys, kit.box, RedisRateStore(Redis.from_url(REDIS_URL), prefix))
        apps.append(app)
        clients.append(httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://app.test"))
    try:
        for i in range(settings.login_max_failures_per_account):
            c = clients[i % 2]
            await c.post("/api/auth/login", json={"email": patient.email, "password": "wrong wrong wrong"})
        r = await clients[0].post("/api/auth/login", json={"email": patient.email, "password": patient.password})
        assert r.status_code == 429
        redis = Redis.from_url(REDIS_URL)
        ttl = await redis.ttl(f"{prefix}lock:acct:{patient.email}")
        assert 0 < ttl <= settings.login_lockout_minutes * 60
        await redis.delete(*[k async for k in redis.scan_iter(f"{prefix}*")])
        await redis.aclose()
    finally:
        for c in clients:
            await c.aclose()
        for app in apps:
            await app.state.auth_kit.rate.close()


def test_development_app_serves_the_local_mailbox_and_production_does_not(settings: Settings, engine) -> None:  # type: ignore[no-untyped-def]
    dev = create_app(
        settings.model_copy(update={"env": Environment.development}),
        engine=engine,
        check_migrations=False,
        run_worker=False,
    )
    prod = create_app(
        settings.model_copy(update={"env": Environment.production}),
        engine=engine,
        check_migrations=False,
        run_worker=False,
    )
    dev_paths = {r.path for r in iter_api_routes(dev)}
    prod_paths = {r.path for r in iter_api_routes(prod)}
    assert "/api/auth/login" in prod_paths
    assert "/api/dev/mailbox" in dev_paths
    assert "/api/dev/mailbox" not in prod_paths


def test_schema_names_are_unique_so_the_generated_client_stays_stable(app) -> None:  # type: ignore[no-untyped-def]
    # Two models with one name make FastAPI fall back to module-qualified names, which would
    # rename types in the frontend's generated client whenever a module moves.
    qualified = [name for name in app.openapi()["components"]["schemas"] if "__" in name]
    assert not qualified, f"rename these schemas so each name is unique: {qualified}"


def test_migrations_have_a_single_head() -> None:
    from alembic.script import ScriptDirectory

    from services.api.core.migrate import alembic_config

    heads = ScriptDirectory.from_config(alembic_config("sqlite+aiosqlite://")).get_heads()
    assert len(heads) == 1, f"merge the migration heads {heads} (alembic merge)"
