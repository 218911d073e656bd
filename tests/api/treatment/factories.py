"""Keyword-only async factories for the chart's treatment side (also used by the notes tests)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.config import Settings
from services.api.consents.schemas import ConsentSign
from services.api.consents.service import consent_service
from services.api.core.context import Actor, RequestContext, Role
from services.api.patients.service import patient_service
from services.api.scales.schemas import ScaleAnswers
from services.api.scales.service import scale_service
from services.common.clock import clock
from tests.factories import Account, create_patient, create_staff, sign_in

CTX = RequestContext(request_id="test-factory")


@dataclass
class Chart:
    """A patient with a psychiatrist on their care team, both signed in."""

    patient: Account
    doc: Account
    patient_headers: dict[str, str]
    doc_headers: dict[str, str]

    @property
    def patient_id(self) -> str:
        return str(self.patient.id)


async def care_team_chart(session: AsyncSession, settings: Settings, client: httpx.AsyncClient) -> Chart:
    patient = await create_patient(session)
    doc = await create_staff(session, settings)
    await patient_service.add_to_care_team(session, patient_id=patient.id, psychiatrist_id=doc.id, reason="booking")
    await session.commit()
    return Chart(patient, doc, await sign_in(client, patient), await sign_in(client, doc))


async def sign_consents(session: AsyncSession, *, patient: Account) -> None:
    """The patient signs every required consent's current version (as the consents API does)."""
    actor = Actor(patient.id, Role.patient)
    for kind in consent_service.required:
        doc = consent_service.current(kind)
        body = ConsentSign(
            version=doc.version,
            language="en",
            text_sha256=doc.sha256("en"),
            typed_name="Pat Example",
            agree=True,
        )
        await consent_service.sign(session, CTX, actor, kind, body)
    await session.commit()


def phq9_answers(total: int) -> dict[str, int]:
    """PHQ-9 answers adding up to `total` with item 9 (self-harm) at 0."""
    assert 0 <= total <= 24
    answers = {str(i): 0 for i in range(1, 10)}
    for i in range(1, 9):
        answers[str(i)] = min(3, total)
        total -= answers[str(i)]
    return answers


async def record_score(
    session: AsyncSession, settings: Settings, *, patient: Account, at: datetime, scale: str = "phq9", total: int
) -> None:
    """A patient's own scale result, entered at `at` (the clock is put back afterwards)."""
    answers = phq9_answers(total) if scale == "phq9" else {str(i): 0 for i in range(1, 8)}
    clock.freeze(at)
    try:
        body = ScaleAnswers(scale=scale, language="en", answers=answers)  # type: ignore[arg-type]
        await scale_service.record(session, CTX, Actor(patient.id, Role.patient), patient.id, body, settings)
        await session.commit()
    finally:
        clock.unfreeze()


PLAN = {"indication": "treatment_resistant_depression", "induction_infusions": 6, "dose_mg_per_kg": 0.5}
PRE_VITALS = {"systolic": 128, "diastolic": 82, "heart_rate": 74, "spo2": 98}


async def create_plan(client: httpx.AsyncClient, chart: Chart, **overrides: Any) -> dict[str, Any]:
    r = await client.post(
        f"/api/patients/{chart.patient_id}/treatment-plans", json=PLAN | overrides, headers=chart.doc_headers
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


async def active_plan(
    session: AsyncSession, client: httpx.AsyncClient, chart: Chart, **overrides: Any
) -> dict[str, Any]:
    """A plan made active: the patient has signed the consents and has no unreviewed flags."""
    await sign_consents(session, patient=chart.patient)
    plan = await create_plan(client, chart, **overrides)
    r = await client.post(
        f"/api/treatment-plans/{plan['id']}/status", json={"status": "active"}, headers=chart.doc_headers
    )
    assert r.status_code == 200, r.text
    return dict(r.json())


async def start_infusion(client: httpx.AsyncClient, chart: Chart, plan_id: str, **overrides: Any) -> httpx.Response:
    body: dict[str, Any] = {"weight_kg": 80, "lot_number": "KET-2311A", "pre_vitals": PRE_VITALS} | overrides
    return await client.post(f"/api/treatment-plans/{plan_id}/sessions", json=body, headers=chart.doc_headers)


async def complete_infusion(client: httpx.AsyncClient, chart: Chart, session_id: str) -> dict[str, Any]:
    """Vitals at every timepoint, CADSS-6, then discharge."""
    for timepoint in ("min_15", "min_30", "min_45", "end", "discharge"):
        r = await client.put(
            f"/api/infusion-sessions/{session_id}/vitals/{timepoint}", json=PRE_VITALS, headers=chart.doc_headers
        )
        assert r.status_code == 200, r.text
    r = await client.patch(
        f"/api/infusion-sessions/{session_id}", json={"cadss6_items": [1, 1, 0, 0, 1, 0]}, headers=chart.doc_headers
    )
    assert r.status_code == 200, r.text
    r = await client.post(
        f"/api/infusion-sessions/{session_id}/discharge",
        json={"alert": True, "vitals_near_baseline": True, "escort_present": True},
        headers=chart.doc_headers,
    )
    assert r.status_code == 200, r.text
    return dict(r.json())
