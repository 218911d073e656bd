from __future__ import annotations

import httpx

from services.signaling.config import SignalingSettings
from services.signaling.main import create_app


async def test_signaling_health_reports_its_bus() -> None:
    app = create_app(SignalingSettings())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sig.test") as c:
        r = await c.get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "service": "signaling", "bus": "in-process"}
