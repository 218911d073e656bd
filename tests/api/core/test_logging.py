from __future__ import annotations

import json
import logging

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.logging import JsonFormatter, quiet_third_party
from tests.factories import create_patient


async def test_logs_carry_request_ids_but_no_patient_data_or_tokens(
    client: httpx.AsyncClient, session: AsyncSession, caplog: pytest.LogCaptureFixture
) -> None:
    patient = await create_patient(session)
    quiet_third_party()  # as configure_logging() does in every process we run
    caplog.set_level(logging.DEBUG)
    r = await client.post("/api/auth/login", json={"email": patient.email, "password": patient.password})
    token = r.json()["access_token"]
    await client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    await client.post("/api/auth/login", json={"email": patient.email, "password": "wrong wrong wrong"})
    formatter = JsonFormatter()
    lines = [formatter.format(rec) for rec in caplog.records]
    access = [json.loads(line) for line in lines if '"msg": "request"' in line]
    assert access, "every request is logged"
    assert all(a["request_id"] != "-" for a in access)
    assert {"/api/auth/login", "/api/me"} <= {a.get("route") for a in access}
    blob = "\n".join(lines)
    for secret in (patient.email, patient.password, token, "wrong wrong wrong"):
        assert secret not in blob


def test_json_formatter_drops_extras_that_are_not_allowed() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello", None, None)
    record.email = "someone@example.org"
    record.status = 200
    out = json.loads(JsonFormatter().format(record))
    assert "email" not in out
    assert out["status"] == 200
