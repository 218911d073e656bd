"""Join tokens: only the visit's patient and psychiatrist, only inside the join window, and
verifiable by signaling with nothing but the API's published public keys."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.config import Settings
from services.common.clock import clock
from services.common.join import SeatRole, verify_join_token, verify_precall_token
from services.common.tokens import SigningKeys
from tests.api.consults.conftest import START, Visit
from tests.api.consults.factories import audit_actions, create_booking, create_licensed_psychiatrist
from tests.factories import create_patient, create_staff, sign_in


async def public_keys(client: httpx.AsyncClient) -> SigningKeys:
    r = await client.get("/.well-known/jwks.json")
    assert r.status_code == 200
    return SigningKeys.from_public_jwks(r.json())


async def test_the_patient_confirms_their_location_and_gets_a_token_signaling_can_verify(
    client: httpx.AsyncClient, session: AsyncSession, visit: Visit
) -> None:
    url = f"/api/consults/{visit.booking.id}/patient-join-token"
    r = await client.post(url, json={"location_state": "id"}, headers=visit.patient_h)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["consult_id"] == str(visit.booking.id)
    assert body["role"] == "patient"
    assert body["signaling_url"] == f"ws://127.0.0.1:8001/ws/consults/{visit.booking.id}"
    assert "token" not in body["signaling_url"]
    claims = verify_join_token(await public_keys(client), body["token"])
    assert claims.consult_id == visit.booking.id
    assert claims.user_id == visit.patient.id
    assert claims.role is SeatRole.patient
    assert claims.not_before == START - timedelta(minutes=15)
    assert claims.expires_at == START  # ten minutes from now, the token lifetime
    assert "consult.location_confirmed" in await audit_actions(session, visit.patient.id)
    assert "consult.join_token_issued" in await audit_actions(session, visit.patient.id)


async def test_the_psychiatrist_gets_a_host_token(client: httpx.AsyncClient, visit: Visit) -> None:
    r = await client.post(f"/api/consults/{visit.booking.id}/psychiatrist-join-token", headers=visit.psychiatrist_h)
    assert r.status_code == 200, r.text
    claims = verify_join_token(await public_keys(client), r.json()["token"])
    assert (claims.user_id, claims.role) == (visit.psychiatrist.id, SeatRole.psychiatrist)


@pytest.mark.parametrize(
    ("at", "status"),
    [
        (START - timedelta(minutes=16), 409),
        (START - timedelta(minutes=15), 200),
        (START + timedelta(minutes=30 + 29), 200),
        (START + timedelta(minutes=30 + 30), 409),
    ],
    ids=["16-min-early", "15-min-early", "end-plus-29", "end-plus-grace"],
)
async def test_tokens_are_minted_only_inside_the_join_window(
    client: httpx.AsyncClient, visit: Visit, at: object, status: int
) -> None:
    clock.freeze(at)  # type: ignore[arg-type]
    h = await sign_in(client, visit.patient)
    r = await client.post(
        f"/api/consults/{visit.booking.id}/patient-join-token", json={"location_state": "ID"}, headers=h
    )
    assert r.status_code == status, r.text
    if status == 409:
        assert r.json()["type"].endswith("/join-window-closed")
    else:
        claims = verify_join_token(await public_keys(client), r.json()["token"], now=at)  # type: ignore[arg-type]
        assert claims.expires_at <= START + timedelta(minutes=60), "a token never outlives the join window"


async def test_no_one_else_gets_a_token_for_the_visit(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings, visit: Visit
) -> None:
    other_patient = await sign_in(client, await create_patient(session))
    r = await client.post(
        f"/api/consults/{visit.booking.id}/patient-join-token", json={"location_state": "ID"}, headers=other_patient
    )
    assert r.status_code == 404  # another patient's visit looks like no visit
    other_doc = await sign_in(client, await create_licensed_psychiatrist(session, settings))
    r = await client.post(f"/api/consults/{visit.booking.id}/psychiatrist-join-token", headers=other_doc)
    assert r.status_code == 403
    assert r.json()["type"].endswith("/not-your-consult")
    admin = await sign_in(client, await create_staff(session, settings, role="admin"))
    r = await client.post(f"/api/consults/{visit.booking.id}/psychiatrist-join-token", headers=admin)
    assert r.status_code == 403
    r = await client.post(
        f"/api/consults/{uuid.uuid4()}/patient-join-token", json={"location_state": "ID"}, headers=visit.patient_h
    )
    assert r.status_code == 404


async def test_a_cancelled_visit_has_no_call(client: httpx.AsyncClient, session: AsyncSession, visit: Visit) -> None:
    cancelled = await create_booking(
        session,
        patient=visit.patient,
        psychiatrist=visit.psychiatrist,
        starts_at=START + timedelta(hours=2),
        status="cancelled",
    )
    clock.freeze(START + timedelta(hours=2))
    h = await sign_in(client, visit.patient)
    r = await client.post(f"/api/consults/{cancelled.id}/patient-join-token", json={"location_state": "ID"}, headers=h)
    assert r.status_code == 409
    assert r.json()["type"].endswith("/consult-not-joinable")


@pytest.mark.parametrize("body", [{}, {"location_state": "XX"}, {"location_state": "ID", "extra": 1}])
async def test_the_patient_must_confirm_a_real_state(
    client: httpx.AsyncClient, visit: Visit, body: dict[str, object]
) -> None:
    r = await client.post(f"/api/consults/{visit.booking.id}/patient-join-token", json=body, headers=visit.patient_h)
    assert r.status_code == 422


async def test_any_signed_in_user_can_get_a_precall_token(client: httpx.AsyncClient, visit: Visit) -> None:
    r = await client.post("/api/consults/precall-token", headers=visit.patient_h)
    assert r.status_code == 200, r.text
    assert r.json()["signaling_url"] == "ws://127.0.0.1:8001/ws/precall"
    claims = verify_precall_token(await public_keys(client), r.json()["token"])
    assert claims.user_id == visit.patient.id
    with pytest.raises(Exception, match="wrong kind"):
        verify_join_token(await public_keys(client), r.json()["token"])
    assert (await client.post("/api/consults/precall-token")).status_code == 401
