"""Psychiatrist profiles and licences (scheduling builds availability on top of these).

Psychiatrists edit their own profile and licences; admins edit anyone's. A licence counts
for booking in its state until the end of its expiry date.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.audit import service as audit
from services.api.clinicians.models import License, PsychiatristProfile
from services.api.core.context import Actor, RequestContext, Role
from services.api.core.errors import Forbidden, NotFound


class PsychiatristNotFound(NotFound):
    title = "Psychiatrist not found"
    type_slug = "psychiatrist-not-found"


class LicenseNotFound(NotFound):
    title = "Licence not found"
    type_slug = "license-not-found"


class NotYourProfile(Forbidden):
    title = "Psychiatrists edit only their own profile and schedule"
    type_slug = "not-your-profile"


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

    # --- reading -------------------------------------------------------------------------
    async def get(self, session: AsyncSession, psychiatrist_id: uuid.UUID) -> PsychiatristProfile:
        profile = await session.get(PsychiatristProfile, psychiatrist_id)
        if profile is None:
            raise PsychiatristNotFound()
        return profile

    async def licenses(self, session: AsyncSession, psychiatrist_id: uuid.UUID) -> list[License]:
        rows = await session.scalars(
            select(License).where(License.psychiatrist_id == psychiatrist_id).order_by(License.state)
        )
        return list(rows.all())

    async def licensed_in(
        self, session: AsyncSession, *, state: str, on_date: date, language: str | None = None
    ) -> list[tuple[PsychiatristProfile, date]]:
        """Psychiatrists holding a licence in `state` unexpired on `on_date`, with its expiry date."""
        rows = (
            await session.execute(
                select(PsychiatristProfile, License.expires_on)
                .join(License, License.psychiatrist_id == PsychiatristProfile.user_id)
                .where(License.state == state, License.expires_on >= on_date)
                .order_by(PsychiatristProfile.display_name, PsychiatristProfile.user_id)
            )
        ).all()
        found = [(p, exp) for p, exp in rows]
        if language:
            found = [(p, exp) for p, exp in found if language in (p.languages or [])]
        return found

    async def license_in(self, session: AsyncSession, psychiatrist_id: uuid.UUID, state: str) -> License | None:
        return await session.scalar(
            select(License).where(License.psychiatrist_id == psychiatrist_id, License.state == state)
        )

    # --- editing -------------------------------------------------------------------------
    def ensure_may_edit(self, actor: Actor, psychiatrist_id: uuid.UUID) -> None:
        """Psychiatrists edit their own profile and schedule; admins anyone's.

        Callers look the profile up first: an unknown psychiatrist is a 404 for everyone
        (profiles are public), someone else's a 403.
        """
        if actor.role == Role.admin:
            return
        if actor.role == Role.psychiatrist and actor.user_id == psychiatrist_id:
            return
        raise NotYourProfile()

    async def update_profile(
        self,
        session: AsyncSession,
        ctx: RequestContext,
        actor: Actor,
        psychiatrist_id: uuid.UUID,
        changes: dict[str, Any],
    ) -> PsychiatristProfile:
        profile = await self.get(session, psychiatrist_id)
        self.ensure_may_edit(actor, psychiatrist_id)
        allowed = {"display_name", "credentials", "bio", "languages", "time_zone"}
        for key, value in changes.items():
            if key in allowed and value is not None:
                setattr(profile, key, list(dict.fromkeys(value)) if key == "languages" else value)
        await session.flush()
        audit.record(
            session,
            ctx,
            action="psychiatrist.profile_updated",
            subject_type="psychiatrist",
            subject_id=psychiatrist_id,
            detail={"fields": sorted(k for k in changes if k in allowed)},
        )
        return profile

    async def put_license(
        self,
        session: AsyncSession,
        ctx: RequestContext,
        actor: Actor,
        psychiatrist_id: uuid.UUID,
        *,
        state: str,
        number: str,
        expires_on: date,
    ) -> License:
        """Add a licence for a state or renew the one there (new number or expiry)."""
        await self.get(session, psychiatrist_id)
        self.ensure_may_edit(actor, psychiatrist_id)
        lic = await self.license_in(session, psychiatrist_id, state)
        if lic is None:
            lic = await self.add_license(
                session, psychiatrist_id=psychiatrist_id, state=state, number=number, expires_on=expires_on
            )
        else:
            lic.number = number
            lic.expires_on = expires_on
            await session.flush()
        audit.record(
            session,
            ctx,
            action="psychiatrist.license_saved",
            subject_type="license",
            subject_id=lic.id,
            detail={"psychiatrist_id": str(psychiatrist_id), "state": state, "expires_on": expires_on.isoformat()},
        )
        return lic

    async def remove_license(
        self, session: AsyncSession, ctx: RequestContext, actor: Actor, psychiatrist_id: uuid.UUID, state: str
    ) -> None:
        await self.get(session, psychiatrist_id)
        self.ensure_may_edit(actor, psychiatrist_id)
        lic = await self.license_in(session, psychiatrist_id, state)
        if lic is None:
            raise LicenseNotFound(f"No licence in {state} is on file for this psychiatrist.")
        await session.execute(delete(License).where(License.id == lic.id))
        audit.record(
            session,
            ctx,
            action="psychiatrist.license_removed",
            subject_type="license",
            subject_id=lic.id,
            detail={"psychiatrist_id": str(psychiatrist_id), "state": state},
        )

    async def directory(self, session: AsyncSession) -> Sequence[tuple[PsychiatristProfile, list[License]]]:
        profiles = (await session.scalars(select(PsychiatristProfile).order_by(PsychiatristProfile.display_name))).all()
        lics = (await session.scalars(select(License))).all()
        by: dict[uuid.UUID, list[License]] = {}
        for lic in lics:
            by.setdefault(lic.psychiatrist_id, []).append(lic)
        return [(p, sorted(by.get(p.user_id, []), key=lambda x: x.state)) for p in profiles]


clinician_service = ClinicianService()
