"""Keyword-only async factories for scheduling tests."""

from __future__ import annotations

import uuid
from datetime import date, time

from sqlalchemy.ext.asyncio import AsyncSession

from services.api.clinicians.service import clinician_service
from services.api.config import Settings
from services.api.scheduling.models import AvailabilityOverride, AvailabilityRule, ScheduleSettings, VisitType
from services.common.clock import utcnow
from tests.factories import Account, create_staff


async def create_visit_type(
    session: AsyncSession,
    *,
    code: str | None = None,
    name: str = "Follow-up",
    duration_minutes: int = 30,
    price_cents: int = 15000,
    eligibility: str = "any",
    requires_intake: bool = False,
    requires_consents: bool = False,
    is_infusion: bool = False,
    active: bool = True,
) -> VisitType:
    vt = VisitType(
        code=code or f"vt-{uuid.uuid4().hex[:8]}",
        name=name,
        name_es=f"{name} (es)",
        description="",
        duration_minutes=duration_minutes,
        price_cents=price_cents,
        currency="usd",
        eligibility=eligibility,
        requires_intake=requires_intake,
        requires_consents=requires_consents,
        is_infusion=is_infusion,
        active=active,
        created_at=utcnow(),
    )
    session.add(vt)
    await session.commit()
    return vt


async def create_psychiatrist(
    session: AsyncSession,
    settings: Settings,
    *,
    time_zone: str = "America/Boise",
    licenses: dict[str, date] | None = None,
    hours: list[tuple[int, time, time]] | None = None,
    languages: list[str] | None = None,
    buffer_minutes: int = 0,
    step_minutes: int = 15,
    min_notice_minutes: int | None = None,
) -> Account:
    """A psychiatrist with MFA, licences (state -> expiry) and weekly hours (weekday, start, end)."""
    account = await create_staff(session, settings, role="psychiatrist", time_zone=time_zone)
    profile = await clinician_service.get(session, account.id)
    profile.languages = languages or ["en"]
    for state, expires_on in (licenses if licenses is not None else {"ID": date(2030, 1, 1)}).items():
        await clinician_service.add_license(
            session, psychiatrist_id=account.id, state=state, number=f"L-{state}", expires_on=expires_on
        )
    for weekday, start, end in hours if hours is not None else [(d, time(9), time(12)) for d in range(7)]:
        session.add(
            AvailabilityRule(
                psychiatrist_id=account.id, weekday=weekday, start_time=start, end_time=end, created_at=utcnow()
            )
        )
    session.add(
        ScheduleSettings(
            psychiatrist_id=account.id,
            buffer_minutes=buffer_minutes,
            slot_step_minutes=step_minutes,
            min_notice_minutes=min_notice_minutes,
        )
    )
    await session.commit()
    return account


async def create_override(
    session: AsyncSession, *, psychiatrist_id: uuid.UUID, on_date: date, windows: list[tuple[str, str]]
) -> None:
    session.add(
        AvailabilityOverride(
            psychiatrist_id=psychiatrist_id,
            on_date=on_date,
            windows=[list(w) for w in windows],
            created_at=utcnow(),
        )
    )
    await session.commit()
