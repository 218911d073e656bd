"""Who reaches a treatment plan, an infusion session and a trend chart; no one reaches another
patient's by changing an id."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.audit.models import AuditEntry
from services.api.config import Settings
from services.api.treatment.models import InfusionSession, InfusionVitals, TreatmentPlan, TreatmentPlanStatusChange
from tests.api.treatment.factories import PLAN, PRE_VITALS, Chart, active_plan, care_team_chart, start_infusion
from tests.factories import create_staff, sign_in


def chart_routes(patient_id: str, plan_id: str, session_id: str) -> list[tuple[str, str, dict[str, Any] | None]]:
    """Every staff route of this domain, aimed at one patient's records."""
    return [
        ("GET", f"/api/patients/{patient_id}/treatment-plans", None),
        ("POST", f"/api/patients/{patient_id}/treatment-plans", PLAN),
        ("GET", f"/api/treatment-plans/{plan_id}", None),
        ("PATCH", f"/api/treatment-plans/{plan_id}", {"infusions_per_week": 1}),
        ("POST", f"/api/treatment-plans/{plan_id}/status", {"status": "paused"}),
        ("GET", f"/api/treatment-plans/{plan_id}/progress", None),
        ("GET", f"/api/treatment-plans/{plan_id}/sessions", None),
        ("GET", f"/api/treatment-plans/{plan_id}/sessions/prefill", None),
        ("POST", f"/api/treatment-plans/{plan_id}/sessions", {"weight_kg": 70, "pre_vitals": PRE_VITALS}),
        ("GET", f"/api/infusion-sessions/{session_id}", None),
        ("PATCH", f"/api/infusion-sessions/{session_id}", {"clinician_notes": "changed"}),
        ("PUT", f"/api/infusion-sessions/{session_id}/vitals/min_15", PRE_VITALS),
        (
            "POST",
            f"/api/infusion-sessions/{session_id}/discharge",
            {"alert": True, "vitals_near_baseline": True, "escort_present": True},
        ),
        ("GET", f"/api/patients/{patient_id}/trends", None),
        ("GET", f"/api/patients/{patient_id}/treatment-readiness", None),
    ]


async def _snapshot(session: AsyncSession) -> tuple[int, ...]:
    counts = []
    for model in (TreatmentPlan, TreatmentPlanStatusChange, InfusionSession, InfusionVitals):
        counts.append(int(await session.scalar(select(func.count()).select_from(model)) or 0))
    plans = (await session.scalars(select(TreatmentPlan.updated_at))).all()
    infusions = (await session.scalars(select(InfusionSession.updated_at))).all()
    return (*counts, hash(tuple(sorted(plans))), hash(tuple(sorted(infusions))))


async def _b_with_an_infusion(
    session: AsyncSession, settings: Settings, client: httpx.AsyncClient
) -> tuple[Chart, dict[str, Any], dict[str, Any]]:
    b = await care_team_chart(session, settings, client)
    plan = await active_plan(session, client, b)
    infusion = (await start_infusion(client, b, plan["id"])).json()
    return b, plan, infusion


async def test_a_psychiatrist_off_the_care_team_reaches_nothing_and_changes_nothing(
    session: AsyncSession, settings: Settings, client: httpx.AsyncClient
) -> None:
    a = await care_team_chart(session, settings, client)  # doc A cares for patient A only
    b, plan, infusion = await _b_with_an_infusion(session, settings, client)
    before = await _snapshot(session)
    audit_before = await session.scalar(select(func.count()).select_from(AuditEntry))

    for method, url, body in chart_routes(b.patient_id, plan["id"], infusion["id"]):
        r = await client.request(method, url, json=body, headers=a.doc_headers)
        assert r.status_code == 403, (method, url, r.text)
        assert r.json()["type"].endswith("/forbidden")

    assert await _snapshot(session) == before
    assert await session.scalar(select(func.count()).select_from(AuditEntry)) == audit_before


async def test_patients_reach_only_their_own_trends_and_plans(
    session: AsyncSession, settings: Settings, client: httpx.AsyncClient
) -> None:
    a = await care_team_chart(session, settings, client)
    b, plan, infusion = await _b_with_an_infusion(session, settings, client)

    # Patient A, with patient B's ids in every staff route: refused by role, nothing shown.
    for method, url, body in chart_routes(b.patient_id, plan["id"], infusion["id"]):
        r = await client.request(method, url, json=body, headers=a.patient_headers)
        assert r.status_code == 403, (method, url, r.text)
        assert b.patient_id not in r.text
        assert plan["id"] not in r.text

    # Their own pages carry no id to change and show only their own records.
    mine = await client.get("/api/patients/me/treatment-plans", headers=a.patient_headers)
    assert mine.status_code == 200
    assert mine.json() == []
    trends = await client.get("/api/patients/me/trends", headers=a.patient_headers)
    assert trends.status_code == 200
    assert trends.json()["patient_id"] == a.patient_id
    assert trends.json()["infusions"] == []
    theirs = await client.get("/api/patients/me/trends", headers=b.patient_headers)
    assert [m["session_id"] for m in theirs.json()["infusions"]] == [infusion["id"]]


async def test_admins_see_no_clinical_content(
    session: AsyncSession, settings: Settings, client: httpx.AsyncClient
) -> None:
    b, plan, infusion = await _b_with_an_infusion(session, settings, client)
    admin = await sign_in(client, await create_staff(session, settings, role="admin"))
    routes = [*chart_routes(b.patient_id, plan["id"], infusion["id"])]
    routes += [("GET", "/api/patients/me/trends", None), ("GET", "/api/patients/me/treatment-plans", None)]
    for method, url, body in routes:
        r = await client.request(method, url, json=body, headers=admin)
        assert r.status_code == 403, (method, url, r.text)


async def test_unknown_ids_are_404_for_the_care_team(
    session: AsyncSession, settings: Settings, client: httpx.AsyncClient
) -> None:
    a = await care_team_chart(session, settings, client)
    missing = str(uuid.uuid4())
    for url, title in (
        (f"/api/treatment-plans/{missing}", "Treatment plan not found"),
        (f"/api/treatment-plans/{missing}/progress", "Treatment plan not found"),
        (f"/api/infusion-sessions/{missing}", "Infusion session not found"),
    ):
        r = await client.get(url, headers=a.doc_headers)
        assert (r.status_code, r.json()["title"]) == (404, title)
