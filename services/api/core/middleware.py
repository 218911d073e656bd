"""Pure ASGI middleware: request ids, request context, body-size limit, access log."""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.api.core.context import RequestContext
from services.api.core.errors import PROBLEM_MEDIA_TYPE
from services.common.logging import request_id_var

log = logging.getLogger("halcyon.access")
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestContextMiddleware:
    """Gives every request an id (echoed as X-Request-ID), a context, and a size limit."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int = 1_000_000, trust_forwarded: bool = False) -> None:
        self.app = app
        self.max_body = max_body_bytes
        self.trust_forwarded = trust_forwarded

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        incoming = headers.get("x-request-id", "")
        request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        ip = scope.get("client", (None,))[0] if scope.get("client") else None
        if self.trust_forwarded and headers.get("x-forwarded-for"):
            ip = headers["x-forwarded-for"].split(",")[0].strip()[:64]
        scope.setdefault("state", {})
        scope["state"]["ctx"] = RequestContext(
            request_id=request_id, ip=ip, user_agent=headers.get("user-agent", "")[:300] or None
        )
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status_holder: dict[str, int] = {}
        try:
            if scope["type"] == "http":
                length = headers.get("content-length")
                if length is not None and (not length.isdigit() or int(length) > self.max_body):
                    await self._too_large(send, request_id)
                    return
                receive = self._limited(receive)

            async def send_with_id(message: Message) -> None:
                if message["type"] == "http.response.start":
                    status_holder["status"] = message["status"]
                    message.setdefault("headers", [])
                    message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
                await send(message)

            await self.app(scope, receive, send_with_id)
        finally:
            if scope["type"] == "http":
                log.info(
                    "request",
                    extra={
                        "method": scope.get("method"),
                        "route": getattr(scope.get("route"), "path", None),  # the template: no ids in logs
                        "status": status_holder.get("status"),
                        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    },
                )
            request_id_var.reset(token)

    def _limited(self, receive: Receive) -> Receive:
        seen = 0
        limit = self.max_body

        async def wrapped() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge()
            return message

        return wrapped

    async def _too_large(self, send: Send, request_id: str) -> None:
        body: dict[str, Any] = {
            "type": "https://halcyon.health/problems/too-large",
            "title": "Request too large",
            "status": 413,
            "detail": f"Send at most {self.max_body} bytes.",
            "errors": [],
            "request_id": request_id,
        }
        raw = json.dumps(body).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                    (b"content-length", str(len(raw)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": raw})


class BodyTooLarge(Exception):
    pass
