"""Accessibility in Debian's Chromium: axe-core's WCAG 2 A/AA rules on the key screens, in
English (desktop) and Spanish (a 390 px phone screen), and the keyboard on its own.

axe-core comes from `frontend/node_modules` (a devDependency of the web app) and is injected
into each page after it has loaded; only violations a screen-reader or low-vision user would
be stopped by (impact serious or critical) fail the test, and the failure lists each rule, its
help text and the elements to fix, screen by screen. A check of our own adds what axe-core
leaves out: form fields must stand out 3:1 from the page (WCAG 1.4.11, non-text contrast).
"""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect

from tests.e2e.conftest import PASSWORD, Stack, StaffLogin, new_page, shot
from tests.e2e.i18n import prefix, t
from tests.e2e.test_journey import (
    book_and_pay,
    fill_intake,
    fill_phq9,
    guard_loopback,
    sign_in,
    sign_in_patient,
    sign_up_and_verify,
)
from tests.signaling.support import ROOT

pytestmark = pytest.mark.xdist_group("e2e")  # one browser and one stack per run

AXE = ROOT / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.0, 2.1 and 2.2 success criteria at levels A and AA.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
BLOCKING = ("serious", "critical")
VISIT = {"en": "Initial psychiatric evaluation", "es": "Evaluación psiquiátrica inicial"}
NAMES = {"en": "Grace Okafor", "es": "Rocío Martínez-Ibarra"}


