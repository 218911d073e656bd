from __future__ import annotations

from datetime import UTC, date, datetime

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.api.accounts.models import User
from services.api.audit.models import AuditEntry
from services.api.config import Settings
from services.api.patients.models import Patient
from tests.factories import deliver_mail, unique_email
from tests.support.mail import SmtpSink


def _body(email: str, **over: object) -> dict[str, object]:
    body: dict[str, object] = {
        "email": email,
        "password": "a long enough passphrase",
        "full_name": "Rosa Díaz",
        "date_of_birth": "1990-02-14",
        "state": "id",
        "time_zone": "America/Boise",
        "language": "es",
    }
    body.update(over)
    return body


async def _count(session: AsyncSession, model: type) -> int:
    return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_patient_signs_up_verifies_by_mail_and_signs_in(
    client: httpx.AsyncClient, settings: Settings, sessionmaker: async_sessionmaker[AsyncSession], smtp: SmtpSink
) -> None:
    email = unique_email("rosa")
    r = await client.post("/api/auth/register", json=_body(email))
    assert r.status_code == 202, r.text
    assert "e-mail" in r.json()["message"]

    # Not verified yet: signing in is refused with a helpful message.
    r = await client.post("/api/auth/login", json={"email": email, "password": "a long enough passphrase"})
    assert r.status_code == 403
    assert r.json()["type"].endswith("email-not-verified")

    assert await deliver_mail(settings, sessionmaker) >= 1
    [mail] = smtp.to(email)
    assert "Confirme" in mail.subject  # Spanish speaker gets Spanish mail
    token = mail.token("/verify-email")
    assert mail.link("/verify-email").startswith("http://app.test/verify-email?token=")

    r = await client.post("/api/auth/verify-email", json={"token": token})
    assert r.status_code == 200, r.text

    # The link works once.
    r = await client.post("/api/auth/verify-email", json={"token": token})
    assert r.status_code == 400
    assert r.json()["type"].endswith("link-used")

    r = await client.post("/api/auth/login", json={"email": email.upper(), "password": "a long enough passphrase"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "ok"
    assert body["user"]["role"] == "patient"
    assert body["user"]["email_verified"] is True

    async with sessionmaker() as s:
        patient = await s.scalar(select(Patient).join(User, User.id == Patient.user_id).where(User.email == email))
        assert patient is not None
        assert patient.state == "ID"  # normalised
        assert patient.language == "es"


async def test_under_18_is_refused_with_a_clear_message_and_nothing_is_written(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    before = await _count(session, User)
    today = datetime.now(UTC).date()
    dob = date(today.year - 17, 1, 1).isoformat()
    r = await client.post("/api/auth/register", json=_body(unique_email(), date_of_birth=dob))
    assert r.status_code == 422
    problem = r.json()
    assert r.headers["content-type"].startswith("application/problem+json")
    [err] = problem["errors"]
    assert err["field"] == "body.date_of_birth"
    assert "18" in err["message"]
    assert await _count(session, User) == before


async def test_duplicate_email_answers_the_same_and_mails_the_owner(
    client: httpx.AsyncClient, settings: Settings, sessionmaker: async_sessionmaker[AsyncSession], smtp: SmtpSink
) -> None:
    email = unique_email("dup")
    first = await client.post("/api/auth/register", json=_body(email, language="en"))
    second = await client.post("/api/auth/register", json=_body(email, language="en", full_name="Someone Else"))
    assert first.status_code == second.status_code == 202
    assert first.json() == second.json()  # no account enumeration
    await deliver_mail(settings, sessionmaker)
    subjects = sorted(m.subject for m in smtp.to(email))
    assert len(subjects) == 2
    assert any("tried to sign up" in s for s in subjects)


async def test_bad_registration_inputs_name_the_field(client: httpx.AsyncClient, session: AsyncSession) -> None:
    before = await _count(session, User)
    cases = {
        "body.time_zone": _body(unique_email(), time_zone="Mars/Olympus"),
        "body.state": _body(unique_email(), state="ZZ"),
        "body.email": _body("not-an-email"),
        "body.password": _body(unique_email(), password="short"),
        "body.full_name": _body(unique_email(), full_name="x" * 201),
        "body.is_admin": {**_body(unique_email()), "is_admin": True},
        "body.language": _body(unique_email(), language="fr"),
        "body.date_of_birth": _body(unique_email(), date_of_birth="2099-01-01"),
    }
    for field, body in cases.items():
        r = await client.post("/api/auth/register", json=body)
        assert r.status_code == 422, (field, r.text)
        fields = [e["field"] for e in r.json()["errors"]]
        assert field in fields, (field, fields)
    assert await _count(session, User) == before
    assert await _count(session, AuditEntry) >= 0


async def test_malformed_json_gets_400_problem(client: httpx.AsyncClient) -> None:
    r = await client.post(
        "/api/auth/register", content=b'{"email": "a@b.org", ', headers={"content-type": "application/json"}
    )
    assert r.status_code == 400
    assert r.json()["title"] == "Malformed request body"
    assert r.headers["x-request-id"] == r.json()["request_id"]


async def test_oversized_body_is_refused_with_413(client: httpx.AsyncClient) -> None:
    r = await client.post(
        "/api/auth/register", content=b"{" + b" " * 1_100_000 + b"}", headers={"content-type": "application/json"}
    )
    assert r.status_code == 413
    assert r.json()["title"] == "Request too large"


async def test_expired_verification_link_is_refused(
    client: httpx.AsyncClient, settings: Settings, sessionmaker: async_sessionmaker[AsyncSession], smtp: SmtpSink
) -> None:
    from datetime import timedelta

    from services.common.clock import clock, utcnow

    email = unique_email("late")
    await client.post("/api/auth/register", json=_body(email, language="en"))
    await deliver_mail(settings, sessionmaker)
    token = smtp.to(email)[0].token("/verify-email")
    clock.freeze(utcnow() + timedelta(hours=settings.email_verification_hours, minutes=1))
    r = await client.post("/api/auth/verify-email", json={"token": token})
    assert r.status_code == 400
    assert r.json()["type"].endswith("link-expired")
    r = await client.post("/api/auth/verify-email", json={"token": "A" * 43})
    assert r.json()["type"].endswith("invalid-link")
