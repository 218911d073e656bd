"""Browser journeys in Debian's Chromium against the whole platform on loopback.

Each step asserts what the page shows. Screenshots of key screens go to the folder printed
at the start (HALCYON_E2E_SCREENSHOTS, default test-artifacts/screenshots).
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from datetime import UTC, datetime
from urllib.parse import urlparse

import pytest
from playwright.async_api import Browser, BrowserContext, Page, Request, Route, expect

from tests.e2e.baseline import bare_call_seconds
from tests.e2e.conftest import PASSWORD, SCREENSHOTS, Stack, StaffLogin, new_page, shot
from tests.e2e.i18n import prefix, say, t

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


async def sign_up_and_verify(page: Page, stack: Stack, lang: str, *, email: str, name: str) -> None:
    await page.goto(f"{stack.api}/sign-up")
    await page.get_by_label(t(lang, "signUp.fullName")).fill(name)
    await page.get_by_label(t(lang, "form.email"), exact=True).fill(email)
    await page.get_by_label(t(lang, "form.password"), exact=True).fill(PASSWORD)
    await page.get_by_label(t(lang, "signUp.dateOfBirth")).fill("1988-04-12")
    await page.get_by_label(t(lang, "signUp.state")).select_option("ID")
    await page.get_by_label(t(lang, "signUp.timeZone")).select_option("America/Boise")
    await page.get_by_label(t(lang, "signUp.language")).select_option(lang)
    await shot(page, f"{lang}-01-sign-up")
    await page.get_by_role("button", name=t(lang, "signUp.submit")).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(t(lang, "signUp.sentTitle"))
    text = wait_for_mail(stack, email, "")
    link = re.search(r"https?://\S+/verify-email\S*", text)
    assert link, text
    await page.goto(link.group(0))
    await expect(page.get_by_text(t(lang, "verify.done"))).to_be_visible()
    await shot(page, f"{lang}-02-verified")


async def sign_in(page: Page, stack: Stack, lang: str, email: str, password: str) -> None:
    await page.goto(f"{stack.api}/sign-in")
    await page.get_by_label(t(lang, "form.email"), exact=True).fill(email)
    await page.get_by_label(t(lang, "form.password"), exact=True).fill(password)
    await page.get_by_role("button", name=t(lang, "signIn.submit"), exact=True).click()


async def sign_in_patient(page: Page, stack: Stack, lang: str, email: str) -> None:
    await sign_in(page, stack, lang, email, PASSWORD)
    await page.wait_for_url(re.compile(r"/portal"))


async def sign_in_staff(page: Page, stack: Stack, lang: str, login: StaffLogin, landing: str) -> None:
    await sign_in(page, stack, lang, login.email, login.password)
    await page.get_by_label(t(lang, "form.code")).fill(login.code())
    await page.get_by_role("button", name=t(lang, "signIn.mfaSubmit"), exact=True).click()
    await page.wait_for_url(re.compile(landing))


async def test_a_new_patient_signs_up_verifies_by_mail_and_reaches_the_portal(stack: Stack, browser: Browser) -> None:
    context, page = await new_page(browser)
    refused: list[str] = []
    await guard_loopback(context, refused)
    try:
        email = f"maya.{int(time.time() * 1000)}@example.org"
        await sign_up_and_verify(page, stack, "en", email=email, name="Maya Lindqvist")
        await sign_in_patient(page, stack, "en", email)
        await expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Maya Lindqvist"))
        await shot(page, "en-03-portal")
    finally:
        await context.close()
    assert refused == [], f"the pages tried to reach other hosts: {refused}"


async def radio(page: Page, lang: str, group: str, option: str) -> None:
    box = page.get_by_role("group", name=say(lang, group), exact=True)
    await box.get_by_role("radio", name=say(lang, option), exact=True).check()


async def fill_intake(page: Page, stack: Stack, lang: str) -> None:
    def L(english: str) -> str:
        return say(lang, english)

    save = page.get_by_role("button", name=t(lang, "intake.saveContinue"))
    await page.goto(f"{stack.api}/intake")
    await page.get_by_role("checkbox", name=L("Depression")).check()
    await save.click()
    await expect(page.get_by_role("heading", name=t(lang, "intake.section.psychiatric"))).to_be_visible()
    await page.get_by_label(L("Mental health diagnoses you have been given")).fill("Major depressive disorder")
    await page.get_by_label(L("How many times have you been admitted to hospital for your mental health?")).fill("0")
    await page.get_by_role("checkbox", name=L("Psychotherapy")).check()
    await page.get_by_role("checkbox", name=t(lang, "intake.treatment.antidepressants"), exact=True).check()
    await page.get_by_role("button", name=t(lang, "intake.addTrial")).click()
    await page.get_by_label(t(lang, "intake.trial.medication", n=1)).fill("Sertraline")
    await page.get_by_label(t(lang, "intake.trial.weeks")).fill("12")
    await page.get_by_label(t(lang, "intake.trial.adequate")).check()
    for group in (
        "Have you ever heard or seen things others did not, or held beliefs others found impossible?",
        "Have you ever had mania or hypomania, or been told you have bipolar disorder?",
        "In the past month, have you had thoughts of ending your life?",
        "Have you ever tried to end your life?",
    ):
        await radio(page, lang, group, "No")
    await save.click()
    await expect(page.get_by_role("heading", name=t(lang, "intake.section.medical"))).to_be_visible()
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
        await radio(page, lang, group, "No")
    await save.click()
    await expect(page.get_by_role("heading", name=t(lang, "intake.section.medications"))).to_be_visible()
    await page.get_by_role("checkbox", name=L("I have no known allergies")).check()
    await save.click()
    await expect(page.get_by_role("heading", name=t(lang, "intake.section.substances"))).to_be_visible()
    await page.get_by_label(L("Alcoholic drinks in a typical week")).fill("2")
    await page.get_by_label(L("Cannabis")).select_option(label=t(lang, "intake.cannabis.none"))
    for group in (
        "Do you use cocaine, methamphetamine, or stimulants not as prescribed?",
        "Have you ever used ketamine outside medical care?",
        "Have you ever been diagnosed or treated for a substance use disorder?",
    ):
        await radio(page, lang, group, "No")
    await save.click()
    await expect(page.get_by_role("heading", name=t(lang, "intake.section.pregnancy"), exact=True)).to_be_visible()
    await page.get_by_label(t(lang, "intake.q.pregnancy")).select_option(label=L("Does not apply to me"))
    await save.click()
    await expect(page.get_by_role("heading", name=t(lang, "intake.section.review"))).to_be_visible()
    await shot(page, f"{lang}-04-intake-review")
    await page.get_by_role("button", name=t(lang, "intake.submit")).click()
    await expect(page.get_by_role("heading", name=t(lang, "intake.submittedTitle"))).to_be_visible()


async def fill_phq9(page: Page, stack: Stack, lang: str) -> None:
    """Items 1-4 "more than half the days", 5-8 "several days", 9 "not at all": 12 of 27."""
    await page.goto(f"{stack.api}/questionnaires/phq9")
    await expect(page.get_by_role("group").first).to_be_visible()
    for n, choice in enumerate([2, 2, 2, 2, 1, 1, 1, 1, 0], start=1):
        await page.get_by_role("group", name=re.compile(rf"^{n}\. ")).get_by_role("radio").nth(choice).check()
    await shot(page, f"{lang}-05-phq9")
    await page.get_by_role("button", name=t(lang, "scales.submit")).click()
    await expect(page.get_by_text(t(lang, "scales.score", total=12, max=27), exact=False)).to_be_visible()


async def choose_earliest_time(page: Page, stack: Stack, lang: str, visit_name: str) -> None:
    """Open the booking page, pick the visit type and the earliest open time.

    The journeys join the call right away, so they need the earliest time (its join window is
    open). A time starting within the next 30 s could pass before the booking reaches the server,
    which rightly refuses it ("already passed"): then wait for it to pass and take the next.
    """
    for _ in range(2):
        await page.goto(f"{stack.api}/book")
        await page.get_by_role("radio", name=re.compile(visit_name)).check()
        earliest = page.get_by_role("group", name=t(lang, "book.chooseTime")).get_by_role("radio").first
        value = await earliest.get_attribute("value")  # "<psychiatrist id>|<ISO start>"
        assert value is not None, "a time's radio has no value"
        assert "|" in value, f"a time's radio has no slot key: {value!r}"
        left = (datetime.fromisoformat(value.split("|", 1)[1]) - datetime.now(UTC)).total_seconds()
        if left > 30:
            await earliest.check()
            return
        await asyncio.sleep(max(left, 0) + 1)
    raise AssertionError("no open time more than 30 s away")


async def book_and_pay(page: Page, stack: Stack, lang: str, visit_name: str) -> str:
    await choose_earliest_time(page, stack, lang, visit_name)
    await page.get_by_role("button", name=t(lang, "book.submit")).click()
    await page.wait_for_url(re.compile(r"/visits/[0-9a-f-]{36}$"))
    booking_id = page.url.rsplit("/", 1)[1]
    await expect(page.get_by_text(t(lang, "payment.testMode"))).to_be_visible()
    for placeholder, value in (
        ("number", "4242424242424242"),
        ("exp_month", "12"),
        ("exp_year", "34"),
        ("cvc", "123"),
        ("postal_code", "83702"),
    ):
        await page.get_by_placeholder(placeholder, exact=True).fill(value)
    await shot(page, f"{lang}-06-pay")
    await page.get_by_role("button", name=re.compile("^" + re.escape(prefix(lang, "payment.payAmount")))).click()
    await expect(page.get_by_text(t(lang, "payment.confirmed"))).to_be_visible(timeout=30_000)
    await expect(page.get_by_text(t(lang, "visitStatus.confirmed"), exact=True).first).to_be_visible()
    await shot(page, f"{lang}-07-confirmed")
    return booking_id


FORCE_RELAY = """
(() => {
  const Native = window.RTCPeerConnection;
  if (!Native || Native.__relayOnly) return;
  function RelayOnly(config, ...rest) {
    return new Native({ ...(config || {}), iceTransportPolicy: 'relay' }, ...rest);
  }
  RelayOnly.prototype = Native.prototype;
  RelayOnly.__relayOnly = true;
  Object.setPrototypeOf(RelayOnly, Native);
  window.RTCPeerConnection = RelayOnly;
})();
"""


async def remote_video_playing(page: Page) -> bool:
    """The other party's video has frames and its clock moves."""
    first = await page.evaluate("window.__halcyonCall ? window.__halcyonCall.remote : null")
    if not first or first["videoWidth"] <= 0:
        return False
    await page.wait_for_timeout(400)
    second = await page.evaluate("window.__halcyonCall.remote")
    return bool(second["videoWidth"] > 0 and second["currentTime"] > first["currentTime"])


