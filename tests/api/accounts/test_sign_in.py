from __future__ import annotations

from datetime import timedelta

import httpx
import pyotp
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.audit.models import AuditEntry
from services.api.config import Settings
from services.common.clock import clock, utcnow
from tests.factories import Account, create_patient, create_staff, sign_in, unique_email


async def test_wrong_password_and_unknown_email_look_the_same(client: httpx.AsyncClient, session: AsyncSession) -> None:
    patient = await create_patient(session)
    wrong = await client.post("/api/auth/login", json={"email": patient.email, "password": "not the password"})
    unknown = await client.post("/api/auth/login", json={"email": unique_email(), "password": "not the password"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["title"] == unknown.json()["title"] == "E-mail or password is incorrect"


async def test_failed_sign_in_is_audited_even_though_the_request_fails(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    patient = await create_patient(session)
    r = await client.post("/api/auth/login", json={"email": patient.email, "password": "nope nope nope"})
    assert r.status_code == 401
    rows = (
        await session.scalars(
            select(AuditEntry).where(AuditEntry.action == "auth.login_failed", AuditEntry.actor_id == patient.id)
        )
    ).all()
    assert len(rows) == 1
    assert rows[0].ip == "203.0.113.7"
    assert rows[0].request_id == r.headers["x-request-id"]


async def test_account_locks_after_repeated_failures_and_says_when_to_retry(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    patient = await create_patient(session)
    for _ in range(settings.login_max_failures_per_account - 1):
        r = await client.post("/api/auth/login", json={"email": patient.email, "password": "wrong password!"})
        assert r.status_code == 401
    r = await client.post("/api/auth/login", json={"email": patient.email, "password": "wrong password!"})
    assert r.status_code == 429
    body = r.json()
    assert "Try again in 15 minutes" in body["detail"]
    assert int(r.headers["retry-after"]) > 800
    # Even the right password waits out the lock.
    r = await client.post("/api/auth/login", json={"email": patient.email, "password": patient.password})
    assert r.status_code == 429


async def test_one_address_cannot_spray_many_accounts(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    for _ in range(settings.login_max_failures_per_address):
        await client.post("/api/auth/login", json={"email": unique_email(), "password": "guess guess guess"})
    patient = await create_patient(session)
    r = await client.post("/api/auth/login", json={"email": patient.email, "password": patient.password})
    assert r.status_code == 429


async def test_patient_gets_a_session_and_the_api_knows_who_they_are(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    patient = await create_patient(session)
    r = await client.post("/api/auth/login", json={"email": patient.email, "password": patient.password})
    body = r.json()
    assert body["status"] == "ok"
    assert body["expires_in"] == settings.access_token_minutes * 60
    cookie = r.headers["set-cookie"]
    assert "httponly" in cookie.lower()
    assert "samesite=strict" in cookie.lower()
    assert "path=/api/auth" in cookie.lower()
    me = await client.get("/api/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert me.json()["email"] == patient.email


async def test_staff_sign_in_needs_the_authenticator_code_once(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    doc = await create_staff(session, settings)
    r = await client.post("/api/auth/login", json={"email": doc.email, "password": doc.password})
    body = r.json()
    assert body["status"] == "mfa_required"
    assert body["access_token"] is None
    code = doc.next_code()
    bad = await client.post("/api/auth/login/mfa", json={"mfa_token": body["mfa_token"], "code": "000000"})
    assert bad.status_code == 401
    ok = await client.post("/api/auth/login/mfa", json={"mfa_token": body["mfa_token"], "code": code})
    assert ok.status_code == 200, ok.text
    assert ok.json()["status"] == "ok"
    replay = await client.post("/api/auth/login/mfa", json={"mfa_token": body["mfa_token"], "code": code})
    assert replay.status_code == 401  # a code works once


async def test_expired_mfa_step_asks_to_start_again(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    doc = await create_staff(session, settings)
    r = await client.post("/api/auth/login", json={"email": doc.email, "password": doc.password})
    clock.freeze(utcnow() + timedelta(minutes=settings.mfa_challenge_minutes, seconds=1))
    r = await client.post("/api/auth/login/mfa", json={"mfa_token": r.json()["mfa_token"], "code": doc.next_code()})
    assert r.status_code == 401
    assert r.json()["type"].endswith("session-ended")


async def test_invited_staff_must_enrol_mfa_before_reaching_staff_routes(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    doc = await create_staff(session, settings, with_mfa=False)
    r = await client.post("/api/auth/login", json={"email": doc.email, "password": doc.password})
    body = r.json()
    assert body["status"] == "mfa_enrollment_required"
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    admin = await create_staff(session, settings, role="admin", with_mfa=False)
    admin_headers = await sign_in(client, admin)
    blocked = await client.get("/api/admin/users", headers=admin_headers)
    assert blocked.status_code == 403
    assert blocked.json()["type"].endswith("mfa-required")

    enrol = await client.post("/api/auth/mfa/enroll", headers=headers)
    assert enrol.status_code == 200
    secret = enrol.json()["secret"]
    assert enrol.json()["otpauth_uri"].startswith("otpauth://totp/")
    wrong = await client.post("/api/auth/mfa/confirm", json={"code": "123456"}, headers=headers)
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "body.code"
    ok = await client.post("/api/auth/mfa/confirm", json={"code": pyotp.TOTP(secret).now()}, headers=headers)
    assert ok.status_code == 200
    assert ok.json()["mfa_enabled"] is True
    assert ok.json()["mfa_required"] is False

    # Next sign-in asks for a code.
    r = await client.post("/api/auth/login", json={"email": doc.email, "password": doc.password})
    assert r.json()["status"] == "mfa_required"


async def test_forged_or_expired_access_tokens_are_refused(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    patient = await create_patient(session)
    headers = await sign_in(client, patient)
    token = headers["Authorization"].split()[1]
    head, payload, sig = token.split(".")
    forged = f"{head}.{payload}.{sig[:-4]}AAAA"
    for bad in (forged, "not.a.token", "x" * 5000, ""):
        r = await client.get("/api/me", headers={"Authorization": f"Bearer {bad}"})
        assert r.status_code == 401, bad[:20]
        assert r.headers["content-type"].startswith("application/problem+json")
    clock.freeze(utcnow() + timedelta(minutes=settings.access_token_minutes, seconds=1))
    r = await client.get("/api/me", headers=headers)
    assert r.status_code == 401


async def _login(client: httpx.AsyncClient, account: Account) -> tuple[str, str]:
    r = await client.post("/api/auth/login", json={"email": account.email, "password": account.password})
    assert r.status_code == 200
    return r.json()["access_token"], r.cookies["halcyon_refresh"]


async def test_refresh_rotates_and_a_reused_refresh_token_ends_the_session(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    patient = await create_patient(session)
    _, first = await _login(client, patient)
    r = await client.post("/api/auth/refresh")
    assert r.status_code == 200
    second = r.cookies["halcyon_refresh"]
    assert second != first
    fresh_access = r.json()["access_token"]
    assert (await client.get("/api/me", headers={"Authorization": f"Bearer {fresh_access}"})).status_code == 200

    # Someone replays the first (already used) token: the whole family is revoked.
    client.cookies.clear()
    client.cookies.set("halcyon_refresh", first, path="/api/auth")
    r = await client.post("/api/auth/refresh")
    assert r.status_code == 401
    assert "signed out" in r.json()["detail"]
    client.cookies.clear()
    client.cookies.set("halcyon_refresh", second, path="/api/auth")
    assert (await client.post("/api/auth/refresh")).status_code == 401
    assert (await client.get("/api/me", headers={"Authorization": f"Bearer {fresh_access}"})).status_code == 401


async def test_staff_session_ends_after_idle_timeout_and_absolute_limit(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    doc = await create_staff(session, settings)
    await sign_in(client, doc)
    clock.freeze(utcnow() + timedelta(minutes=settings.staff_idle_minutes + 1))
    r = await client.post("/api/auth/refresh")
    assert r.status_code == 401
    assert "inactivity" in r.json()["detail"]

    clock.unfreeze()
    await sign_in(client, doc)
    # Active every 10 minutes, but past the absolute limit the session still ends.
    t = utcnow()
    for _ in range(settings.staff_absolute_hours * 6 - 1):
        t += timedelta(minutes=10)
        clock.freeze(t)
        assert (await client.post("/api/auth/refresh")).status_code == 200
    clock.freeze(t + timedelta(minutes=11))
    r = await client.post("/api/auth/refresh")
    assert r.status_code == 401
    assert "time limit" in r.json()["detail"]


async def test_list_and_revoke_sessions_and_sign_out_others(client: httpx.AsyncClient, session: AsyncSession) -> None:
    patient = await create_patient(session)
    phone = await sign_in(client, patient)
    laptop = await sign_in(client, patient)
    tablet = await sign_in(client, patient)
    r = await client.get("/api/auth/sessions", headers=laptop)
    sessions = r.json()
    assert len(sessions) == 3
    assert sum(s["current"] for s in sessions) == 1

    phone_id = next(s["id"] for s in (await client.get("/api/auth/sessions", headers=phone)).json() if s["current"])
    assert (await client.delete(f"/api/auth/sessions/{phone_id}", headers=laptop)).status_code == 204
    assert (await client.get("/api/me", headers=phone)).status_code == 401

    r = await client.post("/api/auth/sessions/revoke-others", headers=laptop)
    assert r.json() == {"revoked": 1}
    assert (await client.get("/api/me", headers=tablet)).status_code == 401
    assert (await client.get("/api/me", headers=laptop)).status_code == 200

    assert (await client.post("/api/auth/logout", headers=laptop)).status_code == 204
    assert (await client.get("/api/me", headers=laptop)).status_code == 401


async def test_cannot_revoke_someone_elses_session(client: httpx.AsyncClient, session: AsyncSession) -> None:
    a = await create_patient(session)
    b = await create_patient(session)
    a_headers = await sign_in(client, a)
    b_headers = await sign_in(client, b)
    b_session = (await client.get("/api/auth/sessions", headers=b_headers)).json()[0]["id"]
    r = await client.delete(f"/api/auth/sessions/{b_session}", headers=a_headers)
    assert r.status_code == 404
    assert (await client.get("/api/me", headers=b_headers)).status_code == 200
