"""E-mail goes through an outbox row written in the caller's transaction; the worker sends it.

A rolled-back request therefore never sends mail, and a crash after commit never loses it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.notifications.models import OutboxMessage
from services.common.clock import utcnow

_TEMPLATES = Path(__file__).parent / "templates"
_env = Environment(
    loader=FileSystemLoader(_TEMPLATES),
    undefined=StrictUndefined,
    autoescape=select_autoescape(enabled_extensions=("html",)),
    keep_trailing_newline=True,
)

LANGUAGES = ("en", "es")

# Woken after a commit that queued mail, so the in-process worker sends at once.
outbox_wakeup = asyncio.Event()


def render(template: str, language: str, **context: Any) -> tuple[str, str]:
    """Render `<language>/<template>.txt`: first line `Subject: ...`, then the body."""
    lang = language if language in LANGUAGES else "en"
    text = _env.get_template(f"{lang}/{template}.txt").render(**context)
    first, _, body = text.partition("\n")
    if not first.startswith("Subject: "):
        raise ValueError(f"template {lang}/{template} must start with a Subject: line")
    return first.removeprefix("Subject: ").strip(), body.lstrip("\n")


@dataclass(frozen=True, slots=True)
class Attachment:
    """A text file sent with an e-mail (e.g. `invite.ics`, `text/calendar; method=REQUEST`)."""

    filename: str
    content_type: str
    content: str

    def as_dict(self) -> dict[str, str]:
        return {"filename": self.filename, "content_type": self.content_type, "content": self.content}


class NotificationService:
    async def enqueue_email(
        self,
        session: AsyncSession,
        *,
        to: str,
        template: str,
        language: str = "en",
        attachments: list[Attachment] | None = None,
        **context: Any,
    ) -> OutboxMessage:
        subject, body = render(template, language, **context)
        now = utcnow()
        msg = OutboxMessage(
            kind=template,
            to_address=to,
            subject=subject,
            body_text=body,
            status="pending",
            attempts=0,
            created_at=now,
            next_attempt_at=now,
            attachments=[a.as_dict() for a in attachments] if attachments else None,
        )
        session.add(msg)
        await session.flush()
        session.sync_session.info["halcyon_outbox_touched"] = True
        return msg


notification_service = NotificationService()


def _register_wakeup() -> None:
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    @event.listens_for(Session, "after_commit")
    def _after_commit(session: Session) -> None:
        if session.info.pop("halcyon_outbox_touched", False):
            outbox_wakeup.set()


_register_wakeup()