async def wait_until_playing(page: Page, within: float = 30.0) -> float:
    start = time.monotonic()
    while time.monotonic() - start < within:
        if await remote_video_playing(page):
            return time.monotonic()
        await page.wait_for_timeout(100)
    raise AssertionError(f"the remote video did not play within {within:g} s on {page.url}")


async def video_call(patient: Page, doc: Page, stack: Stack, lang: str, booking_id: str, patient_name: str) -> float:
    """Patient waits, psychiatrist admits from the waiting room, both see each other; returns
    seconds from "admit" to both remote videos playing."""
    await patient.goto(f"{stack.api}/visits/{booking_id}/call")
    await patient.get_by_role("button", name=t(lang, "call.join")).click()
    await expect(patient.get_by_text(prefix(lang, "call.status.waiting"))).to_be_visible(timeout=20_000)
    await shot(patient, f"{lang}-08-waiting-room")
    await sign_in_staff(doc, stack, lang, stack.psychiatrist, r"/today")
    admit = doc.get_by_role("button", name=t(lang, "waiting.admit", name=patient_name))
    await expect(admit).to_be_visible(timeout=20_000)
    await shot(doc, f"{lang}-09-today-waiting")
    clicked = time.monotonic()
    await admit.click()
    patient_playing = await wait_until_playing(patient)
    doc_playing = await wait_until_playing(doc)
    for page in (patient, doc):
        # The candidate pair in use, from getStats (read every few seconds): relayed by coturn.
        await page.wait_for_function(
            "window.__halcyonCall && window.__halcyonCall.selectedCandidateType", timeout=15_000
        )
        debug = await page.evaluate("window.__halcyonCall")
        assert debug["selectedCandidateType"] == "relay", debug
        assert debug["self"]["videoWidth"] > 0, debug
    await shot(patient, f"{lang}-10-call-patient")
    await shot(doc, f"{lang}-11-call-psychiatrist")
    return max(patient_playing, doc_playing) - clicked


