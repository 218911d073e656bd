from __future__ import annotations

import asyncio
import uuid

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.api.config import Settings
from services.api.core.db import make_engine, make_sessionmaker
from services.api.notifications.models import OutboxMessage
from services.api.notifications.service import notification_service, render
from services.api.notifications.worker import deliver_due
from services.common.clock import clock, utcnow
from tests.support.mail import SmtpSink


def test_templates_exist_in_both_languages_with_a_subject() -> None:
    for lang in ("en", "es"):
        subject, body = render("password_reset", lang, name="N", practice="P", link="http://x/y?token=t", minutes=30)
        assert subject
        assert "http://x/y?token=t" in body
    assert render("verify_email", "es", name="N", practice="P", link="L", hours=48)[0].startswith("Confirme")
    # An unknown language falls back to English rather than failing.
    assert render("verify_email", "fr", name="N", practice="P", link="L", hours=48)[0].startswith("Confirm your")


async def test_two_workers_send_each_message_exactly_once(
    database_url: str, settings: Settings, smtp: SmtpSink
) -> None:
    engine = make_engine(database_url)
    maker = make_sessionmaker(engine)
    tag = uuid.uuid4().hex[:8]
    addresses = [f"once.{tag}.{i}@example.org" for i in range(20)]
    try:
        async with maker() as s:
            for a in addresses:
                await notification_service.enqueue_email(
                    s, to=a, template="password_changed", language="en", name="N", practice="P", reset_link="L"
                )
            await s.commit()
        sent = await asyncio.wait_for(
            asyncio.gather(
                deliver_due(settings, maker, limit=7),
                deliver_due(settings, maker, limit=7),
                deliver_due(settings, maker, limit=50),
            ),
            timeout=60,
        )
        assert sum(sent) == 20
        for a in addresses:
            assert len(smtp.to(a)) == 1, a
        async with maker() as s:
            rows = (await s.scalars(select(OutboxMessage).where(OutboxMessage.to_address.in_(addresses)))).all()
            assert {r.status for r in rows} == {"sent"}
            assert all(r.body_text == "" for r in rows)  # single-use links do not linger
            await s.execute(delete(OutboxMessage).where(OutboxMessage.to_address.in_(addresses)))
            await s.commit()
    finally:
        await engine.dispose()


async def test_failed_sends_are_recorded_and_retried_with_backoff(
    session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, smtp: SmtpSink
) -> None:
    address = f"retry.{uuid.uuid4().hex[:8]}@example.org"
    msg = await notification_service.enqueue_email(
        session, to=address, template="password_changed", language="en", name="N", practice="P", reset_link="L"
    )
    await session.commit()
    from tests.support.mail import free_port

    down = settings.model_copy(update={"smtp_port": free_port()})  # nothing listens there
    assert await deliver_due(down, sessionmaker) == 0
    await session.refresh(msg)
    assert msg.status == "pending"
    assert msg.attempts == 1
    assert msg.last_error
    assert msg.next_attempt_at > utcnow()
    # Not due yet: nothing is sent even though the relay is back.
    assert await deliver_due(settings, sessionmaker) == 0
    clock.freeze(msg.next_attempt_at)
    assert await deliver_due(settings, sessionmaker) == 1
    assert len(smtp.to(address)) == 1
