"""Structured logging with a request id on every line and no patient data.

Log calls pass opaque ids only; the formatter additionally drops any `extra` key that is
not on an allow-list so a careless `extra={"email": ...}` never reaches the log sink.
"""

from __future__ import annotations

import json
import logging
import sys
from contextvars import ContextVar
from typing import Any

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)

ALLOWED_EXTRA = frozenset(
    {"method", "path", "status", "duration_ms", "user_id", "session_id", "consult_id", "event", "route"}
)


_base_factory = logging.getLogRecordFactory()


def _record_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
    # Stamp the request id when the record is made: handlers may format it later.
    record = _base_factory(*args, **kwargs)
    record.request_id = request_id_var.get() or "-"
    return record


logging.setLogRecordFactory(_record_factory)

# Third-party loggers whose DEBUG lines can carry SQL parameters or headers.
NOISY_LOGGERS = ("aiosqlite", "asyncpg", "sqlalchemy.engine", "httpx", "httpcore", "asyncio", "mail.log")


def quiet_third_party() -> None:
    for name in NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        for key in ALLOWED_EXTRA:
            if key in record.__dict__:
                payload[key] = record.__dict__[key]
        if record.exc_info:
            payload["exc"] = self.formatException(record.exc_info)
        return json.dumps(payload, default=str)


def configure_logging(level: str = "INFO", *, as_json: bool = False) -> None:
    handler = logging.StreamHandler(sys.stderr)
    if as_json:
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    quiet_third_party()
