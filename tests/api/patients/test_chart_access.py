"""Who may reach a patient's chart, across every chart route of the intake, screening, scales,
safety and consents domains: patient A never reaches B's anything by changing an id; staff off the
care team get 403; admins see no clinical content; refused requests write nothing."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.audit.models import AuditEntry
from services.api.config import Settings
from services.api.consents.endpoints import chart_router as consents_chart
from services.api.patients.endpoints import router as patients_router
from services.api.safety.endpoints import chart_router as safety_chart
from services.api.scales.endpoints import chart_router as scales_chart
from services.api.screening.endpoints import intake_router
from services.api.screening.endpoints import router as screening_router
from services.api.screening.service import screening_service
from tests.api.patients.factories import intake, on_care_team, phq9, submit_intake
from tests.factories import Account, create_patient, create_staff, sign_in

MY_ROUTERS = [patients_router, intake_router, screening_router, scales_chart, safety_chart, consents_chart]


def chart_calls(flag_id: uuid.UUID) -> dict[tuple[str, str], dict[str, Any]]:
    """Every chart route with a valid request body (so a refusal is about access, not input)."""
    due = (datetime.now(UTC) + timedelta(days=3)).date().isoformat()
    return {
        ("GET", "/api/patients/{patient_id}/profile"): {},
        ("GET", "/api/patients/{patient_id}/intake"): {},
        ("GET", "/api/patients/{patient_id}/screening/flags"): {},
        ("POST", "/api/patients/{patient_id}/screening/flags/{flag_id}/review"): {
            "json": {"decision": "clear", "reason": "Looked at it and it is fine."},
            "flag_id": flag_id,
        },
        ("GET", "/api/patients/{patient_id}/scales/results"): {},
        ("POST", "/api/patients/{patient_id}/scales/results"): {"json": {"scale": "phq9", "answers": phq9(item9=1)}},
        ("GET", "/api/patients/{patient_id}/scales/assignments"): {},
        ("POST", "/api/patients/{patient_id}/scales/assignments"): {"json": {"scale": "gad7", "due_on": due}},
        ("GET", "/api/patients/{patient_id}/safety/tasks"): {},
        ("GET", "/api/patients/{patient_id}/consents"): {},
    }


def test_every_chart_route_is_in_the_access_table() -> None:
    mounted = {
        (method, route.path.replace(":uuid", ""))
        for router in MY_ROUTERS
        for route in router.routes
        if isinstance(route, APIRoute) and "{patient_id" in route.path
        for method in route.methods
    }
    assert mounted == set(chart_calls(uuid.uuid4())), "add the new chart route to chart_calls()"


async def _call(
    client: httpx.AsyncClient, key: tuple[str, str], spec: dict[str, Any], patient_id: uuid.UUID, h: dict[str, str]
) -> httpx.Response:
    method, path = key
    url = path.replace("{patient_id}", str(patient_id)).replace("{flag_id}", str(spec.get("flag_id")))
    return await client.request(method, url, json=spec.get("json"), headers=h)


async def _rows_about(session: AsyncSession, patient_id: uuid.UUID) -> int:
    return int(
        await session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.patient_id == patient_id))
        or 0
    )


@pytest.fixture
async def world(client: httpx.AsyncClient, session: AsyncSession, settings: Settings) -> dict[str, Any]:
    alice = await create_patient(session)
    bob = await create_patient(session)
    doc = await create_staff(session, settings)
    await on_care_team(session, bob, doc)
    await submit_intake(client, await sign_in(client, bob), intake(pregnancy="pregnant"))
    [flag] = await screening_service.unreviewed_flags(session, bob.id)
    return {"alice": alice, "bob": bob, "doc": doc, "flag_id": flag.id}


async def test_nobody_off_the_care_team_reaches_any_chart_route_and_nothing_is_written(
    app: FastAPI, client: httpx.AsyncClient, session: AsyncSession, settings: Settings, world: dict[str, Any]
) -> None:
    bob: Account = world["bob"]
    refused: list[tuple[str, Account]] = [
        ("patient A with B's id", world["alice"]),
        ("patient B with own id (a staff route)", bob),
        ("psychiatrist off the care team", await create_staff(session, settings)),
        ("admin", await create_staff(session, settings, role="admin")),
    ]
    before = await _rows_about(session, bob.id)
    for label, who in refused:
        h = await sign_in(client, who)
        for key, spec in chart_calls(world["flag_id"]).items():
            r = await _call(client, key, spec, bob.id, h)
            assert r.status_code == 403, (label, key, r.text)
            assert "pregnan" not in r.text, (label, key)
            assert "Pat Example" not in r.text, (label, key)
    assert await _rows_about(session, bob.id) == before, "a refused request wrote to the chart or its audit trail"
    assert [f.id for f in await screening_service.unreviewed_flags(session, bob.id)] == [world["flag_id"]]


async def test_the_care_team_psychiatrist_reaches_every_chart_route_and_each_is_audited(
    client: httpx.AsyncClient, session: AsyncSession, world: dict[str, Any]
) -> None:
    bob: Account = world["bob"]
    h = await sign_in(client, world["doc"])
    for key, spec in chart_calls(world["flag_id"]).items():
        before = await _rows_about(session, bob.id)
        r = await _call(client, key, spec, bob.id, h)
        assert r.status_code in (200, 201), (key, r.text)
        assert await _rows_about(session, bob.id) > before, f"{key} wrote no audit row"


async def test_an_unknown_patient_id_is_refused_like_someone_elses(
    client: httpx.AsyncClient, world: dict[str, Any]
) -> None:
    h = await sign_in(client, world["doc"])
    for key, spec in chart_calls(world["flag_id"]).items():
        r = await _call(client, key, spec, uuid.uuid4(), h)
        assert r.status_code == 403, (key, r.text)
