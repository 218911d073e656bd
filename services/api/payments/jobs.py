"""The reconciliation job (run by `halcyon worker` each round).

- Intents whose booking no longer holds its time (the hold lapsed, was released or cancelled)
  and that nobody has paid are cancelled at Stripe, so a forgotten browser tab cannot pay for
  a time that is gone. If Stripe says the intent was paid after all, it is settled like a
  webhook would (re-take the time or refund in full).
- Payments still open after `payment_reconcile_after_minutes` are looked up at Stripe and
  synced, so a lost webhook never leaves a patient charged without a booking.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.api.config import Settings
from services.api.integrations.stripe.client import StripeRejected, StripeUnavailable
from services.api.payments.repository import payment_repository as repo
from services.api.payments.service import gateway_for, payment_service
from services.api.practice.service import PracticeSettingsCache, practice_settings_service
from services.common.clock import utcnow

log = logging.getLogger(__name__)


async def reconcile_payments(
    settings: Settings,
    maker: async_sessionmaker[AsyncSession],
    *,
    limit: int = 50,
    practice: PracticeSettingsCache | None = None,
) -> int:
    """One round; returns how many payments were looked at.

    A visit confirmed here gets the practice settings an admin changed (its reminders): from
    `practice`, the worker's cache, or read afresh without one.
    """
    gw = gateway_for(settings)
    if not gw.configured:
        return 0
    seen = 0
    async with maker() as session, session.begin():
        settings = await practice_settings_service.effective(session, settings, practice or PracticeSettingsCache())
        now = utcnow()
        for payment in await repo.unpaid_with_lapsed_hold(session, now=now, limit=limit):
            seen += 1
            try:
                intent = await gw.cancel_intent(payment.stripe_payment_intent_id)
            except (StripeUnavailable, StripeRejected) as exc:
                log.warning("could not cancel intent of payment %s: %s", payment.id, exc)
                continue
            await payment_service.apply_intent(session, None, settings, intent)
        for payment in await repo.due_for_reconciliation(
            session, before=now - timedelta(minutes=settings.payment_reconcile_after_minutes), limit=limit
        ):
            seen += 1
            try:
                intent = await gw.retrieve_intent(payment.stripe_payment_intent_id)
            except (StripeUnavailable, StripeRejected) as exc:
                log.warning("could not look up intent of payment %s: %s", payment.id, exc)
                continue
            await payment_service.apply_intent(session, None, settings, intent)
            payment.updated_at = now  # asked: wait another period before asking again
    return seen
