"""Single sign-on against a real OpenID Connect provider (panva's oidc-provider under Node).

Our API is driven through its ASGI client; the provider's sign-in pages through a separate
HTTP client acting as the user's browser (tests/support/oidc_provider.complete_login).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import httpx
import pytest
from fastapi import FastAPI
from joserfc import jwt
from joserfc.jwk import OctKey, RSAKey
from pydantic import SecretStr
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from services.api.accounts.models import User
from services.api.accounts.oidc import OidcFailure, OidcRelyingParty, SsoError
from services.api.config import Settings
from services.api.main import build_auth_kit, create_app
from services.common.clock import clock
from tests.factories import create_patient, create_staff
from tests.support.oidc_provider import OIDCProviderHandle, complete_login, start_oidc_provider

CLIENT_ID = "halcyon-sso-test"
CLIENT_SECRET = secrets.token_urlsafe(24)
PUBLIC_URL = "http://app.test"  # the conftest settings' public_url
REDIRECT_URI = f"{PUBLIC_URL}/api/auth/oidc/callback"

LINKED = {  # a Halcyon patient uses this e-mail (in lower case)
    "sub": "sso-linked",
    "email": "Sam.Linked@Example.test",
    "email_verified": True,
    "name": "Sam Linked",
    "password": "linked passphrase 1",
}
UNVERIFIED = {  # a Halcyon patient uses it too, but the provider never verified it
    "sub": "sso-unverified",
    "email": "una.unverified@example.test",
    "email_verified": False,
    "name": "Una Unverified",
    "password": "unverified passphrase 2",
}
STRANGER = {  # no Halcyon account
    "sub": "sso-stranger",
    "email": "sol.stranger@example.test",
    "email_verified": True,
    "name": "Sol Stranger",
    "password": "stranger passphrase 3",
}
STAFF = {  # a psychiatrist with two-factor sign-in
    "sub": "sso-staff",
    "email": "dr.mfa@example.test",
    "email_verified": True,
    "name": "Dr Mfa",
    "password": "staff passphrase 4",
}


@pytest.fixture(scope="module")
def op() -> Iterator[OIDCProviderHandle]:
    handle = start_oidc_provider(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        redirect_uri=REDIRECT_URI,
        users=[LINKED, UNVERIFIED, STRANGER, STAFF],
    )
    try:
        yield handle
    finally:
        handle.stop()  # by PID
    assert handle.proc.poll() is not None


@pytest.fixture
def sso_settings(settings: Settings, op: OIDCProviderHandle) -> Settings:
    return settings.model_copy(
        update={
            "oidc_issuer": op.issuer,
            "oidc_client_id": CLIENT_ID,
            "oidc_client_secret": SecretStr(CLIENT_SECRET),
            "oidc_display_name": "Example ID",
        }
    )


def _app(settings: Settings, engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]) -> FastAPI:
    return create_app(settings, engine=engine, sessionmaker=sessionmaker, check_migrations=False, run_worker=False)


def _asgi_client(app: FastAPI) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 50000))
    return httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL)


@pytest.fixture
def sso_app(sso_settings: Settings, engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]) -> FastAPI:
    return _app(sso_settings, engine, sessionmaker)


@pytest.fixture
async def sso(sso_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """Our API with single sign-on configured (its cookie jar is the user's browser's for our site)."""
    async with _asgi_client(sso_app) as c:
        yield c


@pytest.fixture
async def browser() -> AsyncIterator[httpx.AsyncClient]:
    """The same user's browser on the provider's site: a fresh provider session per test."""
    async with httpx.AsyncClient(timeout=10) as b:
        yield b


async def _callback_url(
    sso: httpx.AsyncClient, browser: httpx.AsyncClient, user: dict[str, Any], *, consent: bool = True
) -> str:
    """Start at our /login and sign in at the provider; returns the URL it sends the browser back to."""
    r = await sso.get("/api/auth/oidc/login")
    assert r.status_code == 302, r.text
    return await complete_login(
        browser, r.headers["location"], email_or_login=user["email"], password=user["password"], consent=consent
    )


def _sso_error(r: httpx.Response) -> str:
    assert r.status_code == 302, r.text
    location = urlsplit(r.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{PUBLIC_URL}/sign-in"
    [code] = parse_qs(location.query)["sso_error"]
    return code


def _with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()} | changes
    return urlunsplit(parts._replace(query=urlencode(query)))


async def _users_with_email(session: AsyncSession, email: str) -> int:
    return int(await session.scalar(select(func.count()).select_from(User).where(User.email == email)) or 0)


async def test_patient_signs_in_through_the_provider_and_gets_a_session(
    sso: httpx.AsyncClient, browser: httpx.AsyncClient, session: AsyncSession, op: OIDCProviderHandle
) -> None:
    patient = await create_patient(session, email=LINKED["email"].lower())

    r = await sso.get("/api/auth/oidc")
    assert r.json() == {"enabled": True, "display_name": "Example ID"}

    r = await sso.get("/api/auth/oidc/login")
    assert r.status_code == 302
    authorize_url = r.headers["location"]
    assert authorize_url.startswith(f"{op.issuer}/")
    query = parse_qs(urlsplit(authorize_url).query)
    assert query["response_type"] == ["code"]
    assert query["client_id"] == [CLIENT_ID]
    assert query["redirect_uri"] == [REDIRECT_URI]
    assert set(query["scope"][0].split()) >= {"openid", "email"}
    assert query["code_challenge_method"] == ["S256"]
    assert query["state"][0]
    assert query["nonce"][0]
    state_cookie = r.headers["set-cookie"].lower()
    for attribute in ("halcyon_oidc=", "httponly", "path=/api/auth/oidc", "samesite=lax", "max-age=600"):
        assert attribute in state_cookie

    callback = await complete_login(browser, authorize_url, email_or_login=LINKED["email"], password=LINKED["password"])
    assert callback.startswith(f"{REDIRECT_URI}?")
    r = await sso.get(callback)
    assert r.status_code == 302, r.text
    assert r.headers["location"] == f"{PUBLIC_URL}/sign-in/complete"
    assert "halcyon_refresh" in r.cookies
    assert 'halcyon_oidc=""' in ";".join(r.headers.get_list("set-cookie"))  # the state cookie is spent

    # The web app swaps the refresh cookie for an access token.
    r = await sso.post("/api/auth/refresh")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "ok"
    assert body["user"]["id"] == str(patient.id)
    auth = {"Authorization": f"Bearer {body['access_token']}"}

    r = await sso.get("/api/me", headers=auth)
    assert r.status_code == 200, r.text
    assert r.json()["id"] == str(patient.id)
    assert r.json()["email"] == LINKED["email"].lower()
    assert r.json()["role"] == "patient"

    r = await sso.get("/api/auth/sessions", headers=auth)
    assert [s["method"] for s in r.json() if s["current"]] == ["oidc"]

    # The callback URL works once: the state cookie went with the first use.
    assert _sso_error(await sso.get(callback)) == "expired"


async def test_unverified_email_at_the_provider_is_refused(
    sso: httpx.AsyncClient, browser: httpx.AsyncClient, session: AsyncSession
) -> None:
    await create_patient(session, email=UNVERIFIED["email"])
    callback = await _callback_url(sso, browser, UNVERIFIED)
    r = await sso.get(callback)
    assert _sso_error(r) == "unverified"
    assert "halcyon_refresh" not in r.cookies


async def test_unknown_email_is_refused_and_creates_no_account(
    sso: httpx.AsyncClient, browser: httpx.AsyncClient, session: AsyncSession
) -> None:
    callback = await _callback_url(sso, browser, STRANGER)
    r = await sso.get(callback)
    assert _sso_error(r) == "no_account"
    assert "halcyon_refresh" not in r.cookies
    assert await _users_with_email(session, STRANGER["email"]) == 0


async def test_staff_with_two_factor_must_use_password_and_code(
    sso: httpx.AsyncClient, browser: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    await create_staff(session, settings, email=STAFF["email"])
    r = await sso.get(await _callback_url(sso, browser, STAFF))
    assert _sso_error(r) == "mfa_required"
    assert "halcyon_refresh" not in r.cookies


async def test_tampered_state_is_refused(
    sso: httpx.AsyncClient, browser: httpx.AsyncClient, session: AsyncSession
) -> None:
    await create_patient(session, email=LINKED["email"].lower())
    callback = await _callback_url(sso, browser, LINKED)
    r = await sso.get(_with_query(callback, state=secrets.token_urlsafe(32)))
    assert _sso_error(r) == "state"
    assert "halcyon_refresh" not in r.cookies


async def test_callback_without_this_browsers_state_cookie_is_refused(
    sso: httpx.AsyncClient, browser: httpx.AsyncClient, session: AsyncSession
) -> None:
    await create_patient(session, email=LINKED["email"].lower())
    callback = await _callback_url(sso, browser, LINKED)
    forged = sso.cookies.get("halcyon_oidc", path="/api/auth/oidc")
    assert forged
    sso.cookies.clear()
    # Another browser (the login-CSRF victim) has no cookie, or one it cannot have signed.
    assert _sso_error(await sso.get(callback)) == "expired"
    r = await sso.get(callback, headers={"Cookie": f"halcyon_oidc={forged[:-4]}AAAA"})
    assert _sso_error(r) == "expired"


async def test_response_from_another_issuer_is_refused(
    sso: httpx.AsyncClient, browser: httpx.AsyncClient, session: AsyncSession
) -> None:
    await create_patient(session, email=LINKED["email"].lower())
    callback = await _callback_url(sso, browser, LINKED)
    assert _sso_error(await sso.get(_with_query(callback, iss="http://127.0.0.1:9"))) == "issuer"


@pytest.mark.parametrize("field", ["nonce", "code_verifier"])
async def test_nonce_and_pkce_verifier_bind_the_tokens_to_this_sign_in(
    field: str, sso_app: FastAPI, sso: httpx.AsyncClient, browser: httpx.AsyncClient, session: AsyncSession
) -> None:
    await create_patient(session, email=LINKED["email"].lower())
    callback = await _callback_url(sso, browser, LINKED)
    rp: OidcRelyingParty = sso_app.state.oidc
    pending = rp.unseal(sso.cookies.get("halcyon_oidc", path="/api/auth/oidc"))
    # A validly signed cookie whose nonce (checked in the ID token) or PKCE verifier (checked
    # by the provider at the token endpoint) is not the one this authorization was made with.
    other = rp.seal(replace(pending, **{field: secrets.token_urlsafe(48)}))
    sso.cookies.clear()
    r = await sso.get(callback, headers={"Cookie": f"halcyon_oidc={other}"})
    assert _sso_error(r) == "token"
    assert "halcyon_refresh" not in r.cookies


async def test_expired_id_token_is_refused(
    sso: httpx.AsyncClient, browser: httpx.AsyncClient, session: AsyncSession
) -> None:
    await create_patient(session, email=LINKED["email"].lower())
    callback = await _callback_url(sso, browser, LINKED)
    clock.advance(hours=2)  # our clock only: the provider still issues a token valid for minutes
    assert _sso_error(await sso.get(callback)) == "token"


async def test_id_token_not_signed_by_the_providers_key_is_refused(
    sso_settings: Settings, browser: httpx.AsyncClient, op: OIDCProviderHandle
) -> None:
    rp = OidcRelyingParty(sso_settings, build_auth_kit(sso_settings))
    jwks = (await browser.get(str((await rp.metadata())["jwks_uri"]))).json()
    kid = jwks["keys"][0]["kid"]
    now = int(time.time())
    claims = {
        "iss": op.issuer,
        "aud": CLIENT_ID,
        "sub": LINKED["sub"],
        "email": LINKED["email"],
        "email_verified": True,
        "iat": now,
        "exp": now + 300,
        "nonce": "n",
    }
    foreign_key = jwt.encode({"alg": "RS256", "kid": kid}, claims, RSAKey.generate_key(2048))
    # An algorithm-confusion attempt: HS256 keyed with the (not so secret) client secret.
    client_secret = jwt.encode({"alg": "HS256", "kid": kid}, claims, OctKey.import_key(CLIENT_SECRET))
    for forged in (foreign_key, client_secret):
        with pytest.raises(OidcFailure) as failure:
            await rp.verify_id_token(forged, nonce="n")
        assert failure.value.code == SsoError.token


async def test_user_who_cancels_at_the_provider_lands_on_sign_in(
    sso: httpx.AsyncClient, browser: httpx.AsyncClient
) -> None:
    callback = await _callback_url(sso, browser, STRANGER, consent=False)
    assert parse_qs(urlsplit(callback).query)["error"] == ["access_denied"]
    assert _sso_error(await sso.get(callback)) == "denied"


async def test_unreachable_provider_sends_the_user_back_with_an_error(
    sso_settings: Settings, engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    down = sso_settings.model_copy(update={"oidc_issuer": "http://127.0.0.1:9"})  # nothing listens on port 9
    async with _asgi_client(_app(down, engine, sessionmaker)) as c:
        r = await c.get("/api/auth/oidc/login")
        assert _sso_error(r) == "unavailable"
        assert "halcyon_oidc" not in r.cookies


async def test_sign_in_endpoints_are_documented(sso: httpx.AsyncClient) -> None:
    paths = (await sso.get("/openapi.json")).json()["paths"]
    assert paths["/api/auth/oidc"]["get"]["operationId"] == "auth-oidc_info"
    for path in ("/api/auth/oidc/login", "/api/auth/oidc/callback"):
        operation = paths[path]["get"]
        assert {"302", "404"} <= set(operation["responses"]), path
        assert "200" not in operation["responses"], path
    assert "sso_error" in paths["/api/auth/oidc/callback"]["get"]["responses"]["302"]["description"]


async def test_without_a_provider_single_sign_on_is_off(client: httpx.AsyncClient) -> None:
    r = await client.get("/api/auth/oidc")
    assert r.status_code == 200
    assert r.json() == {"enabled": False, "display_name": None}
    for path in ("/api/auth/oidc/login", "/api/auth/oidc/callback?code=x&state=y"):
        r = await client.get(path)
        assert r.status_code == 404, path
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json()["type"].endswith("oidc-not-configured")
