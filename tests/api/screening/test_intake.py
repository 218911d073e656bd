from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.config import Settings
from services.api.safety.models import SafetyTask
from services.api.screening.models import Intake, ScreeningFlag
from services.api.screening.service import REQUIRED, screening_service
from tests.api.patients.factories import CLEAN_INTAKE, audit_actions, count, intake, on_care_team, submit_intake
from tests.factories import create_patient, create_staff, sign_in


async def test_intake_is_saved_part_way_and_resumed_with_what_is_missing(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    pat = await create_patient(session)
    h = await sign_in(client, pat)
    r = await client.get("/api/patients/me/intake", headers=h)
    assert r.status_code == 200
    assert r.json()["status"] == "not_started"
    assert r.json()["id"] is None
    assert r.json()["missing"][:2] == ["reasons_for_care", "psychiatric_history.diagnoses"]

    r = await client.put(
        "/api/patients/me/intake/draft",
        json={"reasons_for_care": ["depression", "chronic_pain"], "psychiatric_history": {"psychosis": False}},
        headers=h,
    )
    assert r.status_code == 200, r.text
    draft = r.json()
    assert draft["status"] == "draft"
    assert "reasons_for_care" not in draft["missing"]
    assert "psychiatric_history.psychosis" not in draft["missing"]
    assert "psychiatric_history.mania" in draft["missing"]

    # Later: another section, and one more field of the same section; the first answers stay.
    r = await client.put(
        "/api/patients/me/intake/draft",
        json={"psychiatric_history": {"mania": True}, "pregnancy": "not_pregnant"},
        headers=h,
    )
    resumed = (await client.get("/api/patients/me/intake", headers=h)).json()
    assert resumed["id"] == draft["id"]
    assert resumed["answers"]["reasons_for_care"] == ["depression", "chronic_pain"]
    assert resumed["answers"]["psychiatric_history"]["psychosis"] is False
    assert resumed["answers"]["psychiatric_history"]["mania"] is True
    assert resumed["answers"]["pregnancy"] == "not_pregnant"

    # null clears an answer.
    r = await client.put("/api/patients/me/intake/draft", json={"pregnancy": None}, headers=h)
    assert "pregnancy" not in r.json()["answers"] or r.json()["answers"]["pregnancy"] is None
    assert "pregnancy" in r.json()["missing"]
    assert (await audit_actions(session, pat.id)).count("intake.draft_saved") == 3


async def test_each_answer_is_checked_as_it_is_saved_and_a_bad_one_saves_nothing(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    pat = await create_patient(session)
    h = await sign_in(client, pat)
    await client.put("/api/patients/me/intake/draft", json={"vitals": {"weight_kg": 70}}, headers=h)
    bad = [
        ({"vitals": {"bp_systolic": 120, "bp_diastolic": 130}}, "body.vitals"),  # diastolic above systolic
        ({"vitals": {"bp_systolic": 120}}, "body.vitals"),  # half a blood pressure
        ({"vitals": {"weight_kg": 0}}, "body.vitals.weight_kg"),
        ({"vitals": {"bp_systolic": 400, "bp_diastolic": 80}}, "body.vitals.bp_systolic"),
        ({"reasons_for_care": ["boredom"]}, "body.reasons_for_care.0"),
        ({"reasons_for_care": []}, "body.reasons_for_care"),
        ({"reasons_for_care": ["ptsd", "ptsd"]}, "body"),
        ({"psychiatric_history": {"hospitalisations": -1}}, "body.psychiatric_history.hospitalisations"),
        ({"medications": [{"name": "sertraline", "dose": "50 mg"}]}, "body.medications.0.frequency"),
        ({"allergies": [{"substance": "penicillin"}], "no_known_allergies": True}, "body"),
        ({"substance_use": {"alcohol_drinks_per_week": 1000}}, "body.substance_use.alcohol_drinks_per_week"),
        ({"pregnancy": "maybe"}, "body.pregnancy"),
        ({"favourite_colour": "blue"}, "body.favourite_colour"),
    ]
    for body, field in bad:
        # A good answer sent with a bad one is not saved either.
        sent = body if "pregnancy" in body else body | {"pregnancy": "pregnant"}
        r = await client.put("/api/patients/me/intake/draft", json=sent, headers=h)
        assert r.status_code == 422, (body, r.text)
        assert any(e["field"].startswith(field) for e in r.json()["errors"]), (body, r.json())
    answers = (await client.get("/api/patients/me/intake", headers=h)).json()["answers"]
    assert answers["vitals"]["weight_kg"] == 70
    assert answers.get("pregnancy") is None


async def test_submit_lists_every_missing_answer_and_changes_nothing(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    pat = await create_patient(session)
    h = await sign_in(client, pat)
    # Never started: everything is missing.
    r = await client.post("/api/patients/me/intake/submit", headers=h)
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == [f"intake.{p}" for p in REQUIRED[:18]] + [
        "intake.allergies",
        *(f"intake.{p}" for p in REQUIRED[18:]),
    ]
    assert all(e["code"] == "missing" for e in r.json()["errors"])

    partial = intake(reasons_for_care=["depression", "other"])
    del partial["medical_history"]["seizures"]
    del partial["no_known_allergies"]
    del partial["pregnancy"]
    await client.put("/api/patients/me/intake/draft", json=partial, headers=h)
    r = await client.post("/api/patients/me/intake/submit", headers=h)
    assert r.status_code == 422
    assert r.json()["type"].endswith("/intake-incomplete")
    assert [e["field"] for e in r.json()["errors"]] == [
        "intake.reason_other",
        "intake.medical_history.seizures",
        "intake.allergies",
        "intake.pregnancy",
    ]
    assert (await client.get("/api/patients/me/intake", headers=h)).json()["status"] == "draft"
    assert await count(session, ScreeningFlag, patient_id=pat.id) == 0


async def test_a_complete_intake_is_submitted_screened_and_flagged(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    pat = await create_patient(session)
    doc = await create_staff(session, settings)
    await on_care_team(session, pat, doc)
    h = await sign_in(client, pat)
    assert not await screening_service.intake_complete(session, pat.id)

    answers = intake(
        **{"medical_history.seizures": True, "vitals": {"weight_kg": 90, "bp_systolic": 150, "bp_diastolic": 95}}
    )
    r = await submit_intake(client, h, answers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["intake"]["status"] == "submitted"
    assert body["intake"]["missing"] == []
    assert body["crisis_resources"] is None
    assert "flags" not in str(body)  # flags are for the psychiatrist

    assert await screening_service.intake_complete(session, pat.id)
    unreviewed = await screening_service.unreviewed_flags(session, pat.id)
    assert sorted(f.rule_id for f in unreviewed) == ["seizures", "uncontrolled_hypertension"]
    flag = next(f for f in unreviewed if f.rule_id == "uncontrolled_hypertension")
    assert flag.evidence == {"vitals.bp_systolic": 150, "vitals.bp_diastolic": 95}
    assert flag.rule_set_version
    assert flag.rule_version == 1
    assert flag.severity == "high"
    actions = await audit_actions(session, pat.id)
    assert "intake.submitted" in actions

    # Submitting again without a change: nothing new to submit.
    r = await client.post("/api/patients/me/intake/submit", headers=h)
    assert r.status_code == 409


async def test_suicidal_thoughts_at_intake_show_crisis_resources_and_open_a_safety_task(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    pat = await create_patient(session, language="es")
    h = await sign_in(client, pat)
    r = await submit_intake(client, h, intake(**{"psychiatric_history.suicidal_thoughts_now": True}))
    assert r.status_code == 200, r.text
    crisis = r.json()["crisis_resources"]
    assert crisis["phone"] == "988"
    assert crisis["language"] == "es"
    assert "988" in crisis["text"]
    assert await count(session, SafetyTask, patient_id=pat.id, kind="intake_suicidal_ideation") == 1
    [flag] = await screening_service.unreviewed_flags(session, pat.id)
    assert flag.rule_id == "active_suicidal_ideation"
    assert flag.severity == "urgent"


async def test_an_update_starts_from_the_last_intake_and_only_its_flags_gate(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    pat = await create_patient(session)
    h = await sign_in(client, pat)
    assert (await submit_intake(client, h, intake(pregnancy="pregnant"))).status_code == 200
    assert [f.rule_id for f in await screening_service.unreviewed_flags(session, pat.id)] == [
        "pregnancy_or_breastfeeding"
    ]

    r = await client.put("/api/patients/me/intake/draft", json={"pregnancy": "not_pregnant"}, headers=h)
    assert r.status_code == 200
    assert r.json()["status"] == "draft"
    assert r.json()["missing"] == []
    assert r.json()["answers"]["medications"] == CLEAN_INTAKE["medications"]
    r = await client.post("/api/patients/me/intake/submit", headers=h)
    assert r.status_code == 200
    assert await screening_service.unreviewed_flags(session, pat.id) == []
    assert await count(session, Intake, patient_id=pat.id, status="submitted") == 2


async def test_the_care_team_sees_the_intake_with_treatment_resistance_worked_out(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    pat = await create_patient(session)
    doc = await create_staff(session, settings)
    stranger = await create_staff(session, settings)
    await on_care_team(session, pat, doc)
    doc_h = await sign_in(client, doc)
    assert (await client.get(f"/api/patients/{pat.id}/intake", headers=doc_h)).status_code == 404

    trials = [
        {"medication": "sertraline", "weeks": 12, "adequate": True},
        {"medication": "venlafaxine", "weeks": 8, "adequate": True},
        {"medication": "bupropion", "weeks": 2, "adequate": False},
    ]
    h = await sign_in(client, pat)
    await submit_intake(client, h, intake(**{"psychiatric_history.antidepressant_trials": trials}))
    r = await client.get(f"/api/patients/{pat.id}/intake", headers=doc_h)
    assert r.status_code == 200
    assert r.json()["adequate_antidepressant_trials"] == 2
    assert r.json()["treatment_resistant"] is True
    assert r.json()["age_years"] >= 18

    assert (
        await client.get(f"/api/patients/{pat.id}/intake", headers=await sign_in(client, stranger))
    ).status_code == 403
    # One adequate trial (the clean intake) is not treatment-resistant.
    other = await create_patient(session)
    await on_care_team(session, other, doc)
    await submit_intake(client, await sign_in(client, other), intake())
    r = await client.get(f"/api/patients/{other.id}/intake", headers=doc_h)
    assert r.json()["adequate_antidepressant_trials"] == 1
    assert r.json()["treatment_resistant"] is False
