"""Demo data for the embedded run and the create-admin command."""

from __future__ import annotations

import os
import secrets
from datetime import date, time, timedelta
from typing import TypedDict

import pyotp
from sqlalchemy import select

from services.api.accounts.models import User
from services.api.audit import service as audit
from services.api.clinicians.service import clinician_service
from services.api.config import Settings
from services.api.core.context import Role
from services.api.core.db import make_engine, make_sessionmaker
from services.api.core.passwords import hash_password, password_problems
from services.api.core.security import SecretBox
from services.api.patients.service import patient_service
from services.api.scheduling.models import AvailabilityRule
from services.api.scheduling.schemas import VisitTypeCreate
from services.api.scheduling.service import visit_type_service
from services.api.screening.demo import seed_chart
from services.common.clock import utcnow

DEMO_ADMIN = "admin@demo.example.org"


class _PsychiatristSpec(TypedDict):
    email: str
    name: str
    tz: str
    languages: list[str]
    npi: str
    licenses: list[tuple[str, str]]
    bio: str


class _PatientSpec(TypedDict):
    email: str
    name: str
    dob: date
    state: str
    tz: str
    lang: str


PSYCHIATRISTS: list[_PsychiatristSpec] = [
    {
        "email": "dr.ortiz@demo.example.org",
        "name": "Dr. Elena Ortiz",
        "tz": "America/Boise",
        "languages": ["en", "es"],
        "npi": "1234567893",
        "licenses": [("ID", "M-12345"), ("UT", "UT-88412")],
        "bio": "Interventional psychiatrist focused on treatment-resistant depression and chronic pain.",
    },
    {
        "email": "dr.chen@demo.example.org",
        "name": "Dr. Marcus Chen",
        "tz": "America/Los_Angeles",
        "languages": ["en"],
        "npi": "1245319599",
        "licenses": [("CA", "A-998877"), ("WA", "MD-60412")],
        "bio": "Psychiatrist experienced in ketamine-assisted care for PTSD and OCD.",
    },
]

# The practice's visit types (prices in cents; the free consult is the practice's "Free Consult").
VISIT_TYPES: list[VisitTypeCreate] = [
    VisitTypeCreate(
        code="free-consult",
        name="Free Consult",
        name_es="Consulta gratuita",
        description="A 15-minute video call to see whether ketamine therapy may suit you. No charge.",
        duration_minutes=15,
        price_cents=0,
        eligibility="new",
    ),
    VisitTypeCreate(
        code="initial-evaluation",
        name="Initial psychiatric evaluation",
        name_es="Evaluación psiquiátrica inicial",
        description="A full psychiatric evaluation before a treatment plan (needs your intake and consents).",
        duration_minutes=60,
        price_cents=35000,
        eligibility="any",
        requires_intake=True,
        requires_consents=True,
    ),
    VisitTypeCreate(
        code="follow-up",
        name="Follow-up",
        name_es="Seguimiento",
        description="A follow-up visit with your psychiatrist.",
        duration_minutes=30,
        price_cents=15000,
        eligibility="established",
    ),
    VisitTypeCreate(
        code="infusion-check-in",
        name="Infusion-series check-in",
        name_es="Control de la serie de infusiones",
        description="A check-in during an infusion series; comes with the pre-infusion instructions.",
        duration_minutes=30,
        price_cents=9500,
        eligibility="established",
        requires_intake=True,
        requires_consents=True,
        is_infusion=True,
    ),
]

# Weekly hours of each demo psychiatrist, in their own zone: weekdays 09:00-12:00 and 13:00-17:00.
DEMO_HOURS = [(time(9), time(12)), (time(13), time(17))]

PATIENTS: list[_PatientSpec] = [
    {
        "email": "ana.reyes@demo.example.org",
        "name": "Ana Reyes",
        "dob": date(1988, 4, 12),
        "state": "ID",
        "tz": "America/Boise",
        "lang": "es",
    },
    {
        "email": "ben.carter@demo.example.org",
        "name": "Ben Carter",
        "dob": date(1979, 9, 30),
        "state": "CA",
        "tz": "America/Los_Angeles",
        "lang": "en",
    },
]


def _password() -> str:
    return f"demo-{secrets.token_urlsafe(9)}"


