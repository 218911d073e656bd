from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.config import Settings
from services.api.safety.models import SafetyTask
from services.api.scales.models import ScaleResult
from services.api.scales.service import scale_service
from services.common.clock import clock
from tests.api.patients.factories import audit_actions, count, on_care_team, phq9
from tests.factories import create_patient, create_staff, sign_in


async def test_a_patient_answers_the_phq9_and_the_server_scores_and_keeps_it(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    clock.freeze(datetime(2026, 11, 23, 9, tzinfo=UTC))
    pat = await create_patient(session)
    h = await sign_in(client, pat)
    answers = phq9([2, 2, 1, 2, 1, 1, 1, 0])
    r = await client.post(
        "/api/patients/me/scales/results", json={"scale": "phq9", "language": "es", "answers": answers}, headers=h
    )
    assert r.status_code == 201, r.text
    body = r.json()
    result = body["result"]
    assert (result["total"], result["band"], result["band_label"]) == (10, "moderate", "Moderada")
    assert result["scale_version"] == "1"
    assert result["language"] == "es"
    assert result["max_total"] == 27
    assert result["entered_by"] == "patient"
    assert result["entered_by_id"] == str(pat.id)
    assert result["entered_at"].startswith("2026-11-23T09:00")
    assert result["answers"] == answers
    assert result["urgent"] is False
    assert (result["program_entry_threshold"], result["meets_program_entry"]) == (10, True)
    assert body["crisis_resources"] is None
    assert body["care_team_notified"] is False
    assert await count(session, SafetyTask, patient_id=pat.id) == 0
    assert "scale.result_recorded" in await audit_actions(session, pat.id)

    mine = await client.get("/api/patients/me/scales/results", headers=h)
    assert mine.status_code == 200
    assert mine.json()["total"] == 1


async def test_a_partial_or_out_of_range_scale_gets_422_naming_the_item_and_nothing_is_kept(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    pat = await create_patient(session)
    h = await sign_in(client, pat)
    answers = phq9()
    cases = [
        ({"scale": "phq9", "answers": {k: v for k, v in answers.items() if k != "7"}}, "body.answers.7", "missing"),
        ({"scale": "phq9", "answers": answers | {"2": 4}}, "body.answers.2", "out_of_range"),
        ({"scale": "phq9", "answers": answers | {"2": -1}}, "body.answers.2", "greater_than_equal"),
        ({"scale": "pcl5", "answers": {str(n): 5 for n in range(1, 21)}}, "body.answers.1", "out_of_range"),
        ({"scale": "pain_nrs", "answers": {"1": 11}}, "body.answers.1", "less_than_equal"),
        ({"scale": "phq9", "answers": answers | {"x": 1}}, "body.answers.x.[key]", "string_pattern_mismatch"),
        ({"scale": "mood", "answers": answers}, "body.scale", "literal_error"),
        ({"scale": "phq9", "answers": answers, "language": "fr"}, "body.language", "literal_error"),
    ]
    for body, field, code in cases:
        r = await client.post("/api/patients/me/scales/results", json=body, headers=h)
        assert r.status_code == 422, (body, r.text)
        assert (field, code) in [(e["field"], e["code"]) for e in r.json()["errors"]], r.json()
    missing = await client.post(
        "/api/patients/me/scales/results",
        json={"scale": "phq9", "answers": {"1": 0}},
        headers=h,
    )
    assert "Thoughts that you would be better off dead" in missing.text  # the item is named in words too
    assert await count(session, ScaleResult, patient_id=pat.id) == 0


async def test_item_9_above_0_shows_crisis_resources_and_opens_a_task_for_the_care_team(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    pat = await create_patient(session)
    doc = await create_staff(session, settings)
    other_doc = await create_staff(session, settings)
    await on_care_team(session, pat, doc)
    h = await sign_in(client, pat)
    r = await client.post(
        "/api/patients/me/scales/results",
        json={"scale": "phq9", "answers": {str(n): 0 for n in range(1, 9)} | {"9": 1}},
        headers=h,
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["result"]["total"] == 1
    assert body["result"]["band"] == "minimal"
    assert body["result"]["urgent"] is True
    assert body["crisis_resources"] == {"phone": "988", "text": settings.crisis_resources_text, "language": "en"}
    assert body["care_team_notified"] is True

    inbox = (await client.get("/api/safety/tasks", headers=await sign_in(client, doc))).json()
    assert inbox["total"] == 1
    task = inbox["items"][0]
    assert task["kind"] == "phq9_item9"
    assert task["status"] == "open"
    assert task["assigned_to_me"] is True
    assert task["source_id"] == body["result"]["id"]
    assert task["detail"]["items"] == {"9": 1}
    assert (await client.get("/api/safety/tasks", headers=await sign_in(client, other_doc))).json()["total"] == 0
    assert "safety.task_opened" in await audit_actions(session, pat.id)


async def test_with_no_care_team_the_task_goes_to_every_psychiatrist(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    pat = await create_patient(session)
    docs = [await create_staff(session, settings) for _ in range(2)]
    r = await client.post(
        "/api/patients/me/scales/results",
        json={"scale": "phq9", "answers": phq9(item9=3)},
        headers=await sign_in(client, pat),
    )
    assert r.status_code == 201
    for doc in docs:
        inbox = (await client.get("/api/safety/tasks", headers=await sign_in(client, doc))).json()
        assert [t["patient_id"] for t in inbox["items"]] == [str(pat.id)]


@pytest.fixture
async def raw_client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client that receives the 500 page instead of re-raising the server's exception."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False, client=("203.0.113.7", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://app.test") as c:
        yield c


async def _refuse_safety_tasks(session: AsyncSession) -> None:
    """Make the database refuse every new safety task (rolled back with the test)."""
    if session.bind.dialect.name == "postgresql":
        await session.execute(
            text(
                "CREATE FUNCTION refuse_safety_task() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'safety task refused for the test'; END $$"
            )
        )
        await session.execute(
            text(
                "CREATE TRIGGER refuse_safety_task BEFORE INSERT ON safety_tasks "
                "FOR EACH ROW EXECUTE FUNCTION refuse_safety_task()"
            )
        )
    else:
        await session.execute(
            text(
                "CREATE TRIGGER refuse_safety_task BEFORE INSERT ON safety_tasks "
                "BEGIN SELECT RAISE(ABORT, 'safety task refused for the test'); END"
            )
        )
    await session.commit()


async def test_if_the_safety_task_cannot_be_written_the_result_does_not_land_either(
    raw_client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    pat = await create_patient(session)
    doc = await create_staff(session, settings)
    await on_care_team(session, pat, doc)
    h = await sign_in(raw_client, pat)
    await _refuse_safety_tasks(session)

    r = await raw_client.post(
        "/api/patients/me/scales/results", json={"scale": "phq9", "answers": phq9(item9=2)}, headers=h
    )
    assert r.status_code == 500
    assert r.headers["content-type"].startswith("application/problem+json")
    assert "Nothing was saved" in r.json()["detail"]
    assert await count(session, ScaleResult, patient_id=pat.id) == 0
    assert await count(session, SafetyTask, patient_id=pat.id) == 0
    assert "scale.result_recorded" not in await audit_actions(session, pat.id)

    # Without an urgent answer no task is needed, so the result lands.
    r = await raw_client.post(
        "/api/patients/me/scales/results", json={"scale": "phq9", "answers": phq9(item9=0)}, headers=h
    )
    assert r.status_code == 201
    assert await count(session, ScaleResult, patient_id=pat.id) == 1


async def test_a_clinician_enters_and_corrects_results_which_are_superseded_never_edited(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    clock.freeze(datetime(2026, 11, 23, 9, tzinfo=UTC))
    pat = await create_patient(session)
    other = await create_patient(session)
    doc = await create_staff(session, settings)
    await on_care_team(session, pat, doc)
    await on_care_team(session, other, doc)
    h = await sign_in(client, doc)
    url = f"/api/patients/{pat.id}/scales/results"

    first = (
        await client.post(url, json={"scale": "cadss6", "answers": {str(n): 1 for n in range(1, 7)}}, headers=h)
    ).json()
    assert first["result"]["entered_by"] == "clinician"
    assert first["result"]["band"] is None
    assert first["result"]["total"] == 6
    assert first["result"]["meets_program_entry"] is None
    clock.advance(minutes=2)
    wrong = (
        await client.post(url, json={"scale": "gad7", "answers": {str(n): 3 for n in range(1, 8)}}, headers=h)
    ).json()
    clock.advance(minutes=1)

    no_reason = await client.post(
        url,
        json={"scale": "gad7", "answers": {str(n): 1 for n in range(1, 8)}, "supersedes_id": wrong["result"]["id"]},
        headers=h,
    )
    assert no_reason.status_code == 422
    fix = {
        "scale": "gad7",
        "answers": {str(n): 1 for n in range(1, 8)},
        "supersedes_id": wrong["result"]["id"],
        "correction_reason": "Entered the answers of the wrong form; corrected from the paper copy.",
    }
    r = await client.post(url, json=fix, headers=h)
    assert r.status_code == 201, r.text
    corrected = r.json()["result"]
    assert corrected["supersedes_id"] == wrong["result"]["id"]
    assert corrected["total"] == 7

    assert (await client.post(url, json=fix, headers=h)).status_code == 409  # correct the latest instead
    other_fix = fix | {"supersedes_id": first["result"]["id"]}
    assert (await client.post(url, json=other_fix, headers=h)).status_code == 422  # a CADSS-6 is not a GAD-7
    r = await client.post(
        f"/api/patients/{other.id}/scales/results", json=fix | {"supersedes_id": corrected["id"]}, headers=h
    )
    assert r.status_code == 404  # another patient's result

    # The wrong one is still there, untouched, but trends leave it out.
    old = await session.get(ScaleResult, uuid.UUID(wrong["result"]["id"]))
    assert old is not None
    assert old.total == 21
    trend = await scale_service.results_for(session, pat.id)
    assert [(r.scale, r.total) for r in trend] == [("cadss6", 6), ("gad7", 7)]
    assert [r.total for r in await scale_service.results_for(session, pat.id, "gad7")] == [7]
    everything = (await client.get(url, params={"include_superseded": "true"}, headers=h)).json()
    assert [(i["total"], i["superseded"]) for i in everything["items"]] == [(6, False), (21, True), (7, False)]
    assert (await client.get(url, params={"scale": "gad7"}, headers=h)).json()["total"] == 1


async def test_results_for_returns_oldest_first(client: httpx.AsyncClient, session: AsyncSession) -> None:
    clock.freeze(datetime(2026, 11, 1, 12, tzinfo=UTC))
    pat = await create_patient(session)
    h = await sign_in(client, pat)
    for week, level in enumerate([3, 2, 1, 0]):
        clock.freeze(datetime(2026, 11, 1, 12, tzinfo=UTC) + timedelta(weeks=week))
        h = await sign_in(client, pat)
        r = await client.post(
            "/api/patients/me/scales/results", json={"scale": "phq9", "answers": phq9([level] * 8)}, headers=h
        )
        assert r.status_code == 201
    results = await scale_service.results_for(session, pat.id, "phq9")
    assert [r.total for r in results] == [24, 16, 8, 0]
    assert results[0].entered_at < results[-1].entered_at


async def test_a_psychiatrist_sends_a_scale_with_a_due_date_and_the_patient_sees_it_due(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    clock.freeze(datetime(2026, 11, 23, 18, tzinfo=UTC))  # 11:00 in Boise
    pat = await create_patient(session, language="es")
    doc = await create_staff(session, settings)
    await on_care_team(session, pat, doc)
    doc_h = await sign_in(client, doc)
    url = f"/api/patients/{pat.id}/scales/assignments"
    assert (await client.post(url, json={"scale": "phq9", "due_on": "2026-11-22"}, headers=doc_h)).status_code == 422
    assert (await client.post(url, json={"scale": "phq9", "due_on": "2028-01-01"}, headers=doc_h)).status_code == 422
    r = await client.post(
        url, json={"scale": "phq9", "due_on": "2026-11-25", "note": "Before your infusion"}, headers=doc_h
    )
    assert r.status_code == 201, r.text
    assigned = r.json()
    assert assigned["status"] == "due"
    assert assigned["scale_name"] == "PHQ-9 (depresión)"
    await client.post(url, json={"scale": "gad7", "due_on": "2026-11-23"}, headers=doc_h)

    pat_h = await sign_in(client, pat)
    due = (await client.get("/api/patients/me/scales/due", headers=pat_h)).json()
    assert [(d["scale"], d["due_on"]) for d in due] == [("gad7", "2026-11-23"), ("phq9", "2026-11-25")]

    # Answering completes the request it answers.
    r = await client.post(
        "/api/patients/me/scales/results",
        json={"scale": "phq9", "answers": phq9(), "assignment_id": assigned["id"]},
        headers=pat_h,
    )
    assert r.status_code == 201
    due = (await client.get("/api/patients/me/scales/due", headers=pat_h)).json()
    assert [d["scale"] for d in due] == ["gad7"]
    again = await client.post(
        "/api/patients/me/scales/results",
        json={"scale": "phq9", "answers": phq9(), "assignment_id": assigned["id"]},
        headers=pat_h,
    )
    assert again.status_code == 409
    mismatch = await client.post(
        "/api/patients/me/scales/results",
        json={"scale": "phq9", "answers": phq9(), "assignment_id": due[0]["id"]},
        headers=pat_h,
    )
    assert mismatch.status_code == 422
    assert mismatch.json()["errors"][0]["field"] == "body.assignment_id"

    # Without an id, the earliest due request of that scale is the one answered.
    gad = {str(n): 0 for n in range(1, 8)}
    await client.post("/api/patients/me/scales/results", json={"scale": "gad7", "answers": gad}, headers=pat_h)
    assert (await client.get("/api/patients/me/scales/due", headers=pat_h)).json() == []

    clock.advance(days=3)
    await client.post(url, json={"scale": "pcl5", "due_on": "2026-11-26"}, headers=await sign_in(client, doc))
    clock.advance(days=1)
    listed = (await client.get(url, headers=await sign_in(client, doc))).json()
    assert [(a["scale"], a["status"]) for a in listed] == [
        ("gad7", "completed"),
        ("phq9", "completed"),
        ("pcl5", "overdue"),
    ]
    assert "scale.assigned" in await audit_actions(session, pat.id)


async def test_a_patient_cannot_answer_another_patients_request_or_read_their_scores(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    alice = await create_patient(session)
    bob = await create_patient(session)
    doc = await create_staff(session, settings)
    await on_care_team(session, bob, doc)
    doc_h = await sign_in(client, doc)
    tomorrow = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
    bobs = (
        await client.post(
            f"/api/patients/{bob.id}/scales/assignments", json={"scale": "phq9", "due_on": tomorrow}, headers=doc_h
        )
    ).json()
    bob_h = await sign_in(client, bob)
    await client.post(
        "/api/patients/me/scales/results",
        json={"scale": "gad7", "answers": {str(n): 2 for n in range(1, 8)}},
        headers=bob_h,
    )

    alice_h = await sign_in(client, alice)
    r = await client.post(
        "/api/patients/me/scales/results",
        json={"scale": "phq9", "answers": phq9(), "assignment_id": bobs["id"]},
        headers=alice_h,
    )
    assert r.status_code == 404
    assert (await client.get("/api/patients/me/scales/results", headers=alice_h)).json()["total"] == 0
    assert (await client.get("/api/patients/me/scales/due", headers=alice_h)).json() == []
    for url in (f"/api/patients/{bob.id}/scales/results", f"/api/patients/{bob.id}/scales/assignments"):
        r = await client.get(url, headers=alice_h)
        assert r.status_code == 403
        assert str(bob.id) not in r.text
    assert (await client.get("/api/patients/me/scales/due", headers=bob_h)).json()[0]["id"] == bobs["id"]


async def test_scale_definitions_are_served_in_english_and_spanish(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    pat = await create_patient(session)
    h = await sign_in(client, pat)
    r = await client.get("/api/scales", params={"language": "es"}, headers=h)
    assert r.status_code == 200
    by_code = {d["code"]: d for d in r.json()}
    assert set(by_code) == {"phq9", "gad7", "pcl5", "cadss6", "pain_nrs"}
    assert by_code["phq9"]["choices"][3] == {"value": 3, "label": "Casi todos los días"}
    assert by_code["phq9"]["urgent_items"] == [9]
    assert by_code["phq9"]["loinc"] == "44249-1"
    r = await client.get("/api/scales/gad7", params={"version": "1"}, headers=h)
    assert r.json()["items"][0]["text"] == "Feeling nervous, anxious, or on edge"
    assert (await client.get("/api/scales/gad7", params={"version": "0"}, headers=h)).status_code == 404
    assert (await client.get("/api/scales")).status_code == 401
