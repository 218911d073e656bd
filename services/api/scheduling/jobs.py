"""Scheduled jobs the outbox worker runs each round: due reminders become outbox e-mails.

Each round claims due reminder rows, queues one e-mail per reminder and marks the row, all in
one transaction: the mark and the e-mail commit together or not at all. On PostgreSQL the rows
are claimed with FOR UPDATE SKIP LOCKED, so a second worker skips what the first holds and
finds them marked once it commits; on SQLite the single writer serialises the rounds. Either
way each reminder becomes exactly one e-mail, however many workers run.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.api.config import Settings
from services.api.scheduling.notify import send_booking_mail
from services.api.scheduling.repository import scheduling_repository as repo
from services.common.clock import utcnow

# Expired holds are ignored by every query at once; this only tidies their status later.
HOLD_CLEANUP_AFTER = timedelta(hours=1)


async def run_due_jobs(settings: Settings, maker: async_sessionmaker[AsyncSession], *, limit: int = 100) -> int:
    """Queue the e-mails of due reminders; returns how many were queued."""
    queued = 0
    async with maker() as session, session.begin():
        now = utcnow()
        for reminder in await repo.claim_due_reminders(session, now, limit):
            booking = await repo.booking(session, reminder.booking_id)
            reminder.processed_at = now
            if booking is None or booking.status != "confirmed" or booking.starts_at <= now:
                reminder.status = "skipped"  # cancelled, moved past, or the worker was down too long
                continue
            await send_booking_mail(
                session, settings, booking, template="booking_reminder", reminder_minutes=reminder.offset_minutes
            )
            reminder.status = "enqueued"
            queued += 1
        await repo.delete_expired_holds(session, now - HOLD_CLEANUP_AFTER)
    return queued
