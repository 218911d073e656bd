"""Factories and helpers for chart tests (profile, intake, scales, safety, consents)."""

from __future__ import annotations

import copy
import uuid
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.audit.models import AuditEntry
from services.api.patients.service import patient_service
from tests.factories import Account

# A complete intake with nothing that should raise a flag.
CLEAN_INTAKE: dict[str, Any] = {
    "reasons_for_care": ["depression"],
    "psychiatric_history": {
        "diagnoses": ["Major depressive disorder, recurrent"],
        "hospitalisations": 0,
        "prior_treatments": ["psychotherapy", "antidepressants"],
        "antidepressant_trials": [
            {"medication": "sertraline", "weeks": 12, "adequate": True},
            {"medication": "bupropion", "weeks": 3, "adequate": False},
        ],
        "psychosis": False,
        "mania": False,
        "suicidal_thoughts_now": False,
        "suicide_attempt_history": False,
    },
    "medical_history": {
        "hypertension": False,
        "heart_disease": False,
        "aneurysm_or_vascular_disease": False,
        "arteriovenous_malformation": False,
        "brain_haemorrhage": False,
        "seizures": False,
        "severe_lung_disease": False,
        "severe_liver_disease": False,
    },
    "medications": [{"name": "sertraline", "dose": "100 mg", "frequency": "once a day"}],
    "no_known_allergies": True,
    "substance_use": {
        "alcohol_drinks_per_week": 2,
        "stimulant_use_current": False,
        "cannabis": "none",
        "ketamine_nonmedical_use": False,
        "substance_use_disorder": False,
    },
    "pregnancy": "not_applicable",
    "vitals": {"weight_kg": 72.5, "bp_systolic": 122, "bp_diastolic": 78},
}


def intake(**changes: Any) -> dict[str, Any]:
    """A clean complete intake with some answers changed: `intake(vitals={...})` or dotted keys
    via `intake(**{"medical_history.seizures": True})`."""
    answers = copy.deepcopy(CLEAN_INTAKE)
    for key, value in changes.items():
        node = answers
        *parents, leaf = key.split(".")
        for p in parents:
            node = node.setdefault(p, {})
        node[leaf] = value
    return answers


def phq9(total_pattern: list[int] | None = None, *, item9: int = 0) -> dict[str, int]:
    """PHQ-9 answers; items 1-8 from the pattern (default all 1), item 9 as given."""
    values = total_pattern or [1] * 8
    answers = {str(n): v for n, v in enumerate(values, start=1)}
    answers["9"] = item9
    return answers


async def on_care_team(session: AsyncSession, patient: Account, psychiatrist: Account) -> None:
    await patient_service.add_to_care_team(
        session, patient_id=patient.id, psychiatrist_id=psychiatrist.id, reason="booking"
    )
    await session.commit()


async def submit_intake(client: httpx.AsyncClient, headers: dict[str, str], answers: dict[str, Any]) -> httpx.Response:
    r = await client.put("/api/patients/me/intake/draft", json=answers, headers=headers)
    assert r.status_code == 200, r.text
    return await client.post("/api/patients/me/intake/submit", headers=headers)


async def audit_actions(session: AsyncSession, patient_id: uuid.UUID) -> list[str]:
    rows = await session.scalars(
        select(AuditEntry.action).where(AuditEntry.patient_id == patient_id).order_by(AuditEntry.id)
    )
    return list(rows)


async def count(session: AsyncSession, model: Any, **where: Any) -> int:
    stmt = select(func.count()).select_from(model)
    for key, value in where.items():
        stmt = stmt.where(getattr(model, key) == value)
    return int(await session.scalar(stmt) or 0)
