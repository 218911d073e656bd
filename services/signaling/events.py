"""Call events reported to the API: joined, admitted, connected, left, ended, chat.

Reported in the background over a signed internal call (services/common/internal.py), in
the order they happened, retried with backoff while the API is unreachable; each event
carries an id so a retry the API already applied is ignored there. The queue is bounded:
if the API stays away long enough to fill it, the oldest call's clock is what suffers, never
the live call, and a line is logged (ids only).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
from typing import Any

import httpx

from services.common.clock import utcnow
from services.common.internal import SIGNATURE_HEADER, sign_body

log = logging.getLogger(__name__)

EVENTS_PATH = "/api/internal/call-events"
RETRY_DELAYS = (0.2, 0.5, 1.0, 2.0, 5.0, 10.0)


class CallEventReporter:
    def __init__(self, api_url: str, secret: bytes, *, max_queue: int = 10000) -> None:
        self.url = api_url.rstrip("/") + EVENTS_PATH
        self._secret = secret
        self._queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=max_queue)
        self._task: asyncio.Task[None] | None = None
        self._client: httpx.AsyncClient | None = None
        self.sent = 0
        self.dropped = 0

    def start(self) -> None:
        self._client = httpx.AsyncClient(timeout=5.0)
        self._task = asyncio.create_task(self._run(), name="call-event-reporter")

    def report(
        self,
        kind: str,
        *,
        consult_id: str,
        role: str,
        user_id: str,
        chat: dict[str, str] | None = None,
        reason: str | None = None,
    ) -> None:
        event: dict[str, Any] = {
            "event_id": str(uuid.uuid4()),
            "consult_id": consult_id,
            "type": kind,
            "role": role,
            "user_id": user_id,
            "at": utcnow().isoformat(),
        }
        if chat is not None:
            event["chat"] = chat
        if reason is not None:
            event["reason"] = reason
        try:
            self._queue.put_nowait(event)
        except asyncio.QueueFull:
            self.dropped += 1
            log.error("call event queue full: dropped %s", kind, extra={"consult_id": consult_id, "event": kind})

    async def _send(self, event: dict[str, Any]) -> None:
        if self._client is None:
            raise RuntimeError("start() the reporter first")
        body = json.dumps(event, separators=(",", ":")).encode()
        for attempt, delay in enumerate((*RETRY_DELAYS, None)):
            headers = {
                "Content-Type": "application/json",
                SIGNATURE_HEADER: sign_body(self._secret, body, timestamp=int(time.time())),
            }
            try:
                r = await self._client.post(self.url, content=body, headers=headers)
            except httpx.HTTPError as exc:
                status, reason = None, type(exc).__name__
            else:
                if r.status_code < 300:
                    self.sent += 1
                    return
                status, reason = r.status_code, "refused"
                if 400 <= r.status_code < 500 and r.status_code not in (408, 429):
                    break  # the API will not take this event, however often we try
            if delay is None:
                break
            log.warning(
                "call event not delivered (attempt %d, %s %s), retrying",
                attempt + 1,
                status,
                reason,
                extra={"consult_id": event["consult_id"], "event": event["type"]},
            )
            await asyncio.sleep(delay)
        self.dropped += 1
        log.error("call event dropped (%s)", status, extra={"consult_id": event["consult_id"], "event": event["type"]})

    async def _run(self) -> None:
        while True:
            event = await self._queue.get()
            try:
                await self._send(event)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("call event reporter failed", extra={"event": event.get("type")})
            finally:
                self._queue.task_done()

    async def close(self, *, drain_seconds: float = 3.0) -> None:
        """Deliver what is queued (for up to `drain_seconds`), then stop."""
        if self._task is None:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._queue.join(), timeout=drain_seconds)
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        if self._client is not None:
            await self._client.aclose()