async def chat(sender: Page, receiver: Page, lang: str, text: str) -> None:
    await sender.get_by_label(t(lang, "call.chat.label"), exact=True).fill(text)
    await sender.get_by_role("button", name=t(lang, "call.chat.send"), exact=True).click()
    await expect(receiver.get_by_text(text)).to_be_visible(timeout=15_000)


async def end_call(doc: Page, patient: Page, lang: str) -> None:
    await doc.get_by_role("button", name=t(lang, "call.end"), exact=True).click()
    await doc.get_by_role("button", name=t(lang, "call.endYes"), exact=True).click()
    await expect(patient.get_by_text(t(lang, "call.closed.ended")).first).to_be_visible(timeout=15_000)


async def write_and_sign_note(doc: Page, lang: str) -> None:
    """From the ended call: a note from the evaluation template, codes, a summary, signed."""
    await doc.get_by_role("link", name=t(lang, "call.writeNote")).click()
    await doc.get_by_role("group", name=t(lang, "notes.template")).get_by_role("radio").nth(1).check()
    await doc.get_by_role("button", name=t(lang, "notes.start")).click()
    await doc.get_by_role("textbox", name=t(lang, "notes.section.assessment"), exact=True).fill(
        "Major depressive disorder, recurrent, moderate; two adequate antidepressant trials."
    )
    await doc.get_by_role("textbox", name=t(lang, "notes.section.plan"), exact=True).fill(
        "Begin a series of six ketamine infusions over three weeks."
    )
    await doc.get_by_role("button", name=t(lang, "notes.addDiagnosis")).click()
    await doc.get_by_label(t(lang, "notes.icd10", n=1)).fill("F33.1")
    summary = doc.get_by_role("group", name=t(lang, "notes.summary"))
    await summary.get_by_role("checkbox", name=t(lang, "notes.section.plan"), exact=True).check()
    await summary.get_by_role("checkbox", name=t(lang, "notes.diagnoses")).check()
    await doc.get_by_label(t(lang, "notes.instructions")).fill(
        "Arrange a driver for each infusion day and do not eat for six hours before."
    )
    await expect(doc.get_by_text(prefix(lang, "notes.savedAt"))).to_be_visible(timeout=15_000)
    await shot(doc, f"{lang}-12-note-draft")
    await doc.get_by_role("button", name=t(lang, "notes.sign")).click()
    await doc.get_by_role("button", name=t(lang, "notes.signConfirm")).click()
    await expect(doc.get_by_text(prefix(lang, "notes.signedBy"))).to_be_visible(timeout=15_000)
    await shot(doc, f"{lang}-13-note-signed")


