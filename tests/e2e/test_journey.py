"""Browser journeys in Debian's Chromium against the whole platform on loopback.

Each step asserts what the page shows. Screenshots of key screens go to the folder printed
at the start (HALCYON_E2E_SCREENSHOTS, default test-artifacts/screenshots).
"""

from __future__ import annotations

import re
import time
from urllib.parse import urlparse

import pytest
from playwright.async_api import Browser, BrowserContext, Page, Request, Route, expect

from tests.e2e.conftest import PASSWORD, Stack, new_page, shot

pytestmark = pytest.mark.xdist_group("e2e")  # one browser and one stack per run


async def guard_loopback(context: BrowserContext, refused: list[str]) -> None:
    """Every request the pages make must go to 127.0.0.1; anything else is refused and noted."""

    async def check(route: Route, request: Request) -> None:
        host = urlparse(request.url).hostname or ""
        if host in ("127.0.0.1", "localhost") or request.url.startswith(("data:", "blob:")):
            await route.continue_()
        else:
            refused.append(request.url)
            await route.abort()

    await context.route("**/*", check)


def wait_for_mail(stack: Stack, address: str, subject_part: str, timeout: float = 20.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for m in stack.smtp.to(address):
            if subject_part in m.subject:
                return m.text
        time.sleep(0.2)
    raise AssertionError(f"no e-mail to {address} with {subject_part!r} within {timeout:g} s:\n{stack.logs()}")


async def sign_up_and_verify(page: Page, stack: Stack, *, email: str, name: str, spanish: bool) -> None:
    await page.goto(f"{stack.api}/sign-up")
    await page.get_by_label(re.compile("Full name|Nombre completo")).fill(name)
    await page.get_by_label(re.compile("^(E-mail|Correo electrónico)")).fill(email)
    await page.get_by_label(re.compile("^(Password|Contraseña)")).fill(PASSWORD)
    await page.get_by_label(re.compile("Date of birth|Fecha de nacimiento")).fill("1988-04-12")
    await page.get_by_label(re.compile("State where you live|Estado donde vive")).select_option("ID")
    await page.get_by_label(re.compile("Time zone|Zona horaria")).select_option("America/Boise")
    await page.get_by_label(re.compile("Preferred language|Idioma preferido")).select_option("es" if spanish else "en")
    await shot(page, f"{'es' if spanish else 'en'}-01-sign-up")
    await page.get_by_role("button", name=re.compile("Create account|Crear cuenta")).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Check your e-mail|Revise su correo"))
    text = wait_for_mail(stack, email, "")
    link = re.search(r"https?://\S+/verify-email\S*", text)
    assert link, text
    await page.goto(link.group(0))
    await expect(page.get_by_text(re.compile("is confirmed|está confirmad"))).to_be_visible()
    await shot(page, f"{'es' if spanish else 'en'}-02-verified")


async def sign_in_patient(page: Page, stack: Stack, email: str) -> None:
    await page.goto(f"{stack.api}/sign-in")
    await page.get_by_label(re.compile("^(E-mail|Correo electrónico)")).fill(email)
    await page.get_by_label(re.compile("^(Password|Contraseña)")).fill(PASSWORD)
    await page.get_by_role("button", name=re.compile("^(Sign in|Iniciar sesión)$")).click()
    await page.wait_for_url(re.compile(r"/portal"))


async def test_a_new_patient_signs_up_verifies_by_mail_and_reaches_the_portal(stack: Stack, browser: Browser) -> None:
    context, page = await new_page(browser)
    refused: list[str] = []
    await guard_loopback(context, refused)
    try:
        email = f"maya.{int(time.time() * 1000)}@example.org"
        await sign_up_and_verify(page, stack, email=email, name="Maya Lindqvist", spanish=False)
        await sign_in_patient(page, stack, email)
        await expect(page.get_by_role("heading", level=1)).to_be_visible()
        await shot(page, "en-03-portal")
    finally:
        await context.close()
    assert refused == [], f"the pages tried to reach other hosts: {refused}"
