from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.audit.models import AuditEntry
from services.api.config import Settings
from services.api.treatment.models import InfusionSession, InfusionVitals
from services.common.clock import utcnow
from tests.api.treatment.factories import (
    PRE_VITALS,
    active_plan,
    care_team_chart,
    complete_infusion,
    create_plan,
    start_infusion,
)


async def _rows(session: AsyncSession, model: type) -> int:
    return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_an_infusion_computes_the_dose_from_the_days_weight(
    session: AsyncSession, settings: Settings, client: httpx.AsyncClient
) -> None:
    chart = await care_team_chart(session, settings, client)
    plan = await active_plan(session, client, chart)

    r = await start_infusion(client, chart, plan["id"], weight_kg=82.4)
    assert r.status_code == 201, r.text
    infusion = r.json()
    assert (infusion["weight_kg"], infusion["dose_mg_per_kg"], infusion["dose_mg"]) == (82.4, 0.5, 41.2)
    assert (infusion["sequence"], infusion["phase"], infusion["status"]) == (1, "induction", "in_progress")
    assert infusion["lot_number"] == "KET-2311A"
    [pre] = infusion["vitals"]
    assert (pre["timepoint"], pre["systolic"], pre["diastolic"], pre["heart_rate"], pre["spo2"]) == (
        "pre",
        128,
        82,
        74,
        98,
    )
    assert infusion["missing_timepoints"] == ["min_15", "min_30", "min_45", "end", "discharge"]
    assert infusion["bp_override_reason"] is None

    # The session may use another dose per kg than the plan, within the practice's limits.
    await complete_infusion(client, chart, infusion["id"])
    r = await start_infusion(client, chart, plan["id"], weight_kg=82.4, dose_mg_per_kg=0.75)
    assert r.status_code == 201, r.text
    assert (r.json()["dose_mg_per_kg"], r.json()["dose_mg"], r.json()["sequence"]) == (0.75, 61.8, 2)


async def test_a_dose_above_the_mg_limit_is_refused(
    session: AsyncSession, settings: Settings, client: httpx.AsyncClient
) -> None:
    chart = await care_team_chart(session, settings, client)
    plan = await active_plan(session, client, chart, dose_mg_per_kg=1.0)
    settings.infusion_dose_max_mg = 100
    r = await start_infusion(client, chart, plan["id"], weight_kg=120)
    assert r.status_code == 422
    assert r.json()["errors"][0]["code"] == "dose_above_maximum"
    assert "120.0 kg × 1.000 mg/kg = 120.0 mg" in r.json()["detail"]
    assert await _rows(session, InfusionSession) == 0


async def test_an_infusion_needs_an_active_plan(
    session: AsyncSession, settings: Settings, client: httpx.AsyncClient
) -> None:
    chart = await care_team_chart(session, settings, client)
    plan = await create_plan(client, chart)
    r = await start_infusion(client, chart, plan["id"])
    assert r.status_code == 409
    assert r.json()["type"].endswith("/plan-not-active")


IMPOSSIBLE: list[tuple[dict[str, object], str]] = [
    ({"pre_vitals": PRE_VITALS | {"spo2": 101}}, "body.pre_vitals.spo2"),
    ({"pre_vitals": PRE_VITALS | {"systolic": 120, "diastolic": 120}}, "body.pre_vitals.diastolic"),
    ({"pre_vitals": PRE_VITALS | {"systolic": 110, "diastolic": 130}}, "body.pre_vitals.diastolic"),
    ({"pre_vitals": PRE_VITALS | {"heart_rate": 0}}, "body.pre_vitals.heart_rate"),
    ({"weight_kg": 0}, "body.weight_kg"),
    ({"weight_kg": -70}, "body.weight_kg"),
    ({"lot_number": "x" * 41}, "body.lot_number"),
]


async def test_impossible_values_are_refused_naming_the_field(
    session: AsyncSession, settings: Settings, client: httpx.AsyncClient
) -> None:
    chart = await care_team_chart(session, settings, client)
    plan = await active_plan(session, client, chart)
    for overrides, field in IMPOSSIBLE:
        r = await start_infusion(client, chart, plan["id"], **overrides)
        assert r.status_code == 422, (overrides, r.text)
        assert field in [e["field"] for e in r.json()["errors"]], (overrides, r.text)
    assert await _rows(session, InfusionSession) == 0
    assert await _rows(session, InfusionVitals) == 0


