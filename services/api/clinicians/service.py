"""Psychiatrist profiles and licences (scheduling builds availability on top of these)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.clinicians.models import License, PsychiatristProfile


class ClinicianService:
    async def create_profile(
        self,
        session: AsyncSession,
        *,
        user_id: uuid.UUID,
        display_name: str,
        time_zone: str = "America/New_York",
        credentials: str = "MD",
        languages: list[str] | None = None,
        npi: str | None = None,
        bio: str = "",
    ) -> PsychiatristProfile:
        profile = PsychiatristProfile(
            user_id=user_id,
            display_name=display_name,
            credentials=credentials,
            languages=languages or ["en"],
            time_zone=time_zone,
            npi=npi,
            bio=bio,
        )
        session.add(profile)
        await session.flush()
        return profile

    async def add_license(
        self, session: AsyncSession, *, psychiatrist_id: uuid.UUID, state: str, number: str, expires_on: date
    ) -> License:
        lic = License(psychiatrist_id=psychiatrist_id, state=state, number=number, expires_on=expires_on)
        session.add(lic)
        await session.flush()
        return lic

    async def directory(self, session: AsyncSession) -> Sequence[tuple[PsychiatristProfile, list[License]]]:
        profiles = (await session.scalars(select(PsychiatristProfile).order_by(PsychiatristProfile.display_name))).all()
        lics = (await session.scalars(select(License))).all()
        by: dict[uuid.UUID, list[License]] = {}
        for lic in lics:
            by.setdefault(lic.psychiatrist_id, []).append(lic)
        return [(p, sorted(by.get(p.user_id, []), key=lambda x: x.state)) for p in profiles]


clinician_service = ClinicianService()