async def psychiatrist_reads_timeline(doc: Page, stack: Stack, lang: str, patient_name: str) -> None:
    """From my patients: the patient's timeline holds what the journey did, newest first."""
    await doc.goto(f"{stack.api}/my-patients")
    await doc.get_by_role("link", name=t(lang, "timeline.linkFor", name=patient_name)).click()
    await expect(doc.get_by_role("heading", level=1)).to_have_text(t(lang, "timeline.title", name=patient_name))
    timeline = doc.locator("ol.timeline")
    for kind in ("note_signed", "visit_completed", "visit_booked", "intake_submitted"):
        entry = timeline.locator(f'article[data-kind="{kind}"]').first
        await expect(entry).to_contain_text(t(lang, f"timeline.kind.{kind}"))
    await expect(timeline.locator('article[data-kind="scale_submitted"]').first).to_contain_text("12")
    kinds = await timeline.locator("article[data-kind]").evaluate_all("(els) => els.map((e) => e.dataset.kind)")
    assert kinds.index("note_signed") < kinds.index("visit_booked") < kinds.index("intake_submitted"), kinds
    await shot(doc, f"{lang}-13b-timeline")


async def patient_sees_summary(page: Page, stack: Stack, lang: str, visit_name: str) -> None:
    await page.goto(f"{stack.api}/summaries")
    await page.get_by_role("link", name=re.compile(visit_name)).first.click()
    await expect(page.get_by_text("Arrange a driver for each infusion day", exact=False)).to_be_visible()
    await expect(page.get_by_text("Begin a series of six ketamine infusions", exact=False)).to_be_visible()
    await expect(page.get_by_text("F33.1", exact=False)).to_be_visible()
    await shot(page, f"{lang}-14-summary")


