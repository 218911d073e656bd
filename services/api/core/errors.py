"""Typed errors carrying their HTTP status, rendered as RFC 9457 problem details."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, Field

PROBLEM_MEDIA_TYPE = "application/problem+json"


class FieldError(BaseModel):
    field: str = Field(description="Dotted path of the offending input, e.g. `body.email`.")
    message: str
    code: str = "invalid"


class Problem(BaseModel):
    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    errors: list[FieldError] = Field(default_factory=list)
    request_id: str | None = None
    retry_after: int | None = Field(default=None, description="Seconds to wait, for 429.")


class HalcyonError(Exception):
    """Base for every error a service raises on purpose."""

    status: ClassVar[int] = 400
    title: ClassVar[str] = "Bad request"
    type_slug: ClassVar[str] = "bad-request"

    def __init__(
        self,
        detail: str | None = None,
        *,
        errors: list[FieldError] | None = None,
        headers: dict[str, str] | None = None,
        retry_after: int | None = None,
        keep_changes: bool = False,
    ) -> None:
        super().__init__(detail or self.title)
        self.detail = detail
        self.errors = errors or []
        self.headers = headers or {}
        self.retry_after = retry_after
        # True when the transaction must still commit (e.g. revoking a session on token
        # reuse, auditing a failed sign-in) even though the request answers with an error.
        self.keep_changes = keep_changes

    @classmethod
    def on_field(cls, field: str, message: str, code: str = "invalid") -> HalcyonError:
        return cls(message, errors=[FieldError(field=field, message=message, code=code)])

    def to_problem(self, request_id: str | None) -> Problem:
        return Problem(
            type=f"https://halcyon.health/problems/{self.type_slug}",
            title=self.title,
            status=self.status,
            detail=self.detail,
            errors=self.errors,
            request_id=request_id,
            retry_after=self.retry_after,
        )


class BadRequest(HalcyonError):
    pass


class Unauthorized(HalcyonError):
    status = 401
    title = "Sign-in required"
    type_slug = "unauthorized"


class Forbidden(HalcyonError):
    status = 403
    title = "Not allowed"
    type_slug = "forbidden"


class NotFound(HalcyonError):
    status = 404
    title = "Not found"
    type_slug = "not-found"


class Conflict(HalcyonError):
    status = 409
    title = "Conflict"
    type_slug = "conflict"


class Gone(HalcyonError):
    status = 410
    title = "No longer available"
    type_slug = "gone"


class Unprocessable(HalcyonError):
    status = 422
    title = "Invalid input"
    type_slug = "validation"


class TooManyRequests(HalcyonError):
    status = 429
    title = "Too many attempts"
    type_slug = "too-many-requests"


def problem(*errors: type[HalcyonError], description: str | None = None) -> dict[str, Any]:
    """OpenAPI `responses` entry for one status code, listing the errors that produce it."""
    titles = "; ".join(e.title for e in errors)
    return {
        "model": Problem,
        "description": description or titles,
        "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }


def responses(*errors: type[HalcyonError]) -> dict[int | str, dict[str, Any]]:
    """Group errors by status into an OpenAPI `responses` mapping."""
    by_status: dict[int, list[type[HalcyonError]]] = {}
    for err in errors:
        by_status.setdefault(err.status, []).append(err)
    return {status: problem(*errs) for status, errs in sorted(by_status.items())}
