from __future__ import annotations

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.api.accounts.models import OneTimeToken, User
from services.api.clinicians.models import PsychiatristProfile
from services.api.config import Settings
from tests.factories import create_patient, create_staff, deliver_mail, sign_in, unique_email
from tests.support.mail import SmtpSink


async def test_password_reset_by_mail_signs_out_everywhere(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    smtp: SmtpSink,
) -> None:
    patient = await create_patient(session)
    old = await sign_in(client, patient)
    r = await client.post("/api/auth/password-reset/request", json={"email": patient.email})
    assert r.status_code == 202
    unknown = await client.post("/api/auth/password-reset/request", json={"email": unique_email()})
    assert unknown.json() == r.json()  # no enumeration

    await deliver_mail(settings, sessionmaker)
    [mail] = smtp.to(patient.email)
    token = mail.token("/reset-password")

    weak = await client.post("/api/auth/password-reset/confirm", json={"token": token, "new_password": "short"})
    assert weak.status_code == 422
    assert weak.json()["errors"][0]["field"] == "body.new_password"

    ok = await client.post(
        "/api/auth/password-reset/confirm", json={"token": token, "new_password": "a brand new secret"}
    )
    assert ok.status_code == 200, ok.text
    replay = await client.post(
        "/api/auth/password-reset/confirm", json={"token": token, "new_password": "another new one!"}
    )
    assert replay.status_code == 400
    assert replay.json()["type"].endswith("link-used")

    assert (await client.get("/api/me", headers=old)).status_code == 401
    login_old = await client.post("/api/auth/login", json={"email": patient.email, "password": patient.password})
    assert login_old.status_code == 401
    login_new = await client.post("/api/auth/login", json={"email": patient.email, "password": "a brand new secret"})
    assert login_new.status_code == 200

    await deliver_mail(settings, sessionmaker)
    assert any("was changed" in m.subject for m in smtp.to(patient.email))


async def test_a_weak_reset_attempt_does_not_burn_the_link(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    smtp: SmtpSink,
) -> None:
    patient = await create_patient(session)
    await client.post("/api/auth/password-reset/request", json={"email": patient.email})
    await deliver_mail(settings, sessionmaker)
    token = smtp.to(patient.email)[-1].token("/reset-password")
    assert (
        await client.post("/api/auth/password-reset/confirm", json={"token": token, "new_password": "aaaa"})
    ).status_code == 422
    r = await client.post("/api/auth/password-reset/confirm", json={"token": token, "new_password": "now a good one"})
    assert r.status_code == 200


async def test_changing_password_keeps_this_session_and_ends_the_others(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    patient = await create_patient(session)
    here = await sign_in(client, patient)
    elsewhere = await sign_in(client, patient)
    wrong = await client.post(
        "/api/auth/password/change",
        json={"current_password": "not it at all", "new_password": "a fresh password"},
        headers=here,
    )
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "body.current_password"
    ok = await client.post(
        "/api/auth/password/change",
        json={"current_password": patient.password, "new_password": "a fresh password"},
        headers=here,
    )
    assert ok.status_code == 200
    assert (await client.get("/api/me", headers=here)).status_code == 200
    assert (await client.get("/api/me", headers=elsewhere)).status_code == 401


async def test_admin_invites_a_psychiatrist_who_accepts_once(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    smtp: SmtpSink,
) -> None:
    admin = await create_staff(session, settings, role="admin")
    headers = await sign_in(client, admin)
    email = unique_email("newdoc")
    r = await client.post(
        "/api/admin/invitations", json={"email": email, "role": "psychiatrist", "full_name": "Dr. New"}, headers=headers
    )
    assert r.status_code == 201, r.text
    again = await client.post(
        "/api/admin/invitations", json={"email": email, "role": "psychiatrist", "full_name": "Dr. New"}, headers=headers
    )
    assert again.status_code == 409
    assert again.json()["errors"][0]["field"] == "body.email"

    listed = await client.get("/api/admin/invitations", headers=headers)
    assert listed.json()["total"] >= 1
    assert any(i["email"] == email and not i["accepted"] for i in listed.json()["items"])

    await deliver_mail(settings, sessionmaker)
    [mail] = smtp.to(email)
    assert "psychiatrist" in mail.subject
    token = mail.token("/accept-invite")
    info = await client.post("/api/auth/invitations/inspect", json={"token": token})
    assert info.json()["role"] == "psychiatrist"
    assert info.json()["email"] == email

    r = await client.post("/api/auth/invitations/accept", json={"token": token, "password": "my own good password"})
    assert r.status_code == 201, r.text
    r = await client.post("/api/auth/invitations/accept", json={"token": token, "password": "my own good password"})
    assert r.status_code == 400

    user = await session.scalar(select(User).where(User.email == email))
    assert user is not None
    assert user.role == "psychiatrist"
    assert await session.get(PsychiatristProfile, user.id) is not None
    login = await client.post("/api/auth/login", json={"email": email, "password": "my own good password"})
    assert login.json()["status"] == "mfa_enrollment_required"


async def test_patients_and_psychiatrists_cannot_invite(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    invitations = select(func.count()).select_from(OneTimeToken).where(OneTimeToken.purpose == "invitation")
    before = await session.scalar(invitations)
    for account in (await create_patient(session), await create_staff(session, settings)):
        headers = await sign_in(client, account)
        r = await client.post(
            "/api/admin/invitations",
            json={"email": unique_email(), "role": "admin", "full_name": "Sneaky"},
            headers=headers,
        )
        assert r.status_code == 403
    assert await session.scalar(invitations) == before


async def test_admin_lists_users_with_pagination(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    admin = await create_staff(session, settings, role="admin")
    for _ in range(3):
        await create_patient(session)
    headers = await sign_in(client, admin)
    page1 = (await client.get("/api/admin/users?role=patient&limit=2&page=1", headers=headers)).json()
    page2 = (await client.get("/api/admin/users?role=patient&limit=2&page=2", headers=headers)).json()
    assert page1["total"] >= 3
    assert len(page1["items"]) == 2
    assert {u["id"] for u in page1["items"]}.isdisjoint({u["id"] for u in page2["items"]})
    assert all(u["role"] == "patient" for u in page1["items"] + page2["items"])
    bad = await client.get("/api/admin/users?limit=1000", headers=headers)
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "query.limit"