class Audit:
    """Scans screens with axe-core and keeps every blocking violation for one report."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.screens: list[str] = []
        self.problems: list[str] = []
        self.notes: list[str] = []  # moderate, minor and undecided findings: printed, not failed

    async def scan(self, page: Page, screen: str) -> None:
        name = f"{self.lang} {screen}"
        await settle(page)
        if not await page.evaluate("typeof window.axe !== 'undefined'"):
            await page.add_script_tag(path=str(AXE))
        result = await page.evaluate(
            """(tags) => axe.run(document, {
                runOnly: {type: 'tag', values: tags},
                resultTypes: ['violations', 'incomplete'],
            })""",
            WCAG_TAGS,
        )
        self.screens.append(name)
        for v in result["violations"]:
            if v["impact"] in BLOCKING:
                self.problems.append(describe(name, page.url, v))
            else:
                self.notes.append(f"[{name}] {v['id']} ({v['impact']}): {v['help']}")
        for v in result["incomplete"]:  # axe could not decide (e.g. text over an image): look
            targets = ", ".join(" ".join(map(str, n["target"])) for n in v["nodes"][:5])
            self.notes.append(f"[{name}] needs review: {v['id']}: {v['help']} ({targets})")
        faint = await page.evaluate(FIELD_BOUNDARIES)
        if faint:
            self.problems.append(describe(name, page.url, faint_fields(faint)))
        await shot(page, f"a11y-{self.lang}-{re.sub(r'[^a-z0-9]+', '-', screen.lower()).strip('-')}")

    def check(self) -> None:
        assert self.screens, "no screen was scanned"
        print(f"\naxe-core scanned {len(self.screens)} screens ({self.lang}): {', '.join(self.screens)}")
        for note in self.notes:
            print(f"  not failing: {note}")
        if self.problems:
            report = "\n\n".join(self.problems)
            print(report)
            raise AssertionError(
                f"{len(self.problems)} serious or critical accessibility violations "
                f"on {len(self.screens)} screens:\n\n{report}"
            )


# axe-core leaves WCAG 1.4.11 (non-text contrast) out. A text field, select or textarea must
# stand out from what is around it by 3:1, through its border or its own fill; a faint border
# on a white page leaves a low-vision user guessing where to type.
FIELD_BOUNDARIES = """() => {
  const parse = (c) => {
    const m = c.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const p = m[1].split(/[\\s,/]+/).filter(Boolean).map(Number);
    return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
  };
  const lum = ({r, g, b}) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const ratio = (x, y) => {
    const [hi, lo] = [lum(x), lum(y)].sort((p, q) => q - p);
    return (hi + 0.05) / (lo + 0.05);
  };
  const behind = (el) => {
    for (let n = el.parentElement; n; n = n.parentElement) {
      const c = parse(getComputedStyle(n).backgroundColor);
      if (c && c.a > 0) return c;
    }
    return {r: 255, g: 255, b: 255, a: 1};
  };
  const skip = ['radio', 'checkbox', 'hidden', 'range', 'color', 'submit', 'button', 'reset', 'image', 'file'];
  const out = [];
  for (const el of document.querySelectorAll('input, select, textarea')) {
    if (el.disabled || skip.includes(el.type) || !el.checkVisibility({visibilityProperty: true})) continue;
    const rect = el.getBoundingClientRect();
    if (rect.width < 4 || rect.height < 4) continue;
    const s = getComputedStyle(el);
    const around = behind(el);
    const fill = parse(s.backgroundColor);
    let best = fill && fill.a > 0 ? ratio(fill, around) : 1;
    let edge = '';
    for (const side of ['Top', 'Right', 'Bottom', 'Left']) {
      const colour = parse(s[`border${side}Color`]);
      if (s[`border${side}Style`] === 'none' || parseFloat(s[`border${side}Width`]) <= 0 || !colour) continue;
      const r = ratio(colour, around);
      if (r > best) best = r;
      edge = s[`border${side}Color`];
    }
    if (best >= 3) continue;
    const named = (l) => {  // the label's own words, without the options of a select inside it
      const copy = l.cloneNode(true);
      copy.querySelectorAll('select, input, textarea').forEach((c) => c.remove());
      return copy.textContent;
    };
    const label = (el.labels && el.labels[0] ? named(el.labels[0])
      : el.getAttribute('aria-label') || el.placeholder || el.name || '').trim().slice(0, 50);
    out.push({
      target: [`${el.tagName.toLowerCase()}[type=${el.type}] "${label}"`],
      failureSummary: `border ${edge || 'none'}, fill ${s.backgroundColor}, around it ` +
        `rgb(${around.r}, ${around.g}, ${around.b}): ${best.toFixed(2)}:1 where 3:1 is needed`,
    });
  }
  return out;
}"""


def faint_fields(nodes: list[dict[str, Any]]) -> dict[str, Any]:
    """Our field check's findings, shaped like an axe-core violation for one report."""
    return {
        "id": "non-text-contrast",
        "impact": "serious",
        "help": "Form fields need a boundary (border or fill) with 3:1 contrast against their surroundings",
        "helpUrl": "https://www.w3.org/WAI/WCAG22/Understanding/non-text-contrast.html",
        "nodes": nodes,
    }


def describe(screen: str, url: str, violation: dict[str, Any]) -> str:
    lines = [
        f"[{screen}] {url}",
        f"  {violation['id']} ({violation['impact']}): {violation['help']}",
        f"  {violation['helpUrl']}",
    ]
    for node in violation["nodes"][:10]:
        target = " ".join(str(part) for part in node["target"])
        summary = " ".join((node.get("failureSummary") or "").split())
        lines.append(f"    - {target}\n      {summary[:300]}")
    if len(violation["nodes"]) > 10:
        lines.append(f"    ... and {len(violation['nodes']) - 10} more elements")
    return "\n".join(lines)


async def settle(page: Page) -> None:
    """The screen as a user sees it once loaded: a heading, no spinner, no requests in flight."""
    await expect(page.get_by_role("heading", level=1).first).to_be_visible()
    await expect(page.locator(".state-loading")).to_have_count(0)
    await page.wait_for_load_state("networkidle")


@asynccontextmanager
async def opened(browser: Browser, lang: str, refused: list[str]) -> AsyncIterator[Page]:
    """English on a desktop, Spanish on a phone: both layouts are scanned."""
    context: BrowserContext
    if lang == "es":
        context = await browser.new_context(
            locale="es-US", timezone_id="America/Boise", viewport={"width": 390, "height": 844}, is_mobile=True
        )
        page = await context.new_page()
        page.set_default_timeout(15_000)
    else:
        context, page = await new_page(browser)
    await guard_loopback(context, refused)
    try:
        yield page
    except Exception:
        await shot(page, f"a11y-{lang}-failure")
        raise
    finally:
        await context.close()