async def admin_refunds(admin: Page, stack: Stack, lang: str, patient_name: str) -> None:
    await sign_in_staff(admin, stack, lang, stack.admin, r"/admin")
    await admin.goto(f"{stack.api}/admin/payments")
    row = admin.get_by_role("row").filter(has_text=patient_name)
    await expect(row).to_be_visible()
    await expect(row.get_by_text(re.compile(r"350[.,]00")).first).to_be_visible()
    await shot(admin, f"{lang}-15-admin-payments")
    await row.get_by_role("button", name=re.compile("^" + re.escape(t(lang, "admin.refund.open")))).click()
    await admin.get_by_label(t(lang, "admin.refund.reason")).fill("The practice cancelled the treatment plan.")
    await shot(admin, f"{lang}-16-admin-refund")
    dialog = admin.get_by_role("dialog")
    await dialog.get_by_role("button", name=t(lang, "admin.refund.submit"), exact=True).click()
    done = prefix(lang, "admin.refund.done")
    await expect(
        admin.get_by_text(re.compile(re.escape(done) + r".*350[.,]00.*" + re.escape(patient_name)))
    ).to_be_visible()


def record_timing(call: float, bare: float) -> None:
    """The budget figure (measured, not asserted): admit to both videos vs two bare pages."""
    ratio = call / bare if bare else float("inf")
    line = (
        f"admit to both remote videos playing: {call:.2f} s; two bare pages through the same coturn: "
        f"{bare:.2f} s; ratio {ratio:.2f}x (goal <= 1.5x)"
    )
    print(f"\n{line}")
    (SCREENSHOTS.parent / "call-timing.json").write_text(
        json.dumps({"admit_to_video_s": round(call, 3), "bare_pages_s": round(bare, 3), "ratio": round(ratio, 2)})
    )


