from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.config import Settings
from services.api.screening.service import screening_service
from services.common.clock import clock
from tests.api.patients.factories import audit_actions, intake, on_care_team, submit_intake
from tests.factories import create_patient, create_staff, sign_in


async def test_a_psychiatrist_clears_or_overrides_flags_with_a_reason_and_the_record_keeps_who_when_why(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    clock.freeze(datetime(2026, 12, 1, 15, 30, tzinfo=UTC))
    pat = await create_patient(session)
    doc = await create_staff(session, settings)
    await on_care_team(session, pat, doc)
    answers = intake(**{"medical_history.seizures": True, "substance_use.stimulant_use_current": True})
    assert (await submit_intake(client, await sign_in(client, pat), answers)).status_code == 200

    h = await sign_in(client, doc)
    r = await client.get(f"/api/patients/{pat.id}/screening/flags", headers=h)
    assert r.status_code == 200
    flags = {f["rule_id"]: f for f in r.json()}
    assert set(flags) == {"seizures", "current_stimulant_use"}
    assert all(f["status"] == "unreviewed" and f["current"] for f in flags.values())

    clock.advance(minutes=5)
    seizure = flags["seizures"]["id"]
    url = f"/api/patients/{pat.id}/screening/flags/{seizure}/review"
    short = await client.post(url, json={"decision": "clear", "reason": "ok"}, headers=h)
    assert short.status_code == 422  # a written reason, not a tick
    r = await client.post(
        url, json={"decision": "clear", "reason": "Single febrile seizure at age 3; none since. No risk."}, headers=h
    )
    assert r.status_code == 200, r.text
    reviewed = r.json()
    assert reviewed["status"] == "cleared"
    assert reviewed["reviewed_by"] == str(doc.id)
    assert reviewed["reviewed_by_name"] == "Staff psychiatrist"
    assert reviewed["reviewed_at"].startswith("2026-12-01T15:35")
    assert reviewed["review_reason"].startswith("Single febrile seizure")

    again = await client.post(url, json={"decision": "override", "reason": "Changing my mind about it."}, headers=h)
    assert again.status_code == 409

    stim = flags["current_stimulant_use"]["id"]
    r = await client.post(
        f"/api/patients/{pat.id}/screening/flags/{stim}/review",
        json={"decision": "override", "reason": "Prescribed ADHD stimulant; will hold on infusion days."},
        headers=h,
    )
    assert r.json()["status"] == "overridden"
    assert await screening_service.unreviewed_flags(session, pat.id) == []
    assert (await audit_actions(session, pat.id)).count("screening.flag_reviewed") == 2

    listed = {f["rule_id"]: f for f in (await client.get(f"/api/patients/{pat.id}/screening/flags", headers=h)).json()}
    assert listed["seizures"]["reviewed_by"] == str(doc.id)
    assert listed["current_stimulant_use"]["status"] == "overridden"


async def test_flags_are_reached_only_through_their_own_patient_and_care_team(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    alice = await create_patient(session)
    bob = await create_patient(session)
    doc = await create_staff(session, settings)
    stranger = await create_staff(session, settings)
    admin = await create_staff(session, settings, role="admin")
    await on_care_team(session, alice, doc)
    await on_care_team(session, bob, doc)
    await submit_intake(client, await sign_in(client, alice), intake(pregnancy="pregnant"))
    await submit_intake(client, await sign_in(client, bob), intake(pregnancy="breastfeeding"))
    [bobs_flag] = await screening_service.unreviewed_flags(session, bob.id)
    review = {"decision": "clear", "reason": "Reviewed with the patient by phone."}

    doc_h = await sign_in(client, doc)
    # Bob's flag through Alice's chart: not found, and Bob's flag stays unreviewed.
    r = await client.post(f"/api/patients/{alice.id}/screening/flags/{bobs_flag.id}/review", json=review, headers=doc_h)
    assert r.status_code == 404
    r = await client.post(f"/api/patients/{bob.id}/screening/flags/{uuid.uuid4()}/review", json=review, headers=doc_h)
    assert r.status_code == 404
    for who in (stranger, admin, alice):
        h = await sign_in(client, who)
        assert (await client.get(f"/api/patients/{bob.id}/screening/flags", headers=h)).status_code == 403
        r = await client.post(f"/api/patients/{bob.id}/screening/flags/{bobs_flag.id}/review", json=review, headers=h)
        assert r.status_code == 403
        assert "breastfeeding" not in r.text
    assert [f.id for f in await screening_service.unreviewed_flags(session, bob.id)] == [bobs_flag.id]


async def test_psychiatrists_can_read_the_rule_set_in_force(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    doc = await create_staff(session, settings)
    r = await client.get("/api/screening/rules", headers=await sign_in(client, doc))
    assert r.status_code == 200
    rules = {rule["id"]: rule for rule in r.json()["rules"]}
    assert r.json()["version"]
    assert rules["uncontrolled_hypertension"]["when"]["any"][0]["value"] == {"setting": "hypertension_systolic_mmhg"}
    assert rules["active_suicidal_ideation"]["opens_safety_task"] is True
    pat = await create_patient(session)
    assert (await client.get("/api/screening/rules", headers=await sign_in(client, pat))).status_code == 403
