"""Queries of the consults domain."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.consults.models import CallEvent, Consult, ConsultMessage


class ConsultRepository:
    async def get(self, session: AsyncSession, booking_id: uuid.UUID, *, lock: bool = False) -> Consult | None:
        if lock and session.get_bind().dialect.name == "postgresql":
            return await session.scalar(select(Consult).where(Consult.booking_id == booking_id).with_for_update())
        return await session.get(Consult, booking_id)

    async def many(self, session: AsyncSession, booking_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Consult]:
        if not booking_ids:
            return {}
        rows = await session.scalars(select(Consult).where(Consult.booking_id.in_(booking_ids)))
        return {c.booking_id: c for c in rows.all()}

    async def event_seen(self, session: AsyncSession, event_id: uuid.UUID) -> bool:
        return (await session.scalar(select(CallEvent.id).where(CallEvent.event_id == event_id))) is not None

    async def events(self, session: AsyncSession, booking_id: uuid.UUID) -> Sequence[CallEvent]:
        rows = await session.scalars(
            select(CallEvent).where(CallEvent.booking_id == booking_id).order_by(CallEvent.at, CallEvent.id)
        )
        return rows.all()

    async def message(self, session: AsyncSession, message_id: uuid.UUID) -> ConsultMessage | None:
        return await session.get(ConsultMessage, message_id)

    async def messages(self, session: AsyncSession, booking_id: uuid.UUID) -> Sequence[ConsultMessage]:
        rows = await session.scalars(
            select(ConsultMessage)
            .where(ConsultMessage.booking_id == booking_id)
            .order_by(ConsultMessage.sent_at, ConsultMessage.id)
        )
        return rows.all()


consult_repository = ConsultRepository()
