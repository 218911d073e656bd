"""The embedded run as `make run` starts it: migrate, seed the demo, serve API + signaling."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyotp
import pytest

from tests.support.mail import free_port


def _halcyon(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "services.cli", *args], env=env, capture_output=True, text=True, timeout=120
    )


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    var = tmp_path_factory.mktemp("embedded-var")
    api_port, sig_port, smtp_port, stripe_port = free_port(), free_port(), free_port(), free_port()
    env = {
        **os.environ,
        "HALCYON_VAR_DIR": str(var),
        "HALCYON_API_PORT": str(api_port),
        "HALCYON_PUBLIC_URL": f"http://127.0.0.1:{api_port}",
        "HALCYON_SIGNALING_PORT": str(sig_port),
        "HALCYON_SMTP_PORT": str(smtp_port),
        "HALCYON_STRIPE_STANDIN_PORT": str(stripe_port),
        "HALCYON_ENV": "development",
    }
    for key in ("HALCYON_DATABASE_URL", "HALCYON_STRIPE_SECRET_KEY", "HALCYON_STRIPE_API_BASE"):
        env.pop(key, None)
    assert _halcyon("migrate", env=env).returncode == 0
    seeded = _halcyon("seed-demo", env=env)
    assert seeded.returncode == 0, seeded.stderr
    log = (var / "serve.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "services.cli", "serve"], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        # Generous: on a busy 2-core machine starting every part (stand-in, signaling, mail)
        # has taken over 30 s; a person waits for it too.
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{api_port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None:
                pytest.fail("halcyon serve exited:\n" + (var / "serve.log").read_text())
            time.sleep(0.2)
        else:
            pytest.fail("halcyon serve did not answer within 120 s:\n" + (var / "serve.log").read_text())
        yield {
            "api": f"http://127.0.0.1:{api_port}",
            "signaling": f"http://127.0.0.1:{sig_port}",
            "seed_output": seeded.stdout,
            "var": str(var),
            "log": str(var / "serve.log"),
            "stripe": f"http://127.0.0.1:{stripe_port}",
            **{k: v for k, v in env.items() if k.startswith("HALCYON_")},
        }
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def test_serve_prints_where_everything_is(embedded: dict[str, str]) -> None:
    deadline = time.monotonic() + 10
    text = ""
    while time.monotonic() < deadline and "signaling health" not in text:
        text = Path(embedded["log"]).read_text()
        time.sleep(0.1)
    assert f"{embedded['api']}/docs" in text
    assert f"{embedded['signaling']}/healthz" in text
    assert "local mailbox" in text
    assert f"test payments    Stripe stand-in on {embedded['stripe']}" in text


def test_both_services_answer_health(embedded: dict[str, str]) -> None:
    assert httpx.get(f"{embedded['api']}/healthz").json()["database"] == "ok"
    assert httpx.get(f"{embedded['signaling']}/healthz").json()["status"] == "ok"
    assert httpx.get(f"{embedded['api']}/docs").status_code == 200


def test_demo_accounts_are_printed_once_and_work(embedded: dict[str, str]) -> None:
    out = embedded["seed_output"]
    rows = re.findall(r"^\s+(admin|psychiatrist|patient)\s+(\S+)\s+password (\S+)(?:\s+MFA secret (\S+))?", out, re.M)
    roles = [r[0] for r in rows]
    assert roles.count("admin") == 1
    assert roles.count("psychiatrist") == 2
    assert roles.count("patient") == 2
    again = _halcyon("seed-demo", env={**os.environ, **{k: v for k, v in embedded.items() if k.startswith("HALCYON_")}})
    assert "already exist" in again.stdout
    assert "password demo-" not in again.stdout

    _, email, password, secret = next(r for r in rows if r[0] == "psychiatrist")
    with httpx.Client(base_url=embedded["api"]) as c:
        r = c.post("/api/auth/login", json={"email": email, "password": password})
        assert r.json()["status"] == "mfa_required"
        r = c.post("/api/auth/login/mfa", json={"mfa_token": r.json()["mfa_token"], "code": pyotp.TOTP(secret).now()})
        assert r.status_code == 200, r.text
        token = r.json()["access_token"]
        me = c.get("/api/me", headers={"Authorization": f"Bearer {token}"}).json()
        assert me["role"] == "psychiatrist"
        directory = c.get("/api/psychiatrists").json()
        zones = {p["time_zone"] for p in directory}
        states = {lic["state"] for p in directory for lic in p["licenses"]}
        assert zones == {"America/Boise", "America/Los_Angeles"}
        assert {"ID", "CA"} <= states


def test_local_mailbox_shows_mail_a_user_can_click(embedded: dict[str, str]) -> None:
    email = f"walkin.{int(time.time() * 1000)}@example.org"
    with httpx.Client(base_url=embedded["api"]) as c:
        r = c.post(
            "/api/auth/register",
            json={
                "email": email,
                "password": "a long enough passphrase",
                "full_name": "Walk In",
                "date_of_birth": "1990-01-01",
                "state": "CA",
                "time_zone": "America/Los_Angeles",
                "language": "en",
            },
        )
        assert r.status_code == 202
        deadline = time.monotonic() + 15
        items: list[dict[str, str]] = []
        while time.monotonic() < deadline:
            items = [m for m in c.get("/api/dev/mailbox").json()["items"] if m["to"] == email]
            if items:
                break
            time.sleep(0.2)
        assert items, "the in-process worker did not deliver to the local SMTP server"
        text = c.get(f"/api/dev/mailbox/{items[0]['id']}").json()["text"]
        token = re.search(r"/verify-email\?token=([A-Za-z0-9_\-]+)", text)
        assert token
        assert c.post("/api/auth/verify-email", json={"token": token.group(1)}).status_code == 200


def _sign_in(c: httpx.Client, email: str, password: str, secret: str | None = None) -> dict[str, str]:
    r = c.post("/api/auth/login", json={"email": email, "password": password})
    assert r.status_code == 200, r.text
    if r.json()["status"] == "mfa_required":
        assert secret
        r = c.post("/api/auth/login/mfa", json={"mfa_token": r.json()["mfa_token"], "code": pyotp.TOTP(secret).now()})
        assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def test_without_stripe_keys_a_patient_books_and_pays_with_a_test_card(embedded: dict[str, str]) -> None:
    """The embedded run starts the Stripe stand-in on loopback; its signed webhook confirms the visit."""
    rows = re.findall(
        r"^\s+(admin|psychiatrist|patient)\s+(\S+)\s+password (\S+)(?:\s+MFA secret (\S+))?",
        embedded["seed_output"],
        re.M,
    )
    _, admin_email, admin_password, admin_secret = next(r for r in rows if r[0] == "admin")
    _, patient_email, patient_password, _ = next(r for r in rows if r[0] == "patient")
    with httpx.Client(base_url=embedded["api"], timeout=30) as c:
        ah = _sign_in(c, admin_email, admin_password, admin_secret)
        vt = c.post(
            "/api/admin/visit-types",
            json={
                "code": f"paid-check-{int(time.time())}",
                "name": "Paid check",
                "duration_minutes": 30,
                "price_cents": 5000,
            },
            headers=ah,
        )
        assert vt.status_code == 201, vt.text
        ph = _sign_in(c, patient_email, patient_password)
        today = time.strftime("%Y-%m-%d")
        until = time.strftime("%Y-%m-%d", time.localtime(time.time() + 20 * 86400))
        slots = c.get(
            "/api/scheduling/slots", params={"visit_type_id": vt.json()["id"], "from": today, "to": until}, headers=ph
        )
        assert slots.status_code == 200, slots.text
        slot = slots.json()["slots"][0]
        booking = c.post(
            "/api/bookings",
            json={
                "visit_type_id": vt.json()["id"],
                "psychiatrist_id": slot["psychiatrist_id"],
                "starts_at": slot["starts_at"],
            },
            headers=ph,
        )
        assert booking.status_code == 201, booking.text
        bid = booking.json()["id"]
        pay = c.post(f"/api/bookings/{bid}/payment", headers=ph).json()
        assert pay["stripe"]["stand_in"] is True
        assert pay["stripe"]["test_mode"] is True
        assert pay["stripe"]["js_url"] == f"{embedded['stripe']}/js.stripe.com/v3/"
        assert httpx.get(pay["stripe"]["js_url"]).status_code == 200  # the stand-in's Stripe.js for the browser
        token = httpx.post(
            f"{embedded['stripe']}/v1/tokens",
            data={
                "card[number]": "4242424242424242",
                "card[exp_month]": "12",
                "card[exp_year]": "2034",
                "card[cvc]": "123",
                "key": pay["stripe"]["publishable_key"],
            },
        ).json()["id"]
        r = c.post(f"/api/bookings/{bid}/payment/card", json={"token": token}, headers=ph)
        assert r.status_code == 200, r.text
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            shown = c.get(f"/api/bookings/{bid}/payment", headers=ph).json()
            if shown["booking_status"] == "confirmed":
                break
            time.sleep(0.3)
        assert shown["booking_status"] == "confirmed", shown
        assert shown["outcome"] == "confirmed"