async def sign_in_staff_scanning(page: Page, stack: Stack, lang: str, login: StaffLogin, audit: Audit) -> None:
    await sign_in(page, stack, lang, login.email, login.password)
    await expect(page.get_by_label(t(lang, "form.code"))).to_be_visible()
    await audit.scan(page, "sign-in: authenticator code")
    await page.get_by_label(t(lang, "form.code")).fill(login.code())
    await page.get_by_role("button", name=t(lang, "signIn.mfaSubmit"), exact=True).click()


@pytest.mark.parametrize("lang", ["en", "es"])
async def test_key_screens_have_no_serious_accessibility_violations(stack: Stack, browser: Browser, lang: str) -> None:
    assert AXE.exists(), "axe-core is missing: npm ci --prefix frontend (make test does this)"
    audit = Audit(lang)
    refused: list[str] = []
    name = NAMES[lang]
    email = f"a11y.{lang}.{int(time.time() * 1000)}@example.org"
    async with opened(browser, lang, refused) as page:
        # Signed out: the public pages, and the forms with their errors showing.
        await page.goto(f"{stack.api}/")
        await audit.scan(page, "home")
        await page.goto(f"{stack.api}/sign-in")
        await audit.scan(page, "sign-in")
        await page.get_by_label(t(lang, "form.email"), exact=True).fill(f"nobody.{lang}@example.org")
        await page.get_by_label(t(lang, "form.password"), exact=True).fill("not the password")
        await page.get_by_role("button", name=t(lang, "signIn.submit"), exact=True).click()
        await expect(page.get_by_role("alert").first).to_be_visible()
        await audit.scan(page, "sign-in: wrong password")
        await page.goto(f"{stack.api}/sign-up")
        await audit.scan(page, "sign-up")
        # Too young to sign up: the server's field error shows beside the date of birth.
        await page.get_by_label(t(lang, "signUp.fullName")).fill(name)
        await page.get_by_label(t(lang, "form.email"), exact=True).fill(email)
        await page.get_by_label(t(lang, "form.password"), exact=True).fill(PASSWORD)
        await page.get_by_label(t(lang, "signUp.dateOfBirth")).fill("2015-04-12")
        await page.get_by_label(t(lang, "signUp.state")).select_option("ID")
        await page.get_by_label(t(lang, "signUp.timeZone")).select_option("America/Boise")
        await page.get_by_role("button", name=t(lang, "signUp.submit")).click()
        await expect(page.locator(".field-error").first).to_be_visible()
        await audit.scan(page, "sign-up: errors")

        # The patient portal.
        await sign_up_and_verify(page, stack, lang, email=email, name=name)
        await sign_in_patient(page, stack, lang, email)
        await audit.scan(page, "portal home")
        await page.goto(f"{stack.api}/intake")
        await audit.scan(page, "intake")
        await fill_intake(page, stack, lang)
        await audit.scan(page, "intake: submitted")
        await page.goto(f"{stack.api}/questionnaires/phq9")
        await expect(page.get_by_role("group").first).to_be_visible()
        await audit.scan(page, "rating scale (PHQ-9)")
        await fill_phq9(page, stack, lang)
        await audit.scan(page, "rating scale: result")
        await page.goto(f"{stack.api}/book")
        await page.get_by_role("radio", name=re.compile(VISIT[lang])).check()
        await page.get_by_role("group", name=t(lang, "book.chooseTime")).get_by_role("radio").first.check()
        await expect(page.get_by_role("button", name=t(lang, "book.submit"))).to_be_visible()
        await audit.scan(page, "find a time")
        booking_id = await book_and_pay(page, stack, lang, VISIT[lang])
        await audit.scan(page, "visit: paid")
        await page.goto(f"{stack.api}/visits")
        await expect(page.locator(f'a[href="/visits/{booking_id}"]')).to_be_visible()
        await audit.scan(page, "my visits")

        # The patient waits in the call's waiting room for the psychiatrist.
        await page.goto(f"{stack.api}/visits/{booking_id}/call")
        await audit.scan(page, "call: lobby")
        await page.get_by_role("button", name=t(lang, "call.join")).click()
        await expect(page.get_by_text(prefix(lang, "call.status.waiting"))).to_be_visible(timeout=20_000)
        await audit.scan(page, "call: waiting")

        async with opened(browser, lang, refused) as doc:
            await sign_in_staff_scanning(doc, stack, lang, stack.psychiatrist, audit)
            await doc.wait_for_url(re.compile(r"/today"))
            await expect(doc.get_by_role("button", name=t(lang, "waiting.admit", name=name))).to_be_visible(
                timeout=20_000
            )
            await audit.scan(doc, "today and waiting room")
            await doc.goto(f"{stack.api}/visits/{booking_id}/note")
            await expect(doc.get_by_role("group", name=t(lang, "notes.template"))).to_be_visible()
            await audit.scan(doc, "note: choose a template")
            await doc.get_by_role("group", name=t(lang, "notes.template")).get_by_role("radio").nth(1).check()
            await doc.get_by_role("button", name=t(lang, "notes.start")).click()
            await expect(doc.get_by_role("button", name=t(lang, "notes.sign"))).to_be_visible()
            await audit.scan(doc, "note editor")

    async with opened(browser, lang, refused) as admin:
        await sign_in_staff_scanning(admin, stack, lang, stack.admin, audit)
        await admin.wait_for_url(re.compile(r"/admin"))
        await audit.scan(admin, "admin billing")
        await admin.goto(f"{stack.api}/admin/payments")
        await expect(admin.get_by_role("row").filter(has_text=name)).to_be_visible()
        await audit.scan(admin, "admin payments")
        await admin.goto(f"{stack.api}/admin/audit")
        await expect(admin.get_by_role("row").nth(1)).to_be_visible()
        await audit.scan(admin, "admin audit log")

    assert refused == [], f"the pages tried to reach other hosts: {refused}"
    audit.check()