async def whole_journey(stack: Stack, browser: Browser, lang: str, patient_name: str, visit_name: str) -> None:
    locale = "es-US" if lang == "es" else "en-US"
    context, page = await new_page(browser, locale=locale)
    refused: list[str] = []
    await guard_loopback(context, refused)
    try:
        email = f"{lang}.patient.{int(time.time() * 1000)}@example.org"
        await sign_up_and_verify(page, stack, lang, email=email, name=patient_name)
        await sign_in_patient(page, stack, lang, email)
        await fill_intake(page, stack, lang)
        await fill_phq9(page, stack, lang)
        booking_id = await book_and_pay(page, stack, lang, visit_name)
        doc_context, doc = await new_page(browser, locale=locale)
        await guard_loopback(doc_context, refused)
        for c in (context, doc_context):
            await c.add_init_script(FORCE_RELAY)
        try:
            seconds = await video_call(page, doc, stack, lang, booking_id, patient_name)
            if lang == "en":  # the budget figure, once per run
                bare = await bare_call_seconds(browser, stack.api, stack.turn_port, stack.turn_secret)
                record_timing(seconds, bare)
            await chat(page, doc, lang, "Hello Dr. Ortiz, I can see you.")
            await chat(doc, page, lang, f"Hello {patient_name.split()[0]}, you are coming through clearly.")
            await shot(doc, f"{lang}-12-chat")
            await end_call(doc, page, lang)
            await write_and_sign_note(doc, lang)
            await psychiatrist_reads_timeline(doc, stack, lang, patient_name)
        except Exception:
            await shot(doc, f"{lang}-failure-psychiatrist")
            raise
        finally:
            await doc_context.close()
        await patient_sees_summary(page, stack, lang, visit_name)
        admin_context, admin = await new_page(browser, locale=locale)
        await guard_loopback(admin_context, refused)
        try:
            await admin_refunds(admin, stack, lang, patient_name)
        except Exception:
            await shot(admin, f"{lang}-failure-admin")
            raise
        finally:
            await admin_context.close()
        await page.goto(f"{stack.api}/visits/{booking_id}")
        refunded = re.escape(t(lang, "paymentSummary.refundedFull", amount="@")).replace("@", r".*350[.,]00.*")
        await expect(page.get_by_text(re.compile(refunded))).to_be_visible()
        await shot(page, f"{lang}-17-visit-refunded")
    except Exception:
        await shot(page, f"{lang}-failure")
        raise
    finally:
        await context.close()
    assert refused == [], f"the pages tried to reach other hosts: {refused}"


async def test_the_whole_journey_in_english(stack: Stack, browser: Browser) -> None:
    await whole_journey(stack, browser, "en", "Nora Halvorsen", "Initial psychiatric evaluation")


async def test_the_whole_journey_in_spanish(stack: Stack, browser: Browser) -> None:
    await whole_journey(stack, browser, "es", "Lucía Fernández", "Evaluación psiquiátrica inicial")


async def test_the_patient_pages_fit_a_phone_screen(stack: Stack, browser: Browser) -> None:
    """No page needs sideways scrolling at 390 px wide (an iPhone 14), in Spanish, the longer language."""
    context = await browser.new_context(
        locale="es-US", timezone_id="America/Boise", viewport={"width": 390, "height": 844}, is_mobile=True
    )
    page = await context.new_page()
    page.set_default_timeout(15_000)
    refused: list[str] = []
    await guard_loopback(context, refused)
    try:
        email = f"phone.{int(time.time() * 1000)}@example.org"
        await sign_up_and_verify(page, stack, "es", email=email, name="Valentina Castillo-Ramírez")
        await sign_in_patient(page, stack, "es", email)
        too_wide = []
        for path in ("/portal", "/book", "/intake", "/visits", "/questionnaires/phq9", "/scores", "/profile"):
            await page.goto(f"{stack.api}{path}")
            await expect(page.get_by_role("heading", level=1)).to_be_visible()
            await page.wait_for_load_state("networkidle")
            width = await page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            if width[0] > width[1] + 1:
                too_wide.append(f"{path}: {width[0]} px on a {width[1]} px screen")
            await shot(page, f"phone{path.replace('/', '-')}")
        assert too_wide == [], too_wide
    finally:
        await context.close()
    assert refused == [], f"the pages tried to reach other hosts: {refused}"
