"""Outbox delivery: claim due messages, send over SMTP, record the outcome, retry with backoff.

On PostgreSQL rows are claimed with FOR UPDATE SKIP LOCKED so two workers never send the
same message; SQLite's single writer gives the same guarantee in the embedded run.
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
import uuid
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.api.config import Settings
from services.api.notifications.models import OutboxMessage
from services.api.notifications.service import outbox_wakeup
from services.common.clock import utcnow

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
CLAIM_SECONDS = 120  # a claimed message is retried after this if its worker died mid-send


def _send_blocking(settings: Settings, msg: EmailMessage) -> None:
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=15) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password.get_secret_value())
        smtp.send_message(msg)


def _to_email(settings: Settings, row: OutboxMessage) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = settings.mail_from
    msg["To"] = row.to_address
    msg["Subject"] = row.subject
    msg["Message-ID"] = make_msgid(idstring=str(row.id), domain="halcyon.local")
    msg["Date"] = formatdate(usegmt=True)
    msg.set_content(row.body_text)
    for att in row.attachments or []:
        maintype, _, rest = att["content_type"].partition("/")
        subtype, *params = (p.strip() for p in rest.split(";"))
        extra = dict(p.split("=", 1) for p in params if "=" in p)
        if maintype == "text":
            msg.add_attachment(att["content"], subtype=subtype, filename=att["filename"], params=extra)
        else:
            msg.add_attachment(
                att["content"].encode(), maintype=maintype, subtype=subtype, filename=att["filename"], params=extra
            )
    return msg


async def _claim(maker: async_sessionmaker[AsyncSession], limit: int) -> list[uuid.UUID]:
    async with maker() as session, session.begin():
        now = utcnow()
        stmt = (
            select(OutboxMessage)
            .where(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now)
            .order_by(OutboxMessage.next_attempt_at)
            .limit(limit)
        )
        if session.get_bind().dialect.name == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        rows = (await session.scalars(stmt)).all()
        for row in rows:
            # Push the next attempt out: a second worker skips it until the claim lapses.
            row.next_attempt_at = now + timedelta(seconds=CLAIM_SECONDS)
            row.attempts += 1
        return [r.id for r in rows]


async def deliver_due(settings: Settings, maker: async_sessionmaker[AsyncSession], *, limit: int = 50) -> int:
    """Send every message that is due; returns how many were sent."""
    sent = 0
    for msg_id in await _claim(maker, limit):
        async with maker() as session, session.begin():
            row = await session.get(OutboxMessage, msg_id)
            if row is None or row.status != "pending":
                continue
            try:
                await asyncio.to_thread(_send_blocking, settings, _to_email(settings, row))
            except (OSError, smtplib.SMTPException) as exc:
                row.last_error = f"{type(exc).__name__}: {exc}"[:500]
                if row.attempts >= MAX_ATTEMPTS:
                    row.status = "failed"
                    log.error("mail gave up", extra={"event": "mail.failed"})
                else:
                    row.next_attempt_at = utcnow() + timedelta(seconds=min(3600, 2**row.attempts * 5))
                    log.warning("mail send failed, will retry", extra={"event": "mail.retry"})
                continue
            row.status = "sent"
            row.sent_at = utcnow()
            row.last_error = None
            # The body may hold single-use links: keep it no longer than needed.
            row.body_text = ""
            row.attachments = None
            sent += 1
    return sent


async def run_worker(
    settings: Settings,
    maker: async_sessionmaker[AsyncSession],
    *,
    poll_seconds: float = 2.0,
    stop: asyncio.Event | None = None,
) -> None:
    stop = stop or asyncio.Event()
    from services.api.payments.jobs import reconcile_payments  # unpaid intents cancelled, lost webhooks made up
    from services.api.practice.service import PracticeSettingsCache  # what an admin changed in the app
    from services.api.scheduling.jobs import run_due_jobs  # scheduled jobs (reminders) become outbox rows

    practice = PracticeSettingsCache()

    while not stop.is_set():
        try:
            await run_due_jobs(settings, maker)
        except Exception:
            log.exception("scheduled jobs round failed")
        try:
            await reconcile_payments(settings, maker, practice=practice)
        except Exception:
            log.exception("payment reconciliation round failed")
        try:
            await deliver_due(settings, maker)
        except Exception:
            log.exception("outbox delivery round failed")
        outbox_wakeup.clear()
        try:
            await asyncio.wait_for(outbox_wakeup.wait(), timeout=poll_seconds)
        except TimeoutError:
            pass