async def focused(page: Page) -> dict[str, Any]:
    """What has the keyboard focus, and whether a focus ring is drawn around it."""
    info: dict[str, Any] = await page.evaluate(
        """() => {
            const el = document.activeElement;
            if (!el || el === document.body) return {tag: 'body'};
            const style = getComputedStyle(el);
            const label = el.labels && el.labels.length ? el.labels[0].textContent : '';
            return {
                tag: el.tagName.toLowerCase(),
                type: el.getAttribute('type') || '',
                name: el.getAttribute('name') || '',
                text: (el.getAttribute('aria-label') || label || el.textContent || '').trim().slice(0, 60),
                outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
                ring: `${style.outlineStyle} ${style.outlineWidth} fv=${el.matches(':focus-visible')}`,
                checked: el.checked === true,
            };
        }"""
    )
    return info


async def tab_until(page: Page, matches: Any, *, limit: int = 30) -> list[dict[str, Any]]:
    """Press Tab until `matches(focused)`; returns every stop on the way, the match last."""
    stops = []
    for _ in range(limit):
        await page.keyboard.press("Tab")
        info = await focused(page)
        stops.append(info)
        if matches(info):
            return stops
    raise AssertionError(f"{limit} presses of Tab never reached the control; focus went: {stops}")


def is_button(text: str) -> Any:
    return lambda f: f["tag"] == "button" and f["text"] == text


