from __future__ import annotations

import uuid

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.audit.models import AuditEntry
from services.api.config import Settings
from services.api.treatment.models import TreatmentPlan, TreatmentPlanStatusChange
from tests.api.patients.factories import intake, submit_intake
from tests.api.treatment.factories import (
    PLAN,
    active_plan,
    care_team_chart,
    create_plan,
    sign_consents,
    start_infusion,
)


async def test_a_new_plan_is_proposed_with_the_protocol_defaults(
    session: AsyncSession, settings: Settings, client: httpx.AsyncClient
) -> None:
    chart = await care_team_chart(session, settings, client)
    plan = await create_plan(client, chart, schedule_notes="Mon and Thu mornings", maintenance_interval_weeks=4)
    assert plan["status"] == "proposed"
    assert plan["indication"] == "treatment_resistant_depression"
    assert plan["induction_infusions"] == 6
    assert plan["dose_mg_per_kg"] == 0.5
    assert plan["infusion_minutes"] == 40
    assert plan["infusions_per_week"] == 2
    assert plan["maintenance_interval_weeks"] == 4
    assert (plan["induction_done"], plan["maintenance_done"], plan["history"]) == (0, 0, [])

    listed = await client.get(f"/api/patients/{chart.patient_id}/treatment-plans", headers=chart.doc_headers)
    assert [p["id"] for p in listed.json()] == [plan["id"]]


