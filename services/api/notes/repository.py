from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.accounts.models import User
from services.api.clinicians.models import PsychiatristProfile
from services.api.notes.models import NoteAddendum, VisitNote


class NoteRepository:
    async def note(self, session: AsyncSession, note_id: uuid.UUID, *, for_update: bool = False) -> VisitNote | None:
        stmt = select(VisitNote).where(VisitNote.id == note_id)
        if for_update:
            stmt = stmt.with_for_update()  # one autosave or signature at a time (PostgreSQL)
        return (await session.scalars(stmt)).one_or_none()

    async def notes_for_patient(
        self, session: AsyncSession, patient_id: uuid.UUID, *, signed_only: bool, offset: int, limit: int
    ) -> tuple[Sequence[VisitNote], int]:
        stmt = select(VisitNote).where(VisitNote.patient_id == patient_id)
        if signed_only:
            stmt = stmt.where(VisitNote.status == "signed")
        total = await session.scalar(select(func.count()).select_from(stmt.subquery()))
        rows = (
            await session.scalars(stmt.order_by(VisitNote.visit_at.desc(), VisitNote.id).offset(offset).limit(limit))
        ).all()
        return rows, int(total or 0)

    async def addenda(
        self, session: AsyncSession, note_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, list[NoteAddendum]]:
        out: dict[uuid.UUID, list[NoteAddendum]] = {nid: [] for nid in note_ids}
        if not note_ids:
            return out
        stmt = (
            select(NoteAddendum)
            .where(NoteAddendum.note_id.in_(note_ids))
            .order_by(NoteAddendum.signed_at, NoteAddendum.id)
        )
        for row in (await session.scalars(stmt)).all():
            out[row.note_id].append(row)
        return out

    async def display_name(self, session: AsyncSession, user_id: uuid.UUID) -> str:
        """How a clinician signs: "Full Name, MD" (read-only look-up of the accounts and
        clinicians tables, whose services offer no single-user read)."""
        row = (
            await session.execute(
                select(User.full_name, PsychiatristProfile.display_name, PsychiatristProfile.credentials)
                .outerjoin(PsychiatristProfile, PsychiatristProfile.user_id == User.id)
                .where(User.id == user_id)
            )
        ).first()
        if row is None:
            return "Unknown clinician"
        full_name, display_name, credentials = row
        name = display_name or full_name
        return f"{name}, {credentials}" if credentials else name

    async def full_name(self, session: AsyncSession, user_id: uuid.UUID) -> str:
        return str(await session.scalar(select(User.full_name).where(User.id == user_id)) or "")


note_repository = NoteRepository()
