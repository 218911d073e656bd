"""Checks the real OIDC provider harness end to end, as a relying party would use it.

Discovery, authorization code + PKCE (S256) via Authlib's AsyncOAuth2Client, the login form
driven by complete_login, the token exchange, and ID-token verification with joserfc against
the provider's JWKS.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from authlib.common.security import generate_token
from authlib.integrations.httpx_client import AsyncOAuth2Client
from joserfc import jwt
from joserfc.errors import InvalidClaimError
from joserfc.jwk import KeySet

from tests.support.oidc_provider import (
    OIDCLoginError,
    OIDCProviderHandle,
    complete_login,
    start_oidc_provider,
)

CLIENT_ID = "halcyon-test"
CLIENT_SECRET = secrets.token_urlsafe(24)
# Nothing listens here: complete_login returns the callback URL without requesting it.
REDIRECT_URI = "http://127.0.0.1:9/auth/oidc/callback"
SCOPE = "openid email profile"
USERS = [
    {
        "sub": "clinician-1",
        "email": "Dr.Ada@Example.test",
        "email_verified": True,
        "name": "Ada Clinician",
        "password": "correct horse battery staple",
    },
    {
        "sub": "patient-2",
        "email": "pat@example.test",
        "email_verified": False,
        "name": "Pat Patient",
        "password": "hunter2hunter2",
    },
]


@pytest.fixture(scope="module")
def op() -> Iterator[OIDCProviderHandle]:
    with start_oidc_provider(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        redirect_uri=REDIRECT_URI,
        users=USERS,
    ) as handle:
        yield handle
    assert handle.proc.poll() is not None, "provider process must be gone after the block"


def _rp(**kwargs) -> AsyncOAuth2Client:
    return AsyncOAuth2Client(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        scope=SCOPE,
        redirect_uri=REDIRECT_URI,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic",
        **kwargs,
    )


async def _discover(rp: AsyncOAuth2Client, issuer: str) -> dict:
    response = await rp.request("GET", f"{issuer}/.well-known/openid-configuration", withhold_token=True)
    response.raise_for_status()
    metadata = response.json()
    assert metadata["issuer"] == issuer
    return metadata


def test_provider_binds_loopback(op: OIDCProviderHandle) -> None:
    parts = urlsplit(op.issuer)
    assert parts.scheme == "http"
    assert parts.hostname == "127.0.0.1"
    assert parts.port
    assert parts.port > 0
    assert op.proc.poll() is None


@pytest.mark.asyncio
async def test_code_flow_with_pkce_and_id_token_verification(
    op: OIDCProviderHandle,
) -> None:
    async with _rp() as rp, httpx.AsyncClient(timeout=10) as browser:
        metadata = await _discover(rp, op.issuer)
        assert metadata["code_challenge_methods_supported"] == ["S256"]
        assert {"openid", "email", "profile"} <= set(metadata["scopes_supported"])
        assert {"email", "email_verified", "name"} <= set(metadata["claims_supported"])

        code_verifier = generate_token(64)
        nonce = generate_token(24)
        authorize_url, state = rp.create_authorization_url(
            metadata["authorization_endpoint"], code_verifier=code_verifier, nonce=nonce
        )
        query = parse_qs(urlsplit(authorize_url).query)
        assert query["code_challenge_method"] == ["S256"]

        # Login by email, case-insensitively.
        callback = await complete_login(
            browser,
            authorize_url,
            email_or_login="dr.ada@example.test",
            password="correct horse battery staple",
        )
        assert callback.startswith(REDIRECT_URI + "?")
        params = parse_qs(urlsplit(callback).query)
        assert params["state"] == [state]
        assert params["iss"] == [op.issuer]  # RFC 9207 authorization response iss
        assert params["code"][0]

        token = await rp.fetch_token(
            metadata["token_endpoint"],
            authorization_response=callback,
            state=state,
            code_verifier=code_verifier,
        )
        assert token["token_type"].lower() == "bearer"
        assert token["access_token"]

        jwks = (await rp.request("GET", metadata["jwks_uri"], withhold_token=True)).json()
        key_set = KeySet.import_key_set(jwks)
        id_token = jwt.decode(token["id_token"], key_set, algorithms=["RS256"])
        registry = jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": op.issuer},
            aud={"essential": True, "value": CLIENT_ID},
            nonce={"essential": True, "value": nonce},
            sub={"essential": True, "value": "clinician-1"},
            exp={"essential": True},
            iat={"essential": True},
        )
        registry.validate(id_token.claims)
        assert id_token.header["kid"] in {k["kid"] for k in jwks["keys"]}
        assert id_token.claims["email"] == "Dr.Ada@Example.test"
        assert id_token.claims["email_verified"] is True
        assert id_token.claims["name"] == "Ada Clinician"

        # A mismatching nonce is rejected by the same validation.
        with pytest.raises(InvalidClaimError):
            jwt.JWTClaimsRegistry(nonce={"essential": True, "value": "other"}).validate(id_token.claims)

        userinfo = (await rp.get(metadata["userinfo_endpoint"])).json()
        assert userinfo == {
            "sub": "clinician-1",
            "email": "Dr.Ada@Example.test",
            "email_verified": True,
            "name": "Ada Clinician",
        }

        # The browser now has a provider session: a second authorization skips the login
        # form (consent was already granted) and comes straight back with a code.
        again_url, again_state = rp.create_authorization_url(
            metadata["authorization_endpoint"],
            code_verifier=generate_token(64),
            nonce=nonce,
        )
        again = await complete_login(browser, again_url, email_or_login="x", password="x")
        again_params = parse_qs(urlsplit(again).query)
        assert again_params["state"] == [again_state]
        assert again_params["code"][0]


@pytest.mark.asyncio
async def test_unverified_email_is_reported_false(op: OIDCProviderHandle) -> None:
    async with _rp() as rp, httpx.AsyncClient(timeout=10) as browser:
        metadata = await _discover(rp, op.issuer)
        code_verifier = generate_token(64)
        authorize_url, state = rp.create_authorization_url(
            metadata["authorization_endpoint"], code_verifier=code_verifier, nonce="n-1"
        )
        callback = await complete_login(
            browser,
            authorize_url,
            email_or_login="patient-2",
            password="hunter2hunter2",
        )
        token = await rp.fetch_token(
            metadata["token_endpoint"],
            authorization_response=callback,
            state=state,
            code_verifier=code_verifier,
        )
        claims = jwt.decode(
            token["id_token"],
            KeySet.import_key_set((await rp.request("GET", metadata["jwks_uri"], withhold_token=True)).json()),
        ).claims
        assert claims["email"] == "pat@example.test"
        assert claims["email_verified"] is False


@pytest.mark.asyncio
async def test_wrong_password_yields_no_code(op: OIDCProviderHandle) -> None:
    async with _rp() as rp, httpx.AsyncClient(timeout=10) as browser:
        metadata = await _discover(rp, op.issuer)
        authorize_url, _ = rp.create_authorization_url(
            metadata["authorization_endpoint"],
            code_verifier=generate_token(64),
            nonce="n",
        )
        with pytest.raises(OIDCLoginError) as excinfo:
            await complete_login(
                browser,
                authorize_url,
                email_or_login="dr.ada@example.test",
                password="wrong",
            )
        assert excinfo.value.status_code == 401
        assert "Invalid email or password" in str(excinfo.value)
        assert "code=" not in excinfo.value.page

        with pytest.raises(OIDCLoginError):
            await complete_login(
                browser,
                authorize_url,
                email_or_login="nobody@example.test",
                password="correct horse battery staple",
            )


@pytest.mark.asyncio
async def test_denied_consent_returns_access_denied(op: OIDCProviderHandle) -> None:
    async with _rp() as rp, httpx.AsyncClient(timeout=10) as browser:
        metadata = await _discover(rp, op.issuer)
        authorize_url, state = rp.create_authorization_url(
            metadata["authorization_endpoint"],
            code_verifier=generate_token(64),
            nonce="n",
        )
        callback = await complete_login(
            browser,
            authorize_url,
            email_or_login="pat@example.test",
            password="hunter2hunter2",
            consent=False,
        )
        params = parse_qs(urlsplit(callback).query)
        assert params["error"] == ["access_denied"]
        assert params["state"] == [state]
        assert "code" not in params


@pytest.mark.asyncio
async def test_pkce_is_required_and_checked(op: OIDCProviderHandle) -> None:
    async with _rp() as rp, httpx.AsyncClient(timeout=10) as browser:
        metadata = await _discover(rp, op.issuer)

        # No code_challenge at all: the provider refuses before showing a login page.
        no_pkce_url, _ = rp.create_authorization_url(metadata["authorization_endpoint"], nonce="n")
        assert "code_challenge" not in no_pkce_url
        callback = await complete_login(browser, no_pkce_url, email_or_login="x", password="x")
        params = parse_qs(urlsplit(callback).query)
        assert params["error"] == ["invalid_request"]
        assert "PKCE" in params["error_description"][0]

        # The "plain" method is not accepted either (S256 only).
        plain_url, _ = rp.create_authorization_url(
            metadata["authorization_endpoint"],
            nonce="n",
            code_challenge=generate_token(43),
            code_challenge_method="plain",
        )
        callback = await complete_login(browser, plain_url, email_or_login="x", password="x")
        assert parse_qs(urlsplit(callback).query)["error"] == ["invalid_request"]

        # A wrong code_verifier at the token endpoint is rejected.
        authorize_url, _state = rp.create_authorization_url(
            metadata["authorization_endpoint"],
            code_verifier=generate_token(64),
            nonce="n",
        )
        callback = await complete_login(
            browser,
            authorize_url,
            email_or_login="pat@example.test",
            password="hunter2hunter2",
        )
        code = parse_qs(urlsplit(callback).query)["code"][0]
        response = await rp.post(
            metadata["token_endpoint"],
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": REDIRECT_URI,
                "code_verifier": generate_token(64),
            },
            auth=(CLIENT_ID, CLIENT_SECRET),
        )
        assert response.status_code == 400
        assert response.json()["error"] == "invalid_grant"


def test_auto_consent_and_independent_instances() -> None:
    async def flow(issuer: str) -> str:
        async with _rp() as rp, httpx.AsyncClient(timeout=10) as browser:
            metadata = await _discover(rp, issuer)
            url, _ = rp.create_authorization_url(
                metadata["authorization_endpoint"],
                code_verifier=generate_token(64),
                nonce="n",
            )
            return await complete_login(
                browser,
                url,
                email_or_login="pat@example.test",
                password="hunter2hunter2",
            )

    with start_oidc_provider(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        redirect_uri=[REDIRECT_URI],
        users=USERS[1:],
        auto_consent=True,
    ) as second:
        assert second.startup_seconds < 30
        callback = asyncio.run(flow(second.issuer))
        assert parse_qs(urlsplit(callback).query)["code"][0]
    assert second.proc.returncode is not None
