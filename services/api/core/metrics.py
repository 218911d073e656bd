"""Prometheus metrics for the API: request rate, latency and errors per route, and the job queue.

Labels carry the route *template* (`/api/patients/{patient_id}`), never the raw path, so no id,
e-mail or other patient data can reach a label, and the number of series stays bounded by the
number of routes. A request that matches no route is counted under `route="unmatched"`.

Each app has its own registry (tests build many apps in one process; one process serves one
app in production, so no multiprocess mode is needed). The outbox gauges are read from the
database when `/metrics` is scraped, so every API instance reports the same queue.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import datetime

from fastapi import FastAPI, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from sqlalchemy import column, func, select, table
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.api.core.db import READ_ONLY, UTCDateTime
from services.common.clock import utcnow

log = logging.getLogger(__name__)

UNMATCHED = "unmatched"
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_SCRAPE_QUERY_TIMEOUT = 3.0

# The e-mail outbox, read without importing the notifications domain (core stays domain-free).
_outbox = table("outbox_messages", column("status"), column("created_at", UTCDateTime()))
OUTBOX_STATES = ("pending", "failed")


class ApiMetrics:
    """The API's collectors, on a registry of their own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "halcyon_http_requests",
            "HTTP requests answered, by method, route template and status code.",
            ("method", "route", "status"),
            registry=self.registry,
        )
        self.errors = Counter(
            "halcyon_http_request_errors",
            "HTTP requests that ended in a server error (5xx or an unhandled exception).",
            ("method", "route"),
            registry=self.registry,
        )
        self.latency = Histogram(
            "halcyon_http_request_duration_seconds",
            "Time from receiving a request to the end of its answer, by method and route template.",
            ("method", "route"),
            buckets=_BUCKETS,
            registry=self.registry,
        )
        self.in_progress = Gauge(
            "halcyon_http_requests_in_progress", "HTTP requests being handled now.", registry=self.registry
        )
        self.outbox = Gauge(
            "halcyon_outbox_messages",
            "E-mail jobs in the outbox: pending (queued or retrying) and failed (gave up after every attempt).",
            ("status",),
            registry=self.registry,
        )
        self.outbox_oldest = Gauge(
            "halcyon_outbox_oldest_pending_age_seconds",
            "Age of the oldest pending e-mail job (0 when none): grows when no worker is sending.",
            registry=self.registry,
        )
        self.scrape_errors = Counter(
            "halcyon_metrics_scrape_errors",
            "Scrapes whose database part (the outbox gauges) could not be read.",
            registry=self.registry,
        )

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        method = method if method in _METHODS else "OTHER"
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(seconds)
        if status >= 500:
            self.errors.labels(method, route).inc()

    async def refresh_outbox(self, engine: object) -> None:
        """Read the outbox counts now (called on each scrape). Uses `engine.connect()` only."""
        try:
            async with engine.connect() as conn:  # type: ignore[attr-defined]
                conn = await conn.execution_options(**{READ_ONLY: True})
                counts = await asyncio.wait_for(
                    conn.execute(
                        select(_outbox.c.status, func.count())
                        .where(_outbox.c.status.in_(OUTBOX_STATES))
                        .group_by(_outbox.c.status)
                    ),
                    timeout=_SCRAPE_QUERY_TIMEOUT,
                )
                by_status = {str(status): int(n) for status, n in counts.all()}
                oldest: datetime | None = (
                    await asyncio.wait_for(
                        conn.execute(select(func.min(_outbox.c.created_at)).where(_outbox.c.status == "pending")),
                        timeout=_SCRAPE_QUERY_TIMEOUT,
                    )
                ).scalar()
        except Exception as exc:
            self.scrape_errors.inc()
            log.warning("metrics: could not read the outbox: %s", type(exc).__name__)
            return
        for status in OUTBOX_STATES:
            self.outbox.labels(status).set(by_status.get(status, 0))
        age = (utcnow() - oldest).total_seconds() if oldest is not None else 0.0
        self.outbox_oldest.set(max(age, 0.0))

    def render(self) -> bytes:
        return generate_latest(self.registry)


def route_template(scope: Scope) -> str:
    """The matched route's path template, or `unmatched`: never the raw path."""
    route = scope.get("route")
    path = getattr(route, "path_format", None) or getattr(route, "path", None)
    return str(path) if path else UNMATCHED


class MetricsMiddleware:
    """Pure ASGI: times every HTTP request and counts it under its route template."""

    def __init__(self, app: ASGIApp, *, metrics: ApiMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # an exception before the answer started is a server error

        async def send_and_record_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        self.metrics.in_progress.inc()
        try:
            await self.app(scope, receive, send_and_record_status)
        finally:
            self.metrics.in_progress.dec()
            self.metrics.observe(
                str(scope.get("method", "")), route_template(scope), status, time.perf_counter() - started
            )


def install_metrics(app: FastAPI) -> ApiMetrics:
    """Count every request and serve `GET /metrics` (Prometheus text format; not in OpenAPI)."""
    metrics = ApiMetrics()
    app.state.metrics = metrics
    app.add_middleware(MetricsMiddleware, metrics=metrics)

    @app.get("/metrics", include_in_schema=False)
    async def prometheus_metrics(request: Request) -> Response:
        await metrics.refresh_outbox(request.app.state.engine)
        return Response(metrics.render(), media_type=CONTENT_TYPE_LATEST)

    return metrics
