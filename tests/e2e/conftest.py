"""The whole platform on loopback for browser journeys, started once per test run.

PostgreSQL (a database of its own), the API serving the built web app, the outbox worker,
two signaling instances sharing rooms through Redis behind a load balancer (so a call can
lose an instance), coturn on 127.0.0.1, the Stripe stand-in whose signed webhooks reach the
API, and an SMTP server whose mail the test reads. Debian's Chromium is
driven by Playwright (`executable_path`, no browser download) with fake camera and microphone.
Screenshots go to `HALCYON_E2E_SCREENSHOTS` (default `test-artifacts/screenshots`).
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path

import pyotp
import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright, expect

from services.api.core.migrate import upgrade_head
from services.api.integrations.stripe.standin import register_webhook, start_standin
from tests.signaling.support import (
    PYTHON,
    ROOT,
    ServerProcess,
    start_coturn,
    start_process,
    wait_http,
    wait_udp_listening,
)
from tests.support.mail import SmtpSink, free_port
from tests.support.services import (
    REDIS_URL,
    create_pg_database,
    drop_pg_database,
    new_pg_database_name,
    require_postgres,
    require_redis,
)

# Each step waits for what the page should show; on a busy 2-core machine (the whole stack,
# Chromium and other test workers share it) 5 s, Playwright's default, is not always enough.
expect.set_options(timeout=20_000)

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(os.environ.get("HALCYON_E2E_SCREENSHOTS", ROOT / "test-artifacts" / "screenshots"))
# The built web app the API serves; point it at a build of your own while frontend/dist is rebuilt.
FRONTEND_DIST = Path(os.environ.get("HALCYON_E2E_FRONTEND_DIST", ROOT / "frontend" / "dist"))
PASSWORD = "correct horse battery staple"
# Keep Chromium off the network: no background services, no component updates, loopback only.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
]


@dataclass
class StaffLogin:
    email: str
    password: str
    mfa_secret: str
    last_step: int = -1

    def code(self) -> str:
        import time as _time

        totp = pyotp.TOTP(self.mfa_secret)
        step = max(int(_time.time()) // totp.interval, self.last_step + 1)
        # A code is accepted once and at most one step ahead of the clock: a third sign-in
        # within one 30 s step waits for the next one, as a person would.
        wait = (step - 1) * totp.interval - _time.time()
        if wait > 0:
            _time.sleep(wait + 0.05)
        self.last_step = step
        return totp.at(step * totp.interval)


@dataclass
class Stack:
    api: str
    signaling: str
    stripe: str
    smtp: SmtpSink
    psychiatrist: StaffLogin
    admin: StaffLogin
    psychiatrist_name: str
    turn_port: int
    turn_secret: str
    processes: list[ServerProcess] = field(default_factory=list)
    # Signaling instances by port, behind `balancer` (whose port is `signaling`'s).
    signaling_instances: dict[int, ServerProcess] = field(default_factory=dict)
    signaling_env: dict[str, str] = field(default_factory=dict)
    work: Path = Path()

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.log()}" for p in self.processes)

    def start_signaling(self, port: int) -> ServerProcess:
        """Starts (or starts again) the signaling instance on `port` and waits until it is ready."""
        env = self.signaling_env | {"HALCYON_SIGNALING_PORT": str(port)}
        sig = start_process(
            f"signaling-{port}", [PYTHON, "-m", "services.cli", "serve", "signaling"], env=env, log_dir=self.work
        )
        self.processes.append(sig)
        self.signaling_instances[port] = sig
        wait_http(sig, f"http://127.0.0.1:{port}/readyz", timeout=60)
        return sig


async def _seed(database_url: str, var_dir: Path) -> tuple[StaffLogin, StaffLogin]:
    """A psychiatrist licensed in Idaho, open around the clock, with MFA; an admin; visit types."""
    from services.api.accounts.models import User
    from services.api.clinicians.service import clinician_service
    from services.api.core.db import make_engine, make_sessionmaker
    from services.api.core.passwords import hash_password
    from services.api.core.security import SecretBox
    from services.api.scheduling.models import AvailabilityRule, ScheduleSettings, VisitType
    from services.common.clock import utcnow

    box = SecretBox.load_or_create(var_dir / "secret.key")
    engine = make_engine(database_url)
    logins = []
    try:
        async with make_sessionmaker(engine)() as s:
            now = utcnow()
            users = {}
            for role, email, name in (
                ("psychiatrist", "dr.e2e@example.org", "Dr. Elena Ortiz"),
                ("admin", "admin.e2e@example.org", "Practice Admin"),
            ):
                secret = pyotp.random_base32()
                user = User(
                    email=email,
                    password_hash=hash_password(PASSWORD),
                    role=role,
                    full_name=name,
                    is_active=True,
                    email_verified_at=now,
                    created_at=now,
                    mfa_secret_enc=box.encrypt(secret),
                    mfa_enabled_at=now,
                )
                s.add(user)
                await s.flush()
                users[role] = user
                logins.append(StaffLogin(email, PASSWORD, secret))
            doc = users["psychiatrist"]
            await clinician_service.create_profile(
                s, user_id=doc.id, display_name="Dr. Elena Ortiz", time_zone="America/Boise"
            )
            await clinician_service.add_license(
                s, psychiatrist_id=doc.id, state="ID", number="M-12345", expires_on=date(2099, 1, 1)
            )
            profile = await clinician_service.get(s, doc.id)
            profile.languages = ["en", "es"]
            profile.npi = "1234567893"
            s.add(
                ScheduleSettings(psychiatrist_id=doc.id, buffer_minutes=0, slot_step_minutes=15, min_notice_minutes=0)
            )
            for weekday in range(7):
                s.add(
                    AvailabilityRule(
                        psychiatrist_id=doc.id,
                        weekday=weekday,
                        start_time=time(0),
                        end_time=time(23, 45),
                        created_at=now,
                    )
                )
            for code, name, name_es, description, minutes, cents, intake in (
                ("initial-evaluation", "Initial psychiatric evaluation", "Evaluación psiquiátrica inicial",
                 "A full evaluation before a treatment plan.", 60, 35000, True),
                ("free-consult", "Free consult", "Consulta gratuita",
                 "Fifteen minutes to ask whether the treatment fits you.", 15, 0, False),
            ):  # fmt: skip
                s.add(
                    VisitType(
                        code=code,
                        name=name,
                        name_es=name_es,
                        description=description,
                        duration_minutes=minutes,
                        price_cents=cents,
                        currency="usd",
                        eligibility="any",
                        requires_intake=intake,
                        requires_consents=False,
                        is_infusion=False,
                        active=True,
                        created_at=now,
                    )
                )
            await s.commit()
    finally:
        await engine.dispose()
    return logins[0], logins[1]


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    require_postgres()
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: apt-get install chromium (.ci/run does this as root)")
    dist = FRONTEND_DIST / "index.html"
    if not dist.exists():
        pytest.fail("the web app is not built: npm run --prefix frontend build (make test does this first)")
    work = tmp_path_factory.mktemp("e2e")
    var = work / "var"
    var.mkdir()
    name = new_pg_database_name("e2e")
    database_url = asyncio.run(create_pg_database(name))
    processes: list[ServerProcess] = []
    smtp = SmtpSink()
    smtp.start()
    standin = None
    try:
        upgrade_head(database_url)
        psychiatrist, admin = asyncio.run(_seed(database_url, var))
        api_port, sig_port, turn_port = free_port(), free_port(), free_port()
        api = f"http://127.0.0.1:{api_port}"
        turn_secret = secrets.token_urlsafe(24)
        internal_secret = secrets.token_urlsafe(24)
        webhook_secret = f"whsec_e2e_{secrets.token_hex(8)}"

        relay_base = 40000 + (os.getpid() % 20) * 1000  # room for every allocation of both journeys
        coturn = start_coturn(turn_port, turn_secret, work, min_port=relay_base, max_port=relay_base + 999)
        processes.append(coturn)
        wait_udp_listening(turn_port, coturn)

        standin, stripe_url = start_standin(free_port(), work / "stripe")
        register_webhook(stripe_url, "e2e", f"{api}/api/webhooks/stripe", webhook_secret)

        base_env = {k: v for k, v in os.environ.items() if not k.startswith("HALCYON_")}
        api_env = base_env | {
            "HALCYON_ENV": "test",
            "HALCYON_VAR_DIR": str(var),
            "HALCYON_DATABASE_URL": database_url,
            "HALCYON_API_HOST": "127.0.0.1",
            "HALCYON_API_PORT": str(api_port),
            "HALCYON_PUBLIC_URL": api,
            "HALCYON_SIGNALING_PUBLIC_URL": f"http://127.0.0.1:{sig_port}",
            "HALCYON_SERVE_FRONTEND": "true",
            "HALCYON_FRONTEND_DIST": str(FRONTEND_DIST),
            "HALCYON_LOCAL_SMTP": "false",
            "HALCYON_SMTP_HOST": "127.0.0.1",
            "HALCYON_SMTP_PORT": str(smtp.port),
            "HALCYON_INTERNAL_SECRET": internal_secret,
            "HALCYON_STRIPE_API_BASE": stripe_url,
            "HALCYON_STRIPE_JS_URL": f"{stripe_url}/js.stripe.com/v3/",
            "HALCYON_STRIPE_WEBHOOK_SECRETS": webhook_secret,
            "HALCYON_BOOKING_MIN_NOTICE_MINUTES": "0",
            "HALCYON_CONSULT_JOIN_EARLY_MINUTES": "240",
            "HALCYON_REDIS_URL": "",
            "HALCYON_LOG_LEVEL": "WARNING",
        }
        api_proc = start_process("api", [PYTHON, "-m", "services.cli", "serve", "api"], env=api_env, log_dir=work)
        processes.append(api_proc)
        wait_http(api_proc, f"{api}/healthz", timeout=60)
        worker = start_process("worker", [PYTHON, "-m", "services.cli", "worker"], env=api_env, log_dir=work)
        processes.append(worker)

        # Two signaling instances sharing rooms through Redis (keys under a prefix of this
        # run's own), behind a balancer on the address the API hands out.
        require_redis()
        sig_env = base_env | {
            "HALCYON_SIGNALING_HOST": "127.0.0.1",
            "HALCYON_SIGNALING_API_URL": api,
            "HALCYON_SIGNALING_INTERNAL_SECRET": internal_secret,
            "HALCYON_SIGNALING_VAR_DIR": str(work / "signaling-var"),
            "HALCYON_SIGNALING_REDIS_URL": REDIS_URL,
            "HALCYON_SIGNALING_BUS_PREFIX": f"halcyon:e2e:{secrets.token_hex(6)}",
            "HALCYON_SIGNALING_TURN_URLS": f'["turn:127.0.0.1:{turn_port}?transport=udp"]',
            "HALCYON_SIGNALING_TURN_SECRET": turn_secret,
            "HALCYON_SIGNALING_ECHO_HOST_ADDRESSES": '["127.0.0.1"]',
            "HALCYON_SIGNALING_LOG_LEVEL": "WARNING",
        }
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        print(f"\nbrowser journey screenshots: {SCREENSHOTS}")
        stack = Stack(
            api=api,
            signaling=f"http://127.0.0.1:{sig_port}",
            stripe=stripe_url,
            smtp=smtp,
            psychiatrist=psychiatrist,
            admin=admin,
            psychiatrist_name="Dr. Elena Ortiz",
            turn_port=turn_port,
            turn_secret=turn_secret,
            processes=processes,
            signaling_env=sig_env,
            work=work,
        )
        backends = [free_port(), free_port()]
        for port in backends:
            stack.start_signaling(port)
        balancer = start_process(
            "balancer",
            [PYTHON, "-m", "tests.e2e.balancer", str(sig_port), *map(str, backends)],
            env=base_env,
            log_dir=work,
        )
        processes.append(balancer)
        wait_http(balancer, f"{stack.signaling}/healthz", timeout=30)
        yield stack
    finally:
        for p in reversed(processes):
            p.kill()
        if standin is not None:
            standin.kill()
            standin.wait(timeout=10)
        smtp.stop()
        asyncio.run(drop_pg_database(name))


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as p:
        b = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            await b.close()


async def new_page(browser: Browser, *, locale: str = "en-US") -> tuple[BrowserContext, Page]:
    context = await browser.new_context(
        locale=locale, timezone_id="America/Boise", viewport={"width": 1280, "height": 900}
    )
    page = await context.new_page()
    page.set_default_timeout(15_000)
    return context, page


async def shot(page: Page, name: str) -> None:
    await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
