from __future__ import annotations

from datetime import UTC, datetime

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.audit.models import AuditEntry
from services.api.config import Settings
from services.api.treatment import trends
from services.api.treatment.trends import ScorePoint
from tests.api.treatment.factories import active_plan, care_team_chart, complete_infusion, record_score, start_infusion


def at(day: int, month: int = 9) -> datetime:
    return datetime(2026, month, day, 9, 0, tzinfo=UTC)


def iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def same_time(a: str, b: datetime) -> bool:
    return datetime.fromisoformat(a.replace("Z", "+00:00")) == b


async def test_trends_chart_scores_beside_infusions_with_response_and_remission(
    session: AsyncSession, settings: Settings, client: httpx.AsyncClient
) -> None:
    chart = await care_team_chart(session, settings, client)
    for day, total in ((1, 22), (10, 20), (15, 12), (20, 10), (25, 4)):
        await record_score(session, settings, patient=chart.patient, at=at(day), total=total)
    await record_score(session, settings, patient=chart.patient, at=at(10), scale="gad7", total=0)
    plan = await active_plan(session, client, chart)
    first_start, second_start = datetime(2026, 9, 12, 10, tzinfo=UTC), datetime(2026, 9, 16, 10, tzinfo=UTC)
    for start in (first_start, second_start):
        infusion = (await start_infusion(client, chart, plan["id"], started_at=start.isoformat())).json()
        await complete_infusion(client, chart, infusion["id"])

    r = await client.get(f"/api/patients/{chart.patient_id}/trends", headers=chart.doc_headers)
    assert r.status_code == 200, r.text
    body = r.json()
    phq9 = next(s for s in body["scales"] if s["scale"] == "phq9")
    marks = [(p["score"], p["baseline"], p["response"], p["remission"]) for p in phq9["points"]]
    assert marks == [
        (22, False, False, False),  # before the baseline
        (20, True, False, False),  # the last score before the first infusion
        (12, False, False, False),  # a 40% drop: not yet a response
        (10, False, True, False),  # 50%: response
        (4, False, True, True),  # below 5: remission
    ]
    assert phq9["points"][0]["band"] == "severe"
    assert [s["scale"] for s in body["scales"]] == ["gad7", "phq9"]
    assert [(m["sequence"], m["status"]) for m in body["infusions"]] == [(1, "completed"), (2, "completed")]
    assert same_time(body["infusions"][0]["at"], first_start)
    outcome = body["phq9"]
    assert (outcome["baseline_score"], outcome["latest_score"], outcome["change_percent"]) == (20, 4, 80.0)
    assert (outcome["response"], outcome["remission"]) == (True, True)
    assert same_time(outcome["baseline_at"], at(10))
    assert same_time(outcome["first_response_at"], at(20))
    assert same_time(outcome["first_remission_at"], at(25))

    # The patient sees the same chart of their own scores.
    mine = await client.get("/api/patients/me/trends", headers=chart.patient_headers)
    assert mine.status_code == 200
    assert mine.json()["scales"] == body["scales"]
    assert mine.json()["phq9"] == outcome

    # Along the series: the scores from the baseline on.
    progress = (await client.get(f"/api/treatment-plans/{plan['id']}/progress", headers=chart.doc_headers)).json()
    phq9_along = next(s for s in progress["scores"] if s["scale"] == "phq9")
    assert [p["score"] for p in phq9_along["points"]] == [20, 12, 10, 4]
    assert progress["phq9"] == outcome

    reads = (await session.scalars(select(AuditEntry).where(AuditEntry.action == "trends.read"))).all()
    assert [(e.actor_id, e.patient_id) for e in reads] == [
        (chart.doc.id, chart.patient.id),
        (chart.patient.id, chart.patient.id),
    ]


async def test_response_and_remission_thresholds_are_settings(
    session: AsyncSession, settings: Settings, client: httpx.AsyncClient
) -> None:
    chart = await care_team_chart(session, settings, client)
    for day, total in ((1, 20), (5, 10), (9, 6)):
        await record_score(session, settings, patient=chart.patient, at=at(day), total=total)
    settings.phq9_response_drop_percent, settings.phq9_remission_below = 60, 7
    body = (await client.get("/api/patients/me/trends", headers=chart.patient_headers)).json()
    [phq9] = body["scales"]
    assert [(p["response"], p["remission"]) for p in phq9["points"]] == [(False, False), (False, False), (True, True)]
    assert (body["phq9"]["response_drop_percent"], body["phq9"]["remission_below"]) == (60, 7)
    assert body["infusions"] == []


def test_without_infusions_the_first_score_is_the_baseline_and_zero_cannot_respond(settings: Settings) -> None:
    points = {"phq9": [ScorePoint("phq9", 0, "minimal", at(1)), ScorePoint("phq9", 0, "minimal", at(2))]}
    scales, outcome = trends.build(points, None, settings)
    assert [(p.baseline, p.response, p.remission) for p in scales[0].points] == [
        (True, False, False),
        (False, False, True),
    ]
    assert outcome.change_percent is None
    assert outcome.response is False

    _, empty = trends.build({}, at(1), settings)
    assert (empty.baseline_score, empty.latest_score, empty.response, empty.remission) == (None, None, False, False)


def test_a_series_without_an_earlier_score_takes_the_first_one_as_baseline(settings: Settings) -> None:
    pts = [ScorePoint("phq9", 18, None, at(5)), ScorePoint("phq9", 8, None, at(9))]
    assert trends.baseline_index(pts, at(1)) == 0
    assert trends.from_baseline({"phq9": pts}, at(1)) == {"phq9": pts}
    assert trends.baseline_index(pts, at(6)) == 0
    assert trends.baseline_index(pts, at(10)) == 1


async def test_score_bands_come_with_their_names_in_english_and_spanish(
    session: AsyncSession, settings: Settings, client: httpx.AsyncClient
) -> None:
    chart = await care_team_chart(session, settings, client)
    await record_score(session, settings, patient=chart.patient, at=at(1), total=17)
    r = await client.get(f"/api/patients/{chart.patient_id}/trends", headers=chart.doc_headers)
    assert r.status_code == 200, r.text
    [point] = next(s for s in r.json()["scales"] if s["scale"] == "phq9")["points"]
    assert point["band"] == "moderately_severe"
    assert point["band_label"] == {"en": "Moderately severe", "es": "Moderadamente grave"}


def test_a_band_label_comes_from_the_version_answered_else_the_current_one() -> None:
    assert trends.band_label("gad7", "1", "severe") is not None
    assert trends.band_label("phq9", "no-such-version", "mild") == trends.band_label("phq9", "1", "mild")
    assert trends.band_label("phq9", "1", None) is None
    assert trends.band_label("phq9", "1", "no_such_band") is None
    assert trends.band_label("no_such_scale", None, "mild") is None
