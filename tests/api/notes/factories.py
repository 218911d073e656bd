"""Keyword-only helpers that write and sign visit notes as a psychiatrist does."""

from __future__ import annotations

from typing import Any

import httpx

from tests.api.treatment.factories import Chart

FILLED = {
    "subjective": "Low mood for two years despite two antidepressant trials.",
    "objective": "Calm, linear thought process.",
    "assessment": "Treatment-resistant depression.",
    "plan": "Start IV ketamine induction: six infusions over three weeks.",
    "diagnoses": [{"code": "F33.2"}],
    "billing_codes": ["90792"],
    "summary_sections": ["plan", "diagnoses"],
    "patient_instructions": "No food for 6 hours before each infusion. Bring someone to drive you home.",
}


async def draft(client: httpx.AsyncClient, chart: Chart, **overrides: Any) -> dict[str, Any]:
    body = {"template": "initial_evaluation", "pull_objective": False} | overrides
    r = await client.post(f"/api/patients/{chart.patient_id}/notes", json=body, headers=chart.doc_headers)
    assert r.status_code == 201, r.text
    return dict(r.json())


async def filled_draft(client: httpx.AsyncClient, chart: Chart, **changes: Any) -> dict[str, Any]:
    note = await draft(client, chart)
    r = await client.patch(f"/api/notes/{note['id']}", json=FILLED | changes, headers=chart.doc_headers)
    assert r.status_code == 200, r.text
    return dict(r.json())


async def signed_note(client: httpx.AsyncClient, chart: Chart, **changes: Any) -> dict[str, Any]:
    note = await filled_draft(client, chart, **changes)
    r = await client.post(f"/api/notes/{note['id']}/sign", headers=chart.doc_headers)
    assert r.status_code == 200, r.text
    return dict(r.json())