async def test_impossible_vitals_at_a_timepoint_are_refused(
    session: AsyncSession, settings: Settings, client: httpx.AsyncClient
) -> None:
    chart = await care_team_chart(session, settings, client)
    plan = await active_plan(session, client, chart)
    infusion = (await start_infusion(client, chart, plan["id"])).json()
    url = f"/api/infusion-sessions/{infusion['id']}/vitals/min_15"
    for body, field in (
        (PRE_VITALS | {"spo2": 101}, "body.spo2"),
        (PRE_VITALS | {"diastolic": 130}, "body.diastolic"),
    ):
        r = await client.put(url, json=body, headers=chart.doc_headers)
        assert r.status_code == 422
        assert [e["field"] for e in r.json()["errors"]] == [field]
    assert await _rows(session, InfusionVitals) == 1  # only the pre-infusion set


async def test_a_bp_above_the_hold_threshold_needs_a_hold_or_an_override_reason(
    session: AsyncSession, settings: Settings, client: httpx.AsyncClient
) -> None:
    chart = await care_team_chart(session, settings, client)
    plan = await active_plan(session, client, chart)
    high = PRE_VITALS | {"systolic": 172, "diastolic": 96}

    r = await start_infusion(client, chart, plan["id"], pre_vitals=high)
    assert r.status_code == 422
    problem = r.json()
    assert problem["type"].endswith("/hold-required")
    assert problem["errors"] == [
        {
            "field": "body.bp_override_reason",
            "message": "Pre-infusion BP 172/96 is above the hold threshold 160/100: hold the infusion or record "
            "an override reason.",
            "code": "bp_above_hold_threshold",
        }
    ]
    assert await _rows(session, InfusionSession) == 0

    held = await start_infusion(client, chart, plan["id"], pre_vitals=high, hold=True, hold_reason="Recheck Thursday")
    assert held.status_code == 201, held.text
    assert (held.json()["status"], held.json()["hold_reason"]) == ("held", "Recheck Thursday")
    assert held.json()["missing_timepoints"] == []
    r = await client.patch(
        f"/api/infusion-sessions/{held.json()['id']}", json={"clinician_notes": "x"}, headers=chart.doc_headers
    )
    assert r.status_code == 409  # a held session is closed

    overridden = await start_infusion(
        client, chart, plan["id"], pre_vitals=high, bp_override_reason="White-coat hypertension; 150/90 at rest"
    )
    assert overridden.status_code == 201, overridden.text
    body = overridden.json()
    assert (body["status"], body["sequence"], body["phase"]) == ("in_progress", 2, "induction")
    assert body["bp_override_reason"] == "White-coat hypertension; 150/90 at rest"
    [entry] = (await session.scalars(select(AuditEntry).where(AuditEntry.action == "infusion_session.started"))).all()
    assert entry.detail["bp_above_hold"] is True


async def test_the_hold_threshold_is_a_setting_and_the_threshold_itself_is_not_above(
    session: AsyncSession, settings: Settings, client: httpx.AsyncClient
) -> None:
    chart = await care_team_chart(session, settings, client)
    plan = await active_plan(session, client, chart)
    r = await start_infusion(client, chart, plan["id"], pre_vitals=PRE_VITALS | {"systolic": 160, "diastolic": 100})
    assert r.status_code == 201, r.text
    await complete_infusion(client, chart, r.json()["id"])

    settings.infusion_hold_systolic, settings.infusion_hold_diastolic = 150, 95
    r = await start_infusion(client, chart, plan["id"], pre_vitals=PRE_VITALS | {"systolic": 155, "diastolic": 90})
    assert r.status_code == 422
    assert "threshold 150/95" in r.json()["detail"]


