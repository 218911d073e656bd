from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.consents.models import ConsentSignature


class ConsentRepository:
    async def add(self, session: AsyncSession, row: ConsentSignature) -> None:
        session.add(row)
        await session.flush()

    async def signatures(self, session: AsyncSession, patient_id: uuid.UUID) -> Sequence[ConsentSignature]:
        return (
            await session.scalars(
                select(ConsentSignature)
                .where(ConsentSignature.patient_id == patient_id)
                .order_by(ConsentSignature.signed_at, ConsentSignature.kind)
            )
        ).all()

    async def signed(self, session: AsyncSession, patient_id: uuid.UUID, kind: str, version: str) -> bool:
        found = await session.scalar(
            select(ConsentSignature.id).where(
                ConsentSignature.patient_id == patient_id,
                ConsentSignature.kind == kind,
                ConsentSignature.version == version,
            )
        )
        return found is not None


consent_repository = ConsentRepository()
