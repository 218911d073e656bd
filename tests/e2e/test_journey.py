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


async def radio(page: Page, group: str, option: str) -> None:
    await page.get_by_role("group", name=group, exact=True).get_by_role("radio", name=option, exact=True).check()


async def fill_intake(page: Page, stack: Stack) -> None:
    await page.goto(f"{stack.api}/intake")
    await page.get_by_role("checkbox", name="Depression").check()
    await page.get_by_role("button", name="Save and continue").click()
    await expect(page.get_by_role("heading", name="Mental health history")).to_be_visible()
    await page.get_by_label("Mental health diagnoses you have been given").fill("Major depressive disorder")
    await page.get_by_label(re.compile("admitted to hospital")).fill("0")
    await page.get_by_role("checkbox", name="Psychotherapy").check()
    await page.get_by_role("checkbox", name="Antidepressants", exact=True).check()
    await page.get_by_role("button", name="Add an antidepressant").click()
    await page.get_by_label("Antidepressant 1").fill("Sertraline")
    await page.get_by_label("Weeks taken").fill("12")
    await page.get_by_label("Taken at the full dose for at least 6 weeks").check()
    for group in (
        "Have you ever heard or seen things others did not, or held beliefs others found impossible?",
        "Have you ever had mania or hypomania, or been told you have bipolar disorder?",
        "In the past month, have you had thoughts of ending your life?",
        "Have you ever tried to end your life?",
    ):
        await radio(page, group, "No")
    await page.get_by_role("button", name="Save and continue").click()
    await expect(page.get_by_role("heading", name="Medical history")).to_be_visible()
    for group in (
        "High blood pressure",
        "Heart disease",
        "Aneurysm or other blood vessel disease",
        "Arteriovenous malformation (AVM)",
        "Bleeding in the brain, ever",
        "Seizures",
        "Severe lung disease",
        "Severe liver disease",
    ):
        await radio(page, group, "No")
    await page.get_by_role("button", name="Save and continue").click()
    await expect(page.get_by_role("heading", name="Medications and allergies")).to_be_visible()
    await page.get_by_role("checkbox", name="I have no known allergies").check()
    await page.get_by_role("button", name="Save and continue").click()
    await expect(page.get_by_role("heading", name="Alcohol and other substances")).to_be_visible()
    await page.get_by_label("Alcoholic drinks in a typical week").fill("2")
    await page.get_by_label("Cannabis").select_option(label="Never or not now")
    for group in (
        "Do you use cocaine, methamphetamine, or stimulants not as prescribed?",
        "Have you ever used ketamine outside medical care?",
        "Have you ever been diagnosed or treated for a substance use disorder?",
    ):
        await radio(page, group, "No")
    await page.get_by_role("button", name="Save and continue").click()
    await expect(page.get_by_role("heading", name="Pregnancy", exact=True)).to_be_visible()
    await page.get_by_label("Are you pregnant, breastfeeding or planning a pregnancy?").select_option(
        label="Does not apply to me"
    )
    await page.get_by_role("button", name="Save and continue").click()
    await expect(page.get_by_role("heading", name="Review and submit")).to_be_visible()
    await shot(page, "en-04-intake-review")
    await page.get_by_role("button", name="Submit my intake").click()
    await expect(page.get_by_role("heading", name=re.compile("your intake is submitted"))).to_be_visible()


async def fill_phq9(page: Page, stack: Stack) -> None:
    await page.goto(f"{stack.api}/questionnaires/phq9")
    groups = page.get_by_role("group")
    await expect(groups.first).to_be_visible()
    answers = ["More than half the days"] * 4 + ["Several days"] * 4 + ["Not at all"]  # item 9: not at all
    for n, answer in enumerate(answers, start=1):
        await page.get_by_role("group", name=re.compile(rf"^{n}\. ")).get_by_role("radio", name=answer).check()
    await shot(page, "en-05-phq9")
    await page.get_by_role("button", name=re.compile("^(Send|Submit)")).click()
    await expect(page.get_by_text(re.compile(r"12 out of 27"))).to_be_visible()  # 4x2 + 4x1 + 0


async def book_and_pay(page: Page, stack: Stack) -> str:
    await page.goto(f"{stack.api}/book")
    await page.get_by_role("radio", name=re.compile("Initial psychiatric evaluation")).check()
    await page.get_by_role("group", name="Choose a time").get_by_role("radio").first.check()
    await page.get_by_role("button", name=re.compile("^Book")).click()
    await page.wait_for_url(re.compile(r"/visits/[0-9a-f-]{36}$"))
    booking_id = page.url.rsplit("/", 1)[1]
    await expect(page.get_by_text(re.compile("Test payment"))).to_be_visible()
    for placeholder, value in (
        ("number", "4242424242424242"),
        ("exp_month", "12"),
        ("exp_year", "34"),
        ("cvc", "123"),
        ("postal_code", "83702"),
    ):
        await page.get_by_placeholder(placeholder, exact=True).fill(value)
    await shot(page, "en-06-pay")
    await page.get_by_role("button", name=re.compile("^Pay")).click()
    await expect(page.get_by_text(re.compile("Confirmed"))).to_be_visible(timeout=30_000)
    await shot(page, "en-07-confirmed")
    return booking_id


async def test_the_whole_journey_in_english(stack: Stack, browser: Browser) -> None:
    context, page = await new_page(browser)
    refused: list[str] = []
    await guard_loopback(context, refused)
    try:
        email = f"nora.{int(time.time() * 1000)}@example.org"
        await sign_up_and_verify(page, stack, email=email, name="Nora Halvorsen", spanish=False)
        await sign_in_patient(page, stack, email)
        await fill_intake(page, stack)
        await fill_phq9(page, stack)
        await book_and_pay(page, stack)
    except Exception:
        await shot(page, "en-failure")
        raise
    finally:
        await context.close()
    assert refused == [], f"the pages tried to reach other hosts: {refused}"
