from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.config import Settings
from services.api.safety.models import SafetyTaskAssignee
from services.api.safety.service import safety_service
from services.common.clock import clock
from tests.api.patients.factories import audit_actions, count, intake, on_care_team, phq9, submit_intake
from tests.factories import create_patient, create_staff, sign_in


async def _phq9_item9(client: httpx.AsyncClient, headers: dict[str, str], item9: int = 1) -> dict[str, object]:
    r = await client.post(
        "/api/patients/me/scales/results", json={"scale": "phq9", "answers": phq9(item9=item9)}, headers=headers
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


async def test_the_inbox_lists_self_harm_answers_first_then_oldest_first(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    clock.freeze(datetime(2026, 11, 23, 8, tzinfo=UTC))
    doc = await create_staff(session, settings)
    early, late = await create_patient(session), await create_patient(session)
    for p in (early, late):
        await on_care_team(session, p, doc)
    # An intake task first, then two PHQ-9 item 9 tasks.
    await submit_intake(
        client, await sign_in(client, early), intake(**{"psychiatric_history.suicidal_thoughts_now": True})
    )
    clock.advance(minutes=1)
    await _phq9_item9(client, await sign_in(client, early))
    clock.advance(minutes=1)
    await _phq9_item9(client, await sign_in(client, late), item9=3)

    r = await client.get("/api/safety/tasks", headers=await sign_in(client, doc))
    assert r.status_code == 200
    items = r.json()["items"]
    assert [(t["kind"], t["patient_id"]) for t in items] == [
        ("phq9_item9", str(early.id)),
        ("phq9_item9", str(late.id)),
        ("intake_suicidal_ideation", str(early.id)),
    ]
    assert items[0]["patient_name"] == "Pat Example"
    assert items[0]["overdue"] is False
    assert {"safety.tasks_read"} <= set(await audit_actions(session, late.id))


async def test_a_task_stays_open_until_a_psychiatrist_acknowledges_it_with_a_note(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    clock.freeze(datetime(2026, 11, 23, 8, tzinfo=UTC))
    pat = await create_patient(session)
    doc = await create_staff(session, settings)
    stranger = await create_staff(session, settings)
    await on_care_team(session, pat, doc)
    await _phq9_item9(client, await sign_in(client, pat))
    [task] = await safety_service.open_tasks(session, pat.id)
    url = f"/api/safety/tasks/{task.id}/acknowledge"

    # A day later it is overdue and still open.
    clock.advance(hours=settings.safety_task_due_hours, minutes=1)
    doc_h = await sign_in(client, doc)
    open_task = (await client.get("/api/safety/tasks", headers=doc_h)).json()["items"][0]
    assert open_task["status"] == "open"
    assert open_task["overdue"] is True

    assert (await client.post(url, json={}, headers=doc_h)).status_code == 422
    assert (await client.post(url, json={"note": ""}, headers=doc_h)).status_code == 422
    r = await client.post(url, json={"note": "x"}, headers=await sign_in(client, stranger))
    assert r.status_code == 403
    r = await client.post(f"/api/safety/tasks/{uuid.uuid4()}/acknowledge", json={"note": "x"}, headers=doc_h)
    assert r.status_code == 404
    assert len(await safety_service.open_tasks(session, pat.id)) == 1

    note = "Called the patient: passive thoughts, no plan or intent; safety plan reviewed; follow-up Friday."
    r = await client.post(url, json={"note": note}, headers=doc_h)
    assert r.status_code == 200, r.text
    done = r.json()
    assert done["status"] == "acknowledged"
    assert done["acknowledgement_note"] == note
    assert done["acknowledged_by"] == str(doc.id)
    assert done["acknowledged_at"] is not None
    assert done["overdue"] is False
    assert (await client.post(url, json={"note": "again"}, headers=doc_h)).status_code == 409
    assert await safety_service.open_tasks(session, pat.id) == []
    assert (await client.get("/api/safety/tasks", headers=doc_h)).json()["total"] == 0
    history = (await client.get("/api/safety/tasks", params={"status": "all"}, headers=doc_h)).json()
    assert history["items"][0]["acknowledgement_note"] == note
    assert "safety.task_acknowledged" in await audit_actions(session, pat.id)


async def test_whoever_takes_a_task_routed_to_everyone_joins_the_care_team(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    pat = await create_patient(session)
    first, second = await create_staff(session, settings), await create_staff(session, settings)
    await _phq9_item9(client, await sign_in(client, pat))
    [task] = await safety_service.open_tasks(session, pat.id)
    assert await count(session, SafetyTaskAssignee, task_id=task.id) >= 2

    h = await sign_in(client, second)
    assert (await client.get(f"/api/patients/{pat.id}/profile", headers=h)).status_code == 403
    r = await client.post(f"/api/safety/tasks/{task.id}/acknowledge", json={"note": "Reached the patient."}, headers=h)
    assert r.status_code == 200
    assert (await client.get(f"/api/patients/{pat.id}/profile", headers=h)).status_code == 200
    assert (
        await client.get(f"/api/patients/{pat.id}/profile", headers=await sign_in(client, first))
    ).status_code == 403


async def test_admins_see_counts_of_tasks_never_patients_or_content(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    pat = await create_patient(session)
    doc = await create_staff(session, settings)
    admin = await create_staff(session, settings, role="admin")
    await on_care_team(session, pat, doc)
    before = (await client.get("/api/admin/safety/summary", headers=await sign_in(client, admin))).json()
    await _phq9_item9(client, await sign_in(client, pat))

    admin_h = await sign_in(client, admin)
    r = await client.get("/api/admin/safety/summary", headers=admin_h)
    assert r.status_code == 200
    summary = r.json()
    assert summary["open"] == before["open"] + 1
    assert summary["open_by_kind"]["phq9_item9"] == before["open_by_kind"].get("phq9_item9", 0) + 1
    assert str(pat.id) not in r.text
    assert "Pat Example" not in r.text
    assert (await client.get("/api/safety/tasks", headers=admin_h)).status_code == 403
    assert (await client.get(f"/api/patients/{pat.id}/safety/tasks", headers=admin_h)).status_code == 403
    [task] = await safety_service.open_tasks(session, pat.id)
    r = await client.post(f"/api/safety/tasks/{task.id}/acknowledge", json={"note": "x"}, headers=admin_h)
    assert r.status_code == 403
    # Patients see neither the tasks nor the counts.
    pat_h = await sign_in(client, pat)
    assert (await client.get("/api/safety/tasks", headers=pat_h)).status_code == 403
    assert (await client.get("/api/admin/safety/summary", headers=pat_h)).status_code == 403


async def test_the_care_team_sees_a_patients_task_history(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    pat = await create_patient(session)
    doc = await create_staff(session, settings)
    stranger = await create_staff(session, settings)
    await on_care_team(session, pat, doc)
    await _phq9_item9(client, await sign_in(client, pat))
    r = await client.get(f"/api/patients/{pat.id}/safety/tasks", headers=await sign_in(client, doc))
    assert r.status_code == 200
    assert [t["kind"] for t in r.json()] == ["phq9_item9"]
    r = await client.get(f"/api/patients/{pat.id}/safety/tasks", headers=await sign_in(client, stranger))
    assert r.status_code == 403
