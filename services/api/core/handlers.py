"""One place that turns every error into application/problem+json."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from services.api.core.db import UNAVAILABLE_ERRORS
from services.api.core.errors import PROBLEM_MEDIA_TYPE, FieldError, HalcyonError, Problem
from services.api.core.middleware import BodyTooLarge

log = logging.getLogger(__name__)


def _request_id(request: Request) -> str | None:
    ctx = getattr(request.state, "ctx", None)
    return ctx.request_id if ctx else None


def _render(problem: Problem, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(
        problem.model_dump(mode="json", exclude_none=True),
        status_code=problem.status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=headers,
    )


def _field_path(loc: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in loc) or "body"


_FRIENDLY = {
    "missing": "This field is required.",
    "extra_forbidden": "This field is not allowed here.",
    "json_invalid": "The request body is not valid JSON.",
}


def _validation_errors(exc: RequestValidationError) -> list[FieldError]:
    out: list[FieldError] = []
    for err in exc.errors():
        kind = str(err.get("type", "invalid"))
        msg = _FRIENDLY.get(kind) or str(err.get("msg", "Invalid value.")).removeprefix("Value error, ")
        out.append(FieldError(field=_field_path(tuple(err.get("loc", ()))), message=msg, code=kind))
    return out


RETRY_AFTER_SECONDS = 5


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(HalcyonError)
    async def _halcyon(request: Request, exc: HalcyonError) -> JSONResponse:
        return _render(exc.to_problem(_request_id(request)), exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = _validation_errors(exc)
        malformed = any(e.code == "json_invalid" for e in errors)
        problem = Problem(
            type="https://halcyon.health/problems/" + ("malformed-json" if malformed else "validation"),
            title="Malformed request body" if malformed else "Invalid input",
            status=400 if malformed else 422,
            detail="; ".join(f"{e.field}: {e.message}" for e in errors[:5]),
            errors=errors,
            request_id=_request_id(request),
        )
        return _render(problem)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400 and "parsing the body" in str(exc.detail):
            # Not UTF-8, or not parseable at all: same answer as malformed JSON.
            return _render(
                Problem(
                    type="https://halcyon.health/problems/malformed-json",
                    title="Malformed request body",
                    status=400,
                    detail="The request body could not be read as JSON.",
                    request_id=_request_id(request),
                )
            )
        titles = {404: "Not found", 405: "Method not allowed", 401: "Sign-in required", 403: "Not allowed"}
        problem = Problem(
            type=f"https://halcyon.health/problems/http-{exc.status_code}",
            title=titles.get(exc.status_code, "Request failed"),
            status=exc.status_code,
            detail=str(exc.detail) if exc.detail else None,
            request_id=_request_id(request),
        )
        return _render(problem, dict(exc.headers or {}))

    @app.exception_handler(BodyTooLarge)
    async def _too_large(request: Request, _exc: BodyTooLarge) -> JSONResponse:
        return _render(Problem(title="Request too large", status=413, request_id=_request_id(request)))

    async def _unavailable(request: Request, exc: Exception) -> JSONResponse:
        # The class only: a driver's message can name hosts, files or statements.
        log.error("a service the request needs did not answer: %s", type(exc).__name__)
        return _render(
            Problem(
                type="https://halcyon.health/problems/unavailable",
                title="Temporarily unavailable",
                status=503,
                detail="A service we depend on did not answer. Nothing was saved; try again in a moment.",
                request_id=_request_id(request),
            ),
            {"Retry-After": str(RETRY_AFTER_SECONDS)},
        )

    for error_class in UNAVAILABLE_ERRORS:
        app.add_exception_handler(error_class, _unavailable)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, _exc: Exception) -> JSONResponse:
        log.exception("unhandled error")
        return _render(
            Problem(
                type="https://halcyon.health/problems/internal",
                title="Something went wrong on our side",
                status=500,
                detail="Nothing was saved. Try again; if it keeps happening, tell the practice this request id.",
                request_id=_request_id(request),
            )
        )
