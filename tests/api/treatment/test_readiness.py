"""What the web app needs to offer a plan's next steps: the statuses a plan may move to, and what
stands between a patient and an active plan (with codes a client can translate)."""

from __future__ import annotations

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.audit.models import AuditEntry
from services.api.config import Settings
from tests.api.patients.factories import intake, submit_intake
from tests.api.treatment.factories import active_plan, care_team_chart, create_plan, sign_consents


async def test_each_plan_says_which_statuses_it_may_move_to(
    session: AsyncSession, settings: Settings, client: httpx.AsyncClient
) -> None:
    chart = await care_team_chart(session, settings, client)
    plan = await create_plan(client, chart)
    assert plan["allowed_transitions"] == ["active"]
    url = f"/api/treatment-plans/{plan['id']}/status"

    await sign_consents(session, patient=chart.patient)
    seen = []
    for target in ("active", "paused", "completed"):
        r = await client.post(url, json={"status": target}, headers=chart.doc_headers)
        assert r.status_code == 200, r.text
        seen.append((r.json()["status"], r.json()["allowed_transitions"]))
    assert seen == [
        ("active", ["paused", "completed"]),
        ("paused", ["active", "completed"]),
        ("completed", []),
    ]
    listed = await client.get(f"/api/patients/{chart.patient_id}/treatment-plans", headers=chart.doc_headers)
    assert listed.json()[0]["allowed_transitions"] == []
    # What a plan offers is what the API accepts: a completed plan refuses every change.
    for target in ("active", "paused"):
        r = await client.post(url, json={"status": target}, headers=chart.doc_headers)
        assert r.status_code == 409


async def test_readiness_names_each_blocker_by_code_until_it_is_settled(
    session: AsyncSession, settings: Settings, client: httpx.AsyncClient
) -> None:
    chart = await care_team_chart(session, settings, client)
    r = await submit_intake(client, chart.patient_headers, intake(**{"medical_history.seizures": True}))
    assert r.status_code == 200, r.text
    url = f"/api/patients/{chart.patient_id}/treatment-readiness"

    r = await client.get(url, headers=chart.doc_headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["ready"] is False
    assert body["active_plan_id"] is None
    blockers = {(b["kind"], b["code"]): b for b in body["blockers"]}
    assert set(blockers) == {
        ("unreviewed_flag", "seizures"),
        ("unsigned_consent", "telehealth"),
        ("unsigned_consent", "ketamine_treatment"),
    }
    seizures = blockers[("unreviewed_flag", "seizures")]
    assert seizures["severity"] == "high"
    assert seizures["flag_id"] is not None
    assert blockers[("unsigned_consent", "telehealth")]["flag_id"] is None
    # The same sentences as the refusal an activation gets, for clients that show the API's words.
    plan = await create_plan(client, chart)
    refused = await client.post(
        f"/api/treatment-plans/{plan['id']}/status", json={"status": "active"}, headers=chart.doc_headers
    )
    assert refused.status_code == 409
    assert {e["message"] for e in refused.json()["errors"]} == {b["message"] for b in body["blockers"]}

    # The flag id is the one to review; signing and reviewing settle the rest.
    r = await client.post(
        f"/api/patients/{chart.patient_id}/screening/flags/{seizures['flag_id']}/review",
        json={"decision": "override", "reason": "One febrile seizure in childhood; neurology cleared."},
        headers=chart.doc_headers,
    )
    assert r.status_code == 200, r.text
    await sign_consents(session, patient=chart.patient)
    r = await client.get(url, headers=chart.doc_headers)
    assert (r.json()["ready"], r.json()["blockers"]) == (True, [])

    entries = (
        await session.scalars(
            select(AuditEntry).where(AuditEntry.action == "treatment_plan.readiness_read").order_by(AuditEntry.id)
        )
    ).all()
    assert len(entries) == 2
    assert {e.patient_id for e in entries} == {chart.patient.id}
    assert {e.actor_id for e in entries} == {chart.doc.id}


async def test_readiness_points_at_the_active_plan_and_carries_the_dose_limits(
    session: AsyncSession, settings: Settings, client: httpx.AsyncClient
) -> None:
    chart = await care_team_chart(session, settings, client)
    plan = await active_plan(session, client, chart)
    settings.infusion_dose_max_mg_per_kg = 0.8  # the limits are settings
    r = await client.get(f"/api/patients/{chart.patient_id}/treatment-readiness", headers=chart.doc_headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["active_plan_id"] == plan["id"]
    assert (body["dose_min_mg_per_kg"], body["dose_max_mg_per_kg"], body["dose_max_mg"]) == (
        settings.infusion_dose_min_mg_per_kg,
        0.8,
        settings.infusion_dose_max_mg,
    )
