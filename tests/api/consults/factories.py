"""Keyword-only factories and helpers for consult tests."""

from __future__ import annotations

import json
import time
import uuid
from datetime import date, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.audit.models import AuditEntry
from services.api.config import Settings
from services.api.patients.service import patient_service
from services.api.scheduling.models import Booking
from services.common.clock import utcnow
from services.common.internal import SIGNATURE_HEADER, load_or_create_secret, sign_body
from tests.api.scheduling.factories import create_psychiatrist, create_visit_type
from tests.factories import Account


async def create_booking(
    session: AsyncSession,
    *,
    patient: Account,
    psychiatrist: Account,
    starts_at: datetime,
    minutes: int = 30,
    status: str = "confirmed",
) -> Booking:
    """A booking as the scheduling domain leaves it after confirmation (care team included)."""
    visit_type = await create_visit_type(session, duration_minutes=minutes, price_cents=0)
    ends_at = starts_at + timedelta(minutes=minutes)
    booking = Booking(
        patient_id=patient.id,
        psychiatrist_id=psychiatrist.id,
        visit_type_id=visit_type.id,
        starts_at=starts_at,
        ends_at=ends_at,
        blocked_until=ends_at,
        status=status,
        price_cents=0,
        currency="usd",
        created_at=utcnow(),
        confirmed_at=utcnow() if status == "confirmed" else None,
    )
    session.add(booking)
    await patient_service.add_to_care_team(
        session, patient_id=patient.id, psychiatrist_id=psychiatrist.id, reason="booking"
    )
    await session.commit()
    return booking


async def create_licensed_psychiatrist(
    session: AsyncSession, settings: Settings, *, states: tuple[str, ...] = ("ID",)
) -> Account:
    return await create_psychiatrist(session, settings, licenses=dict.fromkeys(states, date(2030, 1, 1)))


def signed_event(settings: Settings, event: dict[str, Any], *, secret: bytes | None = None) -> dict[str, Any]:
    """The request the signaling service sends: the body and its signature header."""
    body = json.dumps(event).encode()
    key = secret if secret is not None else load_or_create_secret("", settings.var_dir)
    signature = sign_body(key, body, timestamp=int(time.time()))
    return {"content": body, "headers": {"Content-Type": "application/json", SIGNATURE_HEADER: signature}}


def call_event(
    booking: Booking,
    kind: str,
    *,
    role: str,
    at: datetime | None = None,
    chat_text: str | None = None,
    reason: str | None = None,
    event_id: uuid.UUID | None = None,
) -> dict[str, Any]:
    event: dict[str, Any] = {
        "event_id": str(event_id or uuid.uuid4()),
        "consult_id": str(booking.id),
        "type": kind,
        "role": role,
        "user_id": str(booking.patient_id if role == "patient" else booking.psychiatrist_id),
        "at": (at or utcnow()).isoformat(),
    }
    if chat_text is not None:
        event["chat"] = {"id": str(uuid.uuid4()), "text": chat_text}
    if reason is not None:
        event["reason"] = reason
    return event


async def report(client: httpx.AsyncClient, settings: Settings, event: dict[str, Any]) -> httpx.Response:
    return await client.post("/api/internal/call-events", **signed_event(settings, event))


async def audit_actions(session: AsyncSession, patient_id: uuid.UUID) -> list[str]:
    rows = await session.scalars(
        select(AuditEntry.action).where(AuditEntry.patient_id == patient_id).order_by(AuditEntry.id)
    )
    return list(rows.all())