async def test_a_full_session_records_vitals_effects_and_discharge(
    session: AsyncSession, settings: Settings, client: httpx.AsyncClient
) -> None:
    chart = await care_team_chart(session, settings, client)
    plan = await active_plan(session, client, chart)
    infusion = (await start_infusion(client, chart, plan["id"])).json()
    url = f"/api/infusion-sessions/{infusion['id']}"

    for timepoint, systolic in (("min_15", 138), ("min_30", 146), ("min_45", 141), ("end", 134)):
        r = await client.put(
            f"{url}/vitals/{timepoint}", json=PRE_VITALS | {"systolic": systolic}, headers=chart.doc_headers
        )
        assert r.status_code == 200, r.text
    r = await client.put(f"{url}/vitals/pre", json=PRE_VITALS, headers=chart.doc_headers)
    assert r.status_code == 409
    assert r.json()["type"].endswith("/pre-vitals-fixed")

    r = await client.patch(
        url,
        json={
            "cadss6_items": [2, 1, 0, 3, 1, 0],
            "side_effects": [
                {"kind": "nausea", "severity": "mild"},
                {"kind": "respiratory_depression", "severity": "moderate", "note": "SpO2 dipped to 91%"},
            ],
            "interventions": [{"kind": "supplemental_oxygen", "note": "2 L/min nasal cannula"}],
            "clinician_notes": "Tolerated well after oxygen.",
        },
        headers=chart.doc_headers,
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["cadss6_score"] == 7
    assert body["serious_event"] is True
    assert [(e["kind"], e["serious"]) for e in body["side_effects"]] == [
        ("nausea", False),
        ("respiratory_depression", True),
    ]
    assert body["interventions"][0]["kind"] == "supplemental_oxygen"
    assert [v["timepoint"] for v in body["vitals"]] == ["pre", "min_15", "min_30", "min_45", "end"]

    # Discharge waits for the checklist and the discharge vitals; each missing item is named.
    r = await client.post(
        f"{url}/discharge",
        json={"alert": True, "vitals_near_baseline": True, "escort_present": False},
        headers=chart.doc_headers,
    )
    assert r.status_code == 422
    assert {e["field"] for e in r.json()["errors"]} == {"body.escort_present", "vitals.discharge"}
    r = await client.put(f"{url}/vitals/discharge", json=PRE_VITALS, headers=chart.doc_headers)
    assert r.status_code == 200
    r = await client.post(
        f"{url}/discharge",
        json={"alert": True, "vitals_near_baseline": True, "escort_present": True},
        headers=chart.doc_headers,
    )
    assert r.status_code == 200, r.text
    done = r.json()
    assert done["status"] == "completed"
    assert done["discharge_escort_present"] is True
    assert done["ended_at"] is not None
    assert done["discharged_at"] is not None
    assert done["missing_timepoints"] == []

    # A completed session is closed.
    r = await client.patch(url, json={"clinician_notes": "late edit"}, headers=chart.doc_headers)
    assert r.status_code == 409
    assert r.json()["type"].endswith("/infusion-closed")
    r = await client.put(f"{url}/vitals/end", json=PRE_VITALS, headers=chart.doc_headers)
    assert r.status_code == 409


async def test_discharge_needs_the_cadss6(session: AsyncSession, settings: Settings, client: httpx.AsyncClient) -> None:
    chart = await care_team_chart(session, settings, client)
    plan = await active_plan(session, client, chart)
    infusion = (await start_infusion(client, chart, plan["id"])).json()
    await client.put(
        f"/api/infusion-sessions/{infusion['id']}/vitals/discharge", json=PRE_VITALS, headers=chart.doc_headers
    )
    r = await client.post(
        f"/api/infusion-sessions/{infusion['id']}/discharge",
        json={"alert": True, "vitals_near_baseline": True, "escort_present": True},
        headers=chart.doc_headers,
    )
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["cadss6_items"]


async def test_one_infusion_at_a_time_and_times_must_fit(
    session: AsyncSession, settings: Settings, client: httpx.AsyncClient
) -> None:
    chart = await care_team_chart(session, settings, client)
    plan = await active_plan(session, client, chart)
    started = utcnow() - timedelta(hours=1)
    infusion = (await start_infusion(client, chart, plan["id"], started_at=started.isoformat())).json()
    r = await start_infusion(client, chart, plan["id"])
    assert r.status_code == 409
    assert r.json()["type"].endswith("/infusion-in-progress")

    url = f"/api/infusion-sessions/{infusion['id']}"
    r = await client.patch(
        url, json={"ended_at": (started - timedelta(minutes=5)).isoformat()}, headers=chart.doc_headers
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "body.ended_at"
    r = await client.patch(
        url, json={"ended_at": (utcnow() + timedelta(days=1)).isoformat()}, headers=chart.doc_headers
    )
    assert r.status_code == 422
    r = await client.patch(url, json={"ended_at": "2026-01-01T10:00:00"}, headers=chart.doc_headers)
    assert r.status_code == 422  # a time without a zone

    # Pausing or completing the plan waits for the infusion in progress.
    r = await client.post(
        f"/api/treatment-plans/{plan['id']}/status", json={"status": "paused"}, headers=chart.doc_headers
    )
    assert r.status_code == 409
    assert r.json()["type"].endswith("/infusion-in-progress")


async def test_the_next_session_is_prefilled_from_the_last(
    session: AsyncSession, settings: Settings, client: httpx.AsyncClient
) -> None:
    chart = await care_team_chart(session, settings, client)
    plan = await active_plan(session, client, chart)
    url = f"/api/treatment-plans/{plan['id']}/sessions/prefill"

    first = (await client.get(url, headers=chart.doc_headers)).json()
    assert (first["weight_kg"], first["dose_mg"], first["lot_number"], first["last_session_id"]) == (
        None,
        None,
        None,
        None,
    )
    assert (first["dose_mg_per_kg"], first["next_sequence"], first["next_phase"]) == (0.5, 1, "induction")
    assert (first["hold_systolic_above"], first["hold_diastolic_above"]) == (160, 100)

    infusion = (await start_infusion(client, chart, plan["id"], weight_kg=91.0, lot_number="LOT-77")).json()
    await client.patch(
        f"/api/infusion-sessions/{infusion['id']}",
        json={"side_effects": [{"kind": "headache"}], "interventions": [{"kind": "antiemetic"}]},
        headers=chart.doc_headers,
    )
    await complete_infusion(client, chart, infusion["id"])
    # The dose per kg follows the plan, which changed since.
    await client.patch(f"/api/treatment-plans/{plan['id']}", json={"dose_mg_per_kg": 0.6}, headers=chart.doc_headers)

    prefill = (await client.get(url, headers=chart.doc_headers)).json()
    assert prefill["last_session_id"] == infusion["id"]
    assert (prefill["weight_kg"], prefill["dose_mg_per_kg"], prefill["dose_mg"]) == (91.0, 0.6, 54.6)
    assert prefill["lot_number"] == "LOT-77"
    assert prefill["next_sequence"] == 2
    assert prefill["last_pre_vitals"]["systolic"] == PRE_VITALS["systolic"]
    assert [e["kind"] for e in prefill["last_side_effects"]] == ["headache"]
    assert [i["kind"] for i in prefill["last_interventions"]] == ["antiemetic"]


async def test_series_progress_counts_done_against_planned(
    session: AsyncSession, settings: Settings, client: httpx.AsyncClient
) -> None:
    chart = await care_team_chart(session, settings, client)
    plan = await active_plan(session, client, chart, induction_infusions=2)
    for _ in range(2):
        infusion = (await start_infusion(client, chart, plan["id"])).json()
        assert infusion["phase"] == "induction"
        await complete_infusion(client, chart, infusion["id"])
    held = await start_infusion(client, chart, plan["id"], pre_vitals=PRE_VITALS | {"systolic": 175}, hold=True)
    assert held.json()["phase"] == "maintenance"
    booster = (await start_infusion(client, chart, plan["id"])).json()
    assert (booster["phase"], booster["sequence"]) == ("maintenance", 4)

    r = await client.get(f"/api/treatment-plans/{plan['id']}/progress", headers=chart.doc_headers)
    assert r.status_code == 200, r.text
    progress = r.json()
    assert (progress["induction_planned"], progress["induction_done"], progress["induction_remaining"]) == (2, 2, 0)
    assert (progress["maintenance_done"], progress["held"], progress["in_progress"]) == (1, 1, True)
    assert [(s["sequence"], s["status"]) for s in progress["sessions"]] == [
        (1, "completed"),
        (2, "completed"),
        (3, "held"),
        (4, "in_progress"),
    ]
    assert progress["sessions"][0]["cadss6_score"] == 3

    plan_read = (await client.get(f"/api/treatment-plans/{plan['id']}", headers=chart.doc_headers)).json()
    assert (plan_read["induction_done"], plan_read["maintenance_done"]) == (2, 1)

    mine = (await client.get("/api/patients/me/treatment-plans", headers=chart.patient_headers)).json()
    assert [(p["id"], p["induction_done"], p["maintenance_done"], p["next_phase"]) for p in mine] == [
        (plan["id"], 2, 1, "maintenance")
    ]
    assert "dose_mg_per_kg" not in mine[0]


async def test_every_session_read_and_write_is_audited(
    session: AsyncSession, settings: Settings, client: httpx.AsyncClient
) -> None:
    chart = await care_team_chart(session, settings, client)
    plan = await active_plan(session, client, chart)
    infusion = (await start_infusion(client, chart, plan["id"])).json()
    await client.get(f"/api/infusion-sessions/{infusion['id']}", headers=chart.doc_headers)
    await client.get(f"/api/treatment-plans/{plan['id']}/sessions", headers=chart.doc_headers)
    await client.get(f"/api/treatment-plans/{plan['id']}/sessions/prefill", headers=chart.doc_headers)
    await complete_infusion(client, chart, infusion["id"])
    rows = (
        await session.scalars(
            select(AuditEntry).where(AuditEntry.action.like("infusion_session.%")).order_by(AuditEntry.id)
        )
    ).all()
    assert [r.action for r in rows] == [
        "infusion_session.started",
        "infusion_session.read",
        "infusion_session.listed",
        "infusion_session.prefill_read",
        *["infusion_session.vitals_recorded"] * 5,
        "infusion_session.updated",
        "infusion_session.discharged",
    ]
    assert {r.patient_id for r in rows} == {chart.patient.id}
    assert {r.actor_id for r in rows} == {chart.doc.id}
    assert [r.detail.get("timepoint") for r in rows if r.action.endswith("vitals_recorded")] == [
        "min_15",
        "min_30",
        "min_45",
        "end",
        "discharge",
    ]
    assert uuid.UUID(rows[0].subject_id or "") == uuid.UUID(infusion["id"])
