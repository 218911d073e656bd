"""create_app(): settings, database, keys, middleware, error handlers and every router."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Awaitable
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.routing import APIRoute
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from services.api.accounts.service import AuthKit
from services.api.config import Settings, get_settings
from services.api.core.db import READ_ONLY, make_engine, make_sessionmaker
from services.api.core.errors import PROBLEM_MEDIA_TYPE, FieldError, Problem
from services.api.core.handlers import install_error_handlers
from services.api.core.metrics import install_metrics
from services.api.core.middleware import RequestContextMiddleware
from services.api.core.migrate import ensure_migrated
from services.api.core.ratelimit import MemoryRateStore, RateStore, RedisRateStore
from services.api.core.security import SecretBox
from services.api.practice.service import PracticeSettingsCache
from services.api.routes import ROUTERS
from services.common.tokens import SigningKeys

log = logging.getLogger(__name__)


def _operation_id(route: APIRoute) -> str:
    tag = str(route.tags[0]) if route.tags else "default"
    return f"{tag}-{route.name}"


def build_auth_kit(settings: Settings) -> AuthKit:
    var = settings.ensure_var_dir()
    rate: RateStore = RedisRateStore.from_url(settings.redis_url) if settings.redis_url else MemoryRateStore()
    return AuthKit(
        settings=settings,
        keys=SigningKeys.load_or_create(var / "signing_keys.json"),
        box=SecretBox.load_or_create(var / "secret.key"),
        rate=rate,
    )


def create_app(
    settings: Settings | None = None,
    *,
    engine: AsyncEngine | None = None,
    sessionmaker: async_sessionmaker[AsyncSession] | None = None,
    check_migrations: bool = True,
    run_worker: bool | None = None,
) -> FastAPI:
    settings = settings or get_settings()
    engine = engine or make_engine(settings.effective_database_url, echo=settings.database_echo)
    in_process_worker = settings.is_development if run_worker is None else run_worker

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if check_migrations:
            await ensure_migrated(engine)
        stop = asyncio.Event()
        worker: asyncio.Task[None] | None = None
        if in_process_worker:
            from services.api.notifications.worker import run_worker as outbox_worker

            worker = asyncio.create_task(outbox_worker(settings, app.state.sessionmaker, stop=stop))
        try:
            yield
        finally:
            stop.set()
            if worker:
                from services.api.notifications.service import outbox_wakeup

                outbox_wakeup.set()
                with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                    await asyncio.wait_for(worker, timeout=5)
            await app.state.auth_kit.rate.close()
            await engine.dispose()

    app = FastAPI(
        title="Halcyon API",
        version="0.1.0",
        description="Telepsychiatry for ketamine-therapy and interventional-psychiatry practices. "
        "Errors are application/problem+json with field-level detail.",
        lifespan=lifespan,
        generate_unique_id_function=_operation_id,
        docs_url="/docs",
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = sessionmaker or make_sessionmaker(engine)
    app.state.auth_kit = build_auth_kit(settings)
    app.state.practice_settings_cache = PracticeSettingsCache()

    app.add_middleware(
        RequestContextMiddleware, max_body_bytes=settings.max_body_bytes, trust_forwarded=settings.trust_proxy_headers
    )
    if settings.metrics_enabled:
        install_metrics(app)
    install_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    _system_routes(app)
    if settings.is_development and settings.local_smtp:
        from services.api.notifications.mailbox_endpoints import router as mailbox_router

        app.include_router(mailbox_router)
    if settings.serve_frontend:
        _serve_spa(app, Path(settings.frontend_dist))
    _declare_problem_schema(app)
    return app


def _system_routes(app: FastAPI) -> None:
    @app.get(
        "/healthz",
        tags=["system"],
        operation_id="system-healthz",
        responses={503: {"description": "The database does not answer"}},
    )
    async def healthz(request: Request) -> JSONResponse:
        """Liveness and database reachability."""
        try:
            async with request.app.state.engine.connect() as conn:
                conn = await conn.execution_options(**{READ_ONLY: True})
                await asyncio.wait_for(conn.execute(text("SELECT 1")), timeout=5)
            db = "ok"
        except Exception:
            db = "unreachable"
        status = 200 if db == "ok" else 503
        return JSONResponse({"status": "ok" if status == 200 else "degraded", "service": "api", "database": db}, status)

    @app.get(
        "/readyz",
        tags=["system"],
        operation_id="system-readyz",
        responses={
            503: {
                "description": "Not ready: the database or Redis does not answer (named in `errors`)",
                "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
            }
        },
    )
    async def readyz(request: Request) -> JSONResponse:
        """Readiness for a load balancer: the database answers a query and Redis (when configured) a PING."""
        checks = {"database": await _check(_ping_database(request.app.state.engine))}
        rate = request.app.state.auth_kit.rate
        checks["redis"] = await _check(rate.redis.ping()) if isinstance(rate, RedisRateStore) else "not configured"
        failed = [name for name, state in checks.items() if state == "unreachable"]
        if not failed:
            return JSONResponse({"status": "ready", "checks": checks})
        log.warning("not ready: %s unreachable", ", ".join(failed))
        ctx = getattr(request.state, "ctx", None)
        problem = Problem(
            type="https://halcyon.health/problems/not-ready",
            title="Not ready",
            status=503,
            detail=f"Not ready: {' and '.join(failed)} unreachable.",
            errors=[FieldError(field=name, message=f"{name} did not answer", code="unreachable") for name in failed],
            request_id=ctx.request_id if ctx else None,
        )
        return JSONResponse(problem.model_dump() | {"checks": checks}, 503, media_type=PROBLEM_MEDIA_TYPE)

    @app.get("/.well-known/jwks.json", tags=["system"], operation_id="system-jwks")
    async def jwks(request: Request) -> dict[str, Any]:
        """Public keys that verify tokens this API signs (join tokens for signaling)."""
        keys: SigningKeys = request.app.state.auth_kit.keys
        return keys.public_jwks()


async def _ping_database(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        conn = await conn.execution_options(**{READ_ONLY: True})
        await conn.execute(text("SELECT 1"))


async def _check(probe: Awaitable[Any]) -> str:
    try:
        await asyncio.wait_for(probe, timeout=3.0)
    except Exception:
        return "unreachable"
    return "ok"


def _serve_spa(app: FastAPI, dist: Path) -> None:
    dist = dist.resolve()
    index = dist / "index.html"

    @app.get("/{path:path}", include_in_schema=False)
    async def spa(path: str) -> Response:
        if path.startswith(("api/", "docs", "openapi.json")):
            from starlette.exceptions import HTTPException

            raise HTTPException(404)
        candidate = (dist / path).resolve()
        if path and dist in candidate.parents and candidate.is_file():
            cache = "public, max-age=31536000, immutable" if "/assets/" in f"/{path}" else "no-cache"
            return FileResponse(candidate, headers={"Cache-Control": cache})
        if index.is_file():
            return FileResponse(index, headers={"Cache-Control": "no-cache"})
        return JSONResponse(
            {"detail": "The web app is not built. Run `make run` (it builds frontend/) or use /docs."}, 503
        )


def _problems_everywhere(schema: dict[str, Any]) -> None:
    """Every operation with a body may answer 400 (malformed body); every 422 is a Problem.

    Done once here rather than on each route, so a route added later is documented right.
    """
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for path_item in schema.get("paths", {}).values():
        for op in path_item.values():
            if not isinstance(op, dict) or "responses" not in op:
                continue
            responses = op["responses"]
            if "requestBody" in op and "400" not in responses:
                responses["400"] = {"description": "Malformed request body", "content": problem}
            if "422" in responses:
                responses["422"] = {
                    "description": responses["422"].get("description", "Invalid input"),
                    "content": problem,
                }
    comps = schema.get("components", {}).get("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        if unused in comps and unused not in json.dumps(schema.get("paths", {})):
            comps.pop(unused)


def _declare_problem_schema(app: FastAPI) -> None:
    """Make sure `Problem` is in components even before any route references it."""
    original = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = original()
        comps = schema.setdefault("components", {}).setdefault("schemas", {})
        if "Problem" not in comps:
            comps["Problem"] = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, sub in (
            Problem.model_json_schema(ref_template="#/components/schemas/{model}").get("$defs", {}).items()
        ):
            comps.setdefault(name, sub)
        comps["Problem"].pop("$defs", None)
        _problems_everywhere(schema)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
