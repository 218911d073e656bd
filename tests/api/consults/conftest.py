"""A visit between a patient (in Idaho) and a psychiatrist licensed in Idaho, at START."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.config import Settings
from services.api.scheduling.models import Booking
from services.common.clock import clock
from tests.api.consults.factories import create_booking, create_licensed_psychiatrist
from tests.factories import Account, create_patient, sign_in

START = datetime(2026, 6, 1, 16, 0, tzinfo=UTC)  # 10:00 in Boise


@dataclass
class Visit:
    booking: Booking
    patient: Account
    psychiatrist: Account
    patient_h: dict[str, str]
    psychiatrist_h: dict[str, str]


@pytest.fixture
async def visit(client: httpx.AsyncClient, session: AsyncSession, settings: Settings) -> Visit:
    clock.freeze(START - timedelta(minutes=10))
    psychiatrist = await create_licensed_psychiatrist(session, settings, states=("ID",))
    patient = await create_patient(session, state="ID")
    booking = await create_booking(session, patient=patient, psychiatrist=psychiatrist, starts_at=START)
    return Visit(booking, patient, psychiatrist, await sign_in(client, patient), await sign_in(client, psychiatrist))