async def seed_demo(settings: Settings) -> int:
    engine = make_engine(settings.effective_database_url)
    box = SecretBox.load_or_create(settings.ensure_var_dir() / "secret.key")
    lines: list[str] = []
    try:
        async with make_sessionmaker(engine)() as session:
            if await session.scalar(select(User.id).where(User.email == DEMO_ADMIN)):
                print(
                    "Demo accounts already exist. Their passwords were printed when they were created "
                    f"(also kept in {settings.var_dir / 'demo-accounts.txt'})."
                )
                return 0
            now = utcnow()

            def staff(email: str, name: str, role: Role) -> tuple[User, str, str]:
                pw = _password()
                secret = pyotp.random_base32()
                user = User(
                    email=email,
                    password_hash=hash_password(pw),
                    role=role.value,
                    full_name=name,
                    is_active=True,
                    email_verified_at=now,
                    mfa_secret_enc=box.encrypt(secret),
                    mfa_enabled_at=now,
                    created_at=now,
                )
                session.add(user)
                return user, pw, secret

            _admin, pw, secret = staff(DEMO_ADMIN, "Practice Admin", Role.admin)
            lines.append(_staff_line("admin", DEMO_ADMIN, pw, secret))
            for spec in PSYCHIATRISTS:
                user, pw, secret = staff(str(spec["email"]), str(spec["name"]), Role.psychiatrist)
                await session.flush()
                await clinician_service.create_profile(
                    session,
                    user_id=user.id,
                    display_name=str(spec["name"]),
                    time_zone=str(spec["tz"]),
                    languages=list(spec["languages"]),
                    npi=str(spec["npi"]),
                    bio=str(spec["bio"]),
                )
                for state, number in spec["licenses"]:
                    await clinician_service.add_license(
                        session,
                        psychiatrist_id=user.id,
                        state=state,
                        number=number,
                        expires_on=now.date() + timedelta(days=730),
                    )
                for weekday in range(5):
                    for start, end in DEMO_HOURS:
                        session.add(
                            AvailabilityRule(
                                psychiatrist_id=user.id, weekday=weekday, start_time=start, end_time=end, created_at=now
                            )
                        )
                lines.append(_staff_line("psychiatrist", str(spec["email"]), pw, secret))
            for visit_type in VISIT_TYPES:
                await visit_type_service.create(session, None, visit_type)
            for p in PATIENTS:
                pw = _password()
                user = User(
                    email=str(p["email"]),
                    password_hash=hash_password(pw),
                    role=Role.patient.value,
                    full_name=str(p["name"]),
                    is_active=True,
                    email_verified_at=now,
                    created_at=now,
                )
                session.add(user)
                await session.flush()
                await patient_service.create(
                    session,
                    user_id=user.id,
                    date_of_birth=p["dob"],
                    state=str(p["state"]),
                    time_zone=str(p["tz"]),
                    language=str(p["lang"]),
                )
                await seed_chart(
                    session,
                    settings,
                    user.id,
                    language=str(p["lang"]),
                    name=str(p["name"]),
                    high_bp=p["state"] == "ID",
                )
                lines.append(f"  patient       {p['email']:<34} password {pw}   ({p['state']}, {p['tz']}, {p['lang']})")
            audit.record(session, None, action="demo.seeded", subject_type="system", actor_role="system")
            await session.commit()
    finally:
        await engine.dispose()
    text = (
        "Demo accounts (shown once; also saved to var/demo-accounts.txt, readable only by you).\n"
        "Staff sign in with password + a 6-digit code: add the MFA secret to an authenticator app,\n"
        "or run:  .venv/bin/python -c \"import pyotp; print(pyotp.TOTP('SECRET').now())\"\n" + "\n".join(lines) + "\n"
    )
    path = settings.var_dir / "demo-accounts.txt"
    path.write_text(text)
    os.chmod(path, 0o600)
    print(text)
    return 0


def _staff_line(role: str, email: str, pw: str, secret: str) -> str:
    return f"  {role:<13} {email:<34} password {pw}   MFA secret {secret}"


async def create_admin(settings: Settings, *, email: str, full_name: str, password: str) -> int:
    email = email.strip().lower()
    if msg := password_problems(password, email=email):
        print(f"password rejected: {msg}")
        return 2
    engine = make_engine(settings.effective_database_url)
    try:
        async with make_sessionmaker(engine)() as session:
            if await session.scalar(select(User.id).where(User.email == email)):
                print(f"an account with {email} already exists")
                return 1
            now = utcnow()
            user = User(
                email=email,
                password_hash=hash_password(password),
                role=Role.admin.value,
                full_name=full_name,
                is_active=True,
                email_verified_at=now,
                created_at=now,
            )
            session.add(user)
            await session.flush()
            audit.record(
                session,
                None,
                action="account.admin_created",
                subject_type="user",
                subject_id=user.id,
                actor_role="system",
            )
            await session.commit()
    finally:
        await engine.dispose()
    print(f"admin {email} created: sign in and set up two-factor sign-in before anything else")
    return 0
