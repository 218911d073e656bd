"""Call events reported to the API: joined, admitted, connected, left, ended, chat.

Reported in the background over a signed internal call (services/common/internal.py), in
the order they happened (what queued up while a request was out goes in one batch request),
retried with backoff while the API is unreachable; each event
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
BATCH_PATH = EVENTS_PATH + "/batch"
MAX_BATCH = 100  # the API's limit per batch request
RETRY_DELAYS = (0.2, 0.5, 1.0, 2.0, 5.0, 10.0)


class CallEventReporter:
    def __init__(self, api_url: str, secret: bytes, *, max_queue: int = 10000) -> None:
        self.url = api_url.rstrip("/") + EVENTS_PATH
        self.batch_url = api_url.rstrip("/") + BATCH_PATH
        self._secret = secret
        self._queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=max_queue)
        self._task: asyncio.Task[None] | None = None
        self._client: httpx.AsyncClient | None = None
        self.sent = 0
        self.dropped = 0
        self.requests = 0  # HTTP requests made (a batch carries many events; retries count)

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

    async def _post(self, url: str, body: bytes, what: dict[str, Any]) -> httpx.Response | None:
        """POST `body`, signed; retried with backoff on no answer, 5xx, 408 and 429. The last
        answer, or None if none came."""
        if self._client is None:
            raise RuntimeError("start() the reporter first")
        answer: httpx.Response | None = None
        for attempt, delay in enumerate((*RETRY_DELAYS, None)):
            headers = {
                "Content-Type": "application/json",
                SIGNATURE_HEADER: sign_body(self._secret, body, timestamp=int(time.time())),
            }
            self.requests += 1
            try:
                answer = await self._client.post(url, content=body, headers=headers)
            except httpx.HTTPError as exc:
                answer, status, reason = None, None, type(exc).__name__
            else:
                final = 400 <= answer.status_code < 500 and answer.status_code not in (408, 429)
                if answer.status_code < 300 or final:  # a 4xx: the API will not take it, however often we try
                    return answer
                status, reason = answer.status_code, "refused"
            if delay is None:
                break
            log.warning(
                "call event not delivered (attempt %d, %s %s), retrying", attempt + 1, status, reason, extra=what
            )
            await asyncio.sleep(delay)
        return answer

    async def _send(self, event: dict[str, Any]) -> None:
        what = {"consult_id": event["consult_id"], "event": event["type"]}
        answer = await self._post(self.url, json.dumps(event, separators=(",", ":")).encode(), what)
        if answer is not None and answer.status_code < 300:
            self.sent += 1
            return
        self.dropped += 1
        log.error("call event dropped (%s)", answer.status_code if answer else None, extra=what)

    async def _send_batch(self, events: list[dict[str, Any]]) -> None:
        """Several events in one request (the batch form), in order. If the API refuses the
        request as a whole (an event it cannot read, or an API without the batch form), each
        event goes on its own instead, so only an event the API refuses is lost."""
        if len(events) == 1:
            await self._send(events[0])
            return
        what = {"consult_id": events[0]["consult_id"], "event": f"{len(events)} events"}
        body = json.dumps({"events": events}, separators=(",", ":")).encode()
        answer = await self._post(self.batch_url, body, what)
        if answer is not None and answer.status_code < 300:
            for event, result in zip(events, answer.json()["results"], strict=True):
                if result["outcome"] == "refused":
                    self.dropped += 1
                    log.error(
                        "call event refused (%s)",
                        result.get("problem"),
                        extra={"consult_id": event["consult_id"], "event": event["type"]},
                    )
                else:
                    self.sent += 1
            return
        if answer is not None and answer.status_code < 500:
            for event in events:
                await self._send(event)
            return
        self.dropped += len(events)
        log.error("call events dropped (%s)", answer.status_code if answer else None, extra=what)

    async def _run(self) -> None:
        while True:
            # What queued up while the last request was out goes together in the next one.
            events = [await self._queue.get()]
            while len(events) < MAX_BATCH and not self._queue.empty():
                events.append(self._queue.get_nowait())
            try:
                await self._send_batch(events)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("call event reporter failed", extra={"event": events[0].get("type")})
            finally:
                for _ in events:
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