async def test_activation_waits_for_unsigned_consents_and_names_them(
    session: AsyncSession, settings: Settings, client: httpx.AsyncClient
) -> None:
    chart = await care_team_chart(session, settings, client)
    plan = await create_plan(client, chart)

    r = await client.post(
        f"/api/treatment-plans/{plan['id']}/status", json={"status": "active"}, headers=chart.doc_headers
    )
    assert r.status_code == 409, r.text
    problem = r.json()
    assert problem["type"].endswith("/plan-blocked")
    assert {e["code"] for e in problem["errors"]} == {"unsigned_consent"}
    assert "telehealth" in problem["detail"]
    assert "ketamine_treatment" in problem["detail"]
    # Nothing was written: the plan is still proposed and has no history.
    status = await session.scalar(select(TreatmentPlan.status).where(TreatmentPlan.id == uuid.UUID(plan["id"])))
    assert status == "proposed"
    changes = await session.scalar(select(func.count()).select_from(TreatmentPlanStatusChange))
    assert changes == 0

    await sign_consents(session, patient=chart.patient)
    r = await client.post(
        f"/api/treatment-plans/{plan['id']}/status",
        json={"status": "active", "reason": "Consents signed"},
        headers=chart.doc_headers,
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "active"
    assert body["activated_at"] is not None
    assert [(h["from_status"], h["to_status"], h["reason"]) for h in body["history"]] == [
        ("proposed", "active", "Consents signed")
    ]
    assert body["history"][0]["changed_by"] == str(chart.doc.id)


async def test_status_changes_follow_the_plan_lifecycle(
    session: AsyncSession, settings: Settings, client: httpx.AsyncClient
) -> None:
    chart = await care_team_chart(session, settings, client)
    proposed = await create_plan(client, chart)
    url = f"/api/treatment-plans/{proposed['id']}/status"

    r = await client.post(url, json={"status": "paused"}, headers=chart.doc_headers)
    assert r.status_code == 409
    assert r.json()["type"].endswith("/invalid-plan-transition")
    assert "proposed plan cannot become paused" in r.json()["detail"]

    await sign_consents(session, patient=chart.patient)
    for status in ("active", "paused", "active", "completed"):
        r = await client.post(url, json={"status": status}, headers=chart.doc_headers)
        assert r.status_code == 200, (status, r.text)
    assert [h["to_status"] for h in r.json()["history"]] == ["active", "paused", "active", "completed"]

    for status in ("active", "paused"):
        r = await client.post(url, json={"status": status}, headers=chart.doc_headers)
        assert r.status_code == 409, r.text
    r = await client.patch(
        f"/api/treatment-plans/{proposed['id']}", json={"induction_infusions": 4}, headers=chart.doc_headers
    )
    assert r.status_code == 409
    assert r.json()["type"].endswith("/plan-completed")


async def test_only_one_plan_of_a_patient_is_active_at_a_time(
    session: AsyncSession, settings: Settings, client: httpx.AsyncClient
) -> None:
    chart = await care_team_chart(session, settings, client)
    first = await active_plan(session, client, chart)
    second = await create_plan(client, chart, indication="ptsd")
    r = await client.post(
        f"/api/treatment-plans/{second['id']}/status", json={"status": "active"}, headers=chart.doc_headers
    )
    assert r.status_code == 409
    assert r.json()["type"].endswith("/another-plan-active")
    assert first["id"] in r.json()["detail"]


async def test_doses_outside_the_practice_limits_are_refused(
    session: AsyncSession, settings: Settings, client: httpx.AsyncClient
) -> None:
    chart = await care_team_chart(session, settings, client)
    url = f"/api/patients/{chart.patient_id}/treatment-plans"
    r = await client.post(url, json=PLAN | {"dose_mg_per_kg": 1.5}, headers=chart.doc_headers)
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "body.dose_mg_per_kg"
    assert "between 0.1 and 1.0 mg/kg" in r.json()["detail"]

    settings.infusion_dose_max_mg_per_kg = 2.0  # the limits are settings
    r = await client.post(url, json=PLAN | {"dose_mg_per_kg": 1.5}, headers=chart.doc_headers)
    assert r.status_code == 201, r.text

    plan = r.json()
    r = await client.patch(
        f"/api/treatment-plans/{plan['id']}", json={"dose_mg_per_kg": 0.05}, headers=chart.doc_headers
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "body.dose_mg_per_kg"


async def test_a_plan_can_be_changed_and_each_change_is_audited(
    session: AsyncSession, settings: Settings, client: httpx.AsyncClient
) -> None:
    chart = await care_team_chart(session, settings, client)
    plan = await create_plan(client, chart, maintenance_interval_weeks=4)
    r = await client.patch(
        f"/api/treatment-plans/{plan['id']}",
        json={"dose_mg_per_kg": 0.75, "infusions_per_week": 3, "maintenance_interval_weeks": None},
        headers=chart.doc_headers,
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["dose_mg_per_kg"], body["infusions_per_week"], body["maintenance_interval_weeks"]) == (0.75, 3, None)
    assert body["indication"] == plan["indication"]

    r = await client.get(f"/api/treatment-plans/{plan['id']}", headers=chart.doc_headers)
    assert r.status_code == 200
    actions = (
        await session.scalars(
            select(AuditEntry.action).where(AuditEntry.subject_id == plan["id"]).order_by(AuditEntry.id)
        )
    ).all()
    assert actions == ["treatment_plan.created", "treatment_plan.updated", "treatment_plan.read"]
    [updated] = (await session.scalars(select(AuditEntry).where(AuditEntry.action == "treatment_plan.updated"))).all()
    assert updated.detail["fields"] == ["dose_mg_per_kg", "infusions_per_week", "maintenance_interval_weeks"]
    assert updated.patient_id == chart.patient.id
    assert updated.actor_id == chart.doc.id


async def test_unreviewed_contraindication_flags_gate_the_plan_and_each_infusion(
    session: AsyncSession, settings: Settings, client: httpx.AsyncClient
) -> None:
    chart = await care_team_chart(session, settings, client)
    r = await submit_intake(client, chart.patient_headers, intake(**{"medical_history.seizures": True}))
    assert r.status_code == 200, r.text
    plan = await create_plan(client, chart)
    url = f"/api/treatment-plans/{plan['id']}/status"

    # Both blockers are named at once.
    r = await client.post(url, json={"status": "active"}, headers=chart.doc_headers)
    assert r.status_code == 409
    errors = r.json()["errors"]
    assert {(e["field"], e["code"]) for e in errors} == {
        ("screening_flags", "unreviewed_flag"),
        ("consents", "unsigned_consent"),
    }
    assert "'seizures' has not been reviewed" in r.json()["detail"]

    await sign_consents(session, patient=chart.patient)
    r = await client.post(url, json={"status": "active"}, headers=chart.doc_headers)
    assert r.status_code == 409
    assert [e["code"] for e in r.json()["errors"]] == ["unreviewed_flag"]

    flags = (await client.get(f"/api/patients/{chart.patient_id}/screening/flags", headers=chart.doc_headers)).json()
    [seizures] = [f for f in flags if f["rule_id"] == "seizures"]
    r = await client.post(
        f"/api/patients/{chart.patient_id}/screening/flags/{seizures['id']}/review",
        json={"decision": "override", "reason": "One febrile seizure in childhood; neurology cleared."},
        headers=chart.doc_headers,
    )
    assert r.status_code == 200, r.text
    r = await client.post(url, json={"status": "active"}, headers=chart.doc_headers)
    assert r.status_code == 200, r.text

    # A new flag after activation holds the next infusion until it is reviewed.
    r = await submit_intake(client, chart.patient_headers, intake(**{"substance_use.stimulant_use_current": True}))
    assert r.status_code == 200, r.text
    r = await start_infusion(client, chart, plan["id"])
    assert r.status_code == 409
    assert r.json()["type"].endswith("/plan-blocked")
    assert "current_stimulant_use" in r.json()["detail"]