async def test_sign_in_and_booking_work_with_the_keyboard_alone(stack: Stack, browser: Browser) -> None:
    lang = "en"
    refused: list[str] = []
    email = f"keyboard.{int(time.time() * 1000)}@example.org"
    async with opened(browser, lang, refused) as page:
        await sign_up_and_verify(page, stack, lang, email=email, name="Kai Tanaka")
        await sign_in_patient(page, stack, lang, email)
        await fill_intake(page, stack, lang)  # booking asks for a submitted intake
        await page.context.clear_cookies()

        # Sign-in: from the top of the page, Tab reaches e-mail, password, then the button.
        await page.goto(f"{stack.api}/sign-in")
        await expect(page.get_by_role("heading", level=1)).to_be_visible()
        stops = await tab_until(page, is_button(t(lang, "signIn.submit")))
        order = [s["text"] for s in stops if s["tag"] in ("input", "button")]
        assert order[-3:] == [t(lang, "form.email"), t(lang, "form.password"), t(lang, "signIn.submit")], stops
        not_ringed = [s for s in stops if not s["outline"]]
        assert not_ringed == [], f"focus is not visible on: {not_ringed}"

        # ... and typing with Enter at the end signs in.
        await page.goto(f"{stack.api}/sign-in")
        await expect(page.get_by_role("heading", level=1)).to_be_visible()
        await tab_until(page, lambda f: f["text"] == t(lang, "form.email"))
        await page.keyboard.type(email)
        await page.keyboard.press("Tab")
        assert (await focused(page))["text"] == t(lang, "form.password")
        await page.keyboard.type(PASSWORD)
        await page.keyboard.press("Enter")
        await page.wait_for_url(re.compile(r"/portal"))

        # Booking: the visit type and a time picked with Tab, Space and the arrow keys.
        await page.goto(f"{stack.api}/book")
        await expect(page.get_by_role("radio", name=re.compile(VISIT[lang]))).to_be_visible()
        visit = (await tab_until(page, lambda f: f["name"] == "visit_type"))[-1]
        assert visit["outline"], f"focus is not visible on the visit type: {visit}"
        await page.keyboard.press("Space")
        wanted = page.get_by_role("radio", name=re.compile(VISIT[lang]))
        for _ in range(await page.locator("input[name=visit_type]").count()):
            if await wanted.is_checked():
                break
            await page.keyboard.press("ArrowDown")  # moves to the next visit type and picks it
        await expect(wanted).to_be_checked()
        slots = page.get_by_role("group", name=t(lang, "book.chooseTime")).get_by_role("radio")
        await expect(slots.first).to_be_visible()
        # The days come first: the arrow key moves to tomorrow, whose round-the-clock schedule has
        # times enough for the arrows below (late in the evening today may have only one or two).
        stops = await tab_until(page, lambda f: f["name"] == "slot-day")
        await page.keyboard.press("ArrowDown")
        days = page.get_by_role("group", name=t(lang, "book.chooseDay")).get_by_role("radio")
        await expect(days.nth(1)).to_be_checked()
        await expect(slots.nth(2)).to_be_visible()
        stops += await tab_until(page, lambda f: f["name"] == "slot")
        not_ringed = [s for s in stops if not s["outline"]]
        assert not_ringed == [], f"focus is not visible on: {not_ringed}"
        await page.keyboard.press("ArrowDown")
        await page.keyboard.press("ArrowDown")
        await expect(slots.nth(2)).to_be_checked()
        assert (await focused(page))["checked"], "the arrow keys moved the choice but not the focus"
        chosen = await slots.nth(2).evaluate("el => el.closest('label').textContent")
        submit = t(lang, "book.submit")
        reached = (await tab_until(page, is_button(submit), limit=10))[-1]
        assert reached["outline"], f"focus is not visible on the book button: {reached}"
        await shot(page, "a11y-en-keyboard-booking")
        await page.keyboard.press("Enter")
        await page.wait_for_url(re.compile(r"/visits/[0-9a-f-]{36}$"))
        await expect(page.get_by_text(t(lang, "payment.testMode"))).to_be_visible()
        time_text = chosen.strip().split()[0]
        await expect(page.get_by_text(time_text, exact=False).first).to_be_visible()
    assert refused == [], f"the pages tried to reach other hosts: {refused}"
