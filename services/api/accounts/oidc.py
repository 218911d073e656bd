"""Sign-in through an outside OpenID Connect provider: authorization code + PKCE (S256).

The browser goes /api/auth/oidc/login -> the provider -> /api/auth/oidc/callback ->
{public_url}/sign-in/complete, where the web app swaps the refresh cookie for an access token
(POST /api/auth/refresh). The callback is a page load, not an API call: every failure ends on
{public_url}/sign-in?sso_error=<code> (see `SsoError`) rather than a problem document.

What the round trip needs to remember (state, nonce, PKCE verifier) rides in a short-lived
signed cookie scoped to /api/auth/oidc, so any API replica can finish a sign-in another began.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any
from urllib.parse import urlencode

from authlib.common.security import generate_token
from authlib.integrations.httpx_client import AsyncOAuth2Client
from fastapi import Cookie, Query, Request
from fastapi.responses import RedirectResponse
from itsdangerous import BadSignature, URLSafeTimedSerializer
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

from services.api.accounts.endpoints import _set_refresh_cookie
from services.api.accounts.schemas import OidcInfo
from services.api.accounts.service import AuthKit, MfaRequired
from services.api.config import Settings
from services.api.core.errors import Forbidden, HalcyonError, NotFound, Unprocessable, responses
from services.api.core.routing import APIRouter
from services.api.core.security import constant_time_equals
from services.api.deps import Accounts, Ctx, WriteSession
from services.common.clock import utcnow

log = logging.getLogger(__name__)

router = APIRouter(prefix="/api/auth/oidc", tags=["auth"])

STATE_COOKIE = "halcyon_oidc"
STATE_COOKIE_PATH = "/api/auth/oidc"
STATE_MAX_AGE = 600  # seconds a user has to finish signing in at the provider
SCOPE = "openid email"
HTTP_TIMEOUT = 10.0  # seconds, for each call to the provider (discovery, JWKS, token, userinfo)
CLOCK_LEEWAY = 60  # seconds of clock skew tolerated on the ID token's exp/iat/nbf
# Asymmetric algorithms only: "none" and HS* (keyed with the client secret) are refused.
ID_TOKEN_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512")


class SsoError(StrEnum):
    """The `sso_error` the web app's sign-in page receives when single sign-on fails."""

    unavailable = "unavailable"  # the provider could not be reached or its discovery document is wrong
    expired = "expired"  # no valid sign-in cookie: took over 10 minutes, or the link was reused
    state = "state"  # the callback's state is not the one this browser started with
    issuer = "issuer"  # the callback names another issuer (RFC 9207 mix-up defence)
    denied = "denied"  # the user cancelled at the provider
    provider = "provider"  # the provider answered with another error, or without a code
    token = "token"  # noqa: S105 (a code name) the code exchange failed or the ID token did not verify
    no_email = "no_email"  # the provider shared no e-mail address
    unverified = "unverified"  # the provider has not verified the e-mail address
    no_account = "no_account"  # no active Halcyon account uses this e-mail
    mfa_required = "mfa_required"  # staff with two-factor sign-in use their password and code
    failed = "failed"  # anything else (logged with the request id)


class OidcNotConfigured(NotFound):
    title = "Single sign-on is not set up"
    type_slug = "oidc-not-configured"


class OidcFailure(Exception):
    """Single sign-on cannot go on; `code` is what the sign-in page is told."""

    def __init__(self, code: SsoError, reason: str) -> None:
        super().__init__(reason)
        self.code = code


@dataclass(frozen=True)
class PendingSignIn:
    """What the state cookie carries from /login to /callback."""

    state: str
    nonce: str
    code_verifier: str


@dataclass(frozen=True)
class Identity:
    email: str
    email_verified: bool


def oidc_enabled(settings: Settings) -> bool:
    return bool(settings.oidc_issuer and settings.oidc_client_id)


class OidcRelyingParty:
    """This API as a client of the configured provider; one per app, caching discovery and keys."""

    def __init__(self, settings: Settings, kit: AuthKit) -> None:
        self.issuer = settings.oidc_issuer
        self.client_id = settings.oidc_client_id
        self.client_secret = settings.oidc_client_secret.get_secret_value()
        self.redirect_uri = f"{settings.public_url.rstrip('/')}/api/auth/oidc/callback"
        self._signer = URLSafeTimedSerializer(kit.box.derive_key("oidc-state"), salt="halcyon.oidc.state")
        self._metadata: dict[str, Any] | None = None
        self._keys: KeySet | None = None

    def _client(self, metadata: dict[str, Any] | None = None) -> AsyncOAuth2Client:
        supported = (metadata or {}).get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
        method = "client_secret_post" if "client_secret_basic" not in supported else "client_secret_basic"
        return AsyncOAuth2Client(
            client_id=self.client_id,
            client_secret=self.client_secret,
            scope=SCOPE,
            redirect_uri=self.redirect_uri,
            code_challenge_method="S256",
            token_endpoint_auth_method=method,
            timeout=HTTP_TIMEOUT,
        )

    async def _get_json(self, url: str) -> dict[str, Any]:
        async with self._client() as http:
            response = await http.request("GET", url, withhold_token=True, headers={"Accept": "application/json"})
            response.raise_for_status()
            body = response.json()
        if not isinstance(body, dict):
            raise ValueError(f"{url} did not answer with a JSON object")
        return body

    async def metadata(self) -> dict[str, Any]:
        """The provider's discovery document, fetched once per app (a failed fetch is retried next time)."""
        if self._metadata is None:
            try:
                doc = await self._get_json(f"{self.issuer.rstrip('/')}/.well-known/openid-configuration")
            except Exception as exc:
                raise OidcFailure(SsoError.unavailable, f"discovery failed: {exc!r}") from exc
            # OpenID Connect Discovery 4.3: the document must name exactly the issuer we asked.
            if doc.get("issuer") != self.issuer:
                raise OidcFailure(SsoError.unavailable, f"discovery names issuer {doc.get('issuer')!r}")
            missing = [k for k in ("authorization_endpoint", "token_endpoint", "jwks_uri") if not doc.get(k)]
            if missing:
                raise OidcFailure(SsoError.unavailable, f"discovery lacks {', '.join(missing)}")
            self._metadata = doc
        return self._metadata

    async def _key_set(self, metadata: dict[str, Any], *, refresh: bool = False) -> KeySet:
        if self._keys is None or refresh:
            try:
                self._keys = KeySet.import_key_set(await self._get_json(str(metadata["jwks_uri"])))  # type: ignore[arg-type]
            except Exception as exc:
                raise OidcFailure(SsoError.unavailable, f"JWKS fetch failed: {exc!r}") from exc
        return self._keys

    async def start(self) -> tuple[str, str]:
        """The provider's authorization URL and the state cookie's value."""
        metadata = await self.metadata()
        pending = PendingSignIn(
            state=secrets.token_urlsafe(32), nonce=secrets.token_urlsafe(32), code_verifier=generate_token(64)
        )
        async with self._client(metadata) as client:
            url, _ = client.create_authorization_url(
                metadata["authorization_endpoint"],
                state=pending.state,
                code_verifier=pending.code_verifier,
                nonce=pending.nonce,
            )
        return str(url), self.seal(pending)

    def seal(self, pending: PendingSignIn) -> str:
        """The state cookie's value: signed (tamper-evident) and timestamped."""
        return self._signer.dumps({"s": pending.state, "n": pending.nonce, "v": pending.code_verifier})

    def unseal(self, cookie: str | None) -> PendingSignIn:
        if not cookie:
            raise OidcFailure(SsoError.expired, "no state cookie")
        try:
            data = self._signer.loads(cookie, max_age=STATE_MAX_AGE)
        except BadSignature as exc:  # includes SignatureExpired
            raise OidcFailure(SsoError.expired, f"state cookie rejected: {type(exc).__name__}") from exc
        values = [data.get(k) if isinstance(data, dict) else None for k in ("s", "n", "v")]
        if not all(isinstance(v, str) and v for v in values):
            raise OidcFailure(SsoError.expired, "state cookie malformed")
        return PendingSignIn(*values)  # type: ignore[arg-type]

    async def check_response(self, pending: PendingSignIn, *, state: str | None, iss: str | None) -> None:
        """Bind the authorization response to this browser's sign-in and to our issuer."""
        if not state or not constant_time_equals(state, pending.state):
            raise OidcFailure(SsoError.state, "state does not match the cookie")
        metadata = await self.metadata()
        # RFC 9207: a provider that announces `iss` must send it, and it must be ours.
        if iss is None and metadata.get("authorization_response_iss_parameter_supported") is True:
            raise OidcFailure(SsoError.issuer, "iss missing from the authorization response")
        if iss is not None and iss != self.issuer:
            raise OidcFailure(SsoError.issuer, f"authorization response from issuer {iss!r}")

    async def identity(self, pending: PendingSignIn, code: str) -> Identity:
        """Exchange the code (client secret + PKCE verifier), verify the ID token, return the e-mail."""
        metadata = await self.metadata()
        async with self._client(metadata) as client:
            try:
                token = await client.fetch_token(
                    metadata["token_endpoint"],
                    grant_type="authorization_code",
                    code=code,
                    code_verifier=pending.code_verifier,
                )
            except Exception as exc:  # OAuthError from the provider, or a network/HTTP error
                raise OidcFailure(SsoError.token, f"code exchange failed: {exc!r}") from exc
            id_token = token.get("id_token")
            if not isinstance(id_token, str):
                raise OidcFailure(SsoError.token, "token response has no id_token")
            claims = await self.verify_id_token(id_token, nonce=pending.nonce)
            if "email" not in claims and metadata.get("userinfo_endpoint"):
                claims = {**await self._userinfo(client, str(metadata["userinfo_endpoint"]), claims["sub"]), **claims}
        email = claims.get("email")
        if not isinstance(email, str) or "@" not in email:
            raise OidcFailure(SsoError.no_email, "no e-mail claim")
        # Some providers send the boolean as a string.
        verified = claims.get("email_verified") in (True, "true")
        return Identity(email=email.strip().lower(), email_verified=verified)

    async def verify_id_token(self, id_token: str, *, nonce: str) -> dict[str, Any]:
        """Signature against the provider's JWKS, then iss, aud (and azp), exp, iat, sub and nonce."""
        metadata = await self.metadata()
        advertised = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
        algorithms = [a for a in ID_TOKEN_ALGORITHMS if a in advertised]
        keys = await self._key_set(metadata)
        try:
            try:
                token = jwt.decode(id_token, keys, algorithms=algorithms)
            except InvalidKeyIdError:  # the provider rotated its keys since we fetched them
                token = jwt.decode(id_token, await self._key_set(metadata, refresh=True), algorithms=algorithms)
            jwt.JWTClaimsRegistry(
                now=lambda: int(utcnow().timestamp()),
                leeway=CLOCK_LEEWAY,
                iss={"essential": True, "value": self.issuer},
                aud={"essential": True, "value": self.client_id},
                sub={"essential": True},
                exp={"essential": True},
                iat={"essential": True},
                nonce={"essential": True, "value": nonce},
            ).validate(token.claims)
        except (JoseError, ValueError) as exc:
            raise OidcFailure(SsoError.token, f"ID token rejected: {exc!r}") from exc
        claims = dict(token.claims)
        # OpenID Connect Core 3.1.3.7: with several audiences, azp must be us.
        aud = claims.get("aud")
        azp = claims.get("azp")
        if (isinstance(aud, list) and len(aud) > 1 and azp is None) or (azp is not None and azp != self.client_id):
            raise OidcFailure(SsoError.token, f"ID token authorized party is {azp!r}")
        return claims

    async def _userinfo(self, client: AsyncOAuth2Client, url: str, sub: str) -> dict[str, Any]:
        try:
            response = await client.get(url)
            response.raise_for_status()
            info = response.json()
        except Exception as exc:
            raise OidcFailure(SsoError.token, f"userinfo failed: {exc!r}") from exc
        # OpenID Connect Core 5.3.2: userinfo must be about the ID token's subject.
        if not isinstance(info, dict) or info.get("sub") != sub:
            raise OidcFailure(SsoError.token, "userinfo is about another subject")
        return info


def _relying_party(request: Request) -> OidcRelyingParty:
    settings: Settings = request.app.state.settings
    if not oidc_enabled(settings):
        raise OidcNotConfigured("This practice does not offer single sign-on.")
    rp: OidcRelyingParty | None = getattr(request.app.state, "oidc", None)
    if rp is None:
        rp = request.app.state.oidc = OidcRelyingParty(settings, request.app.state.auth_kit)
    return rp


def _page(request: Request, path: str, **query: str) -> RedirectResponse:
    settings: Settings = request.app.state.settings
    url = f"{settings.public_url.rstrip('/')}{path}"
    response = RedirectResponse(f"{url}?{urlencode(query)}" if query else url, status_code=302)
    response.headers["Cache-Control"] = "no-store"
    return response


def _failed(request: Request, failure: OidcFailure) -> RedirectResponse:
    # The request id rides on every log line; reasons name no e-mail address.
    log.warning("single sign-on failed: %s (%s)", failure.code.value, failure, extra={"event": "sso_failed"})
    return _page(request, "/sign-in", sso_error=failure.code.value)


def _clear_state_cookie(request: Request, response: RedirectResponse) -> None:
    settings: Settings = request.app.state.settings
    response.delete_cookie(
        STATE_COOKIE, path=STATE_COOKIE_PATH, secure=settings.cookie_secure, httponly=True, samesite="lax"
    )


def _redirect_responses(description: str) -> dict[int | str, dict[str, Any]]:
    """OpenAPI: a 302 the browser follows, or the 404 problem when single sign-on is off."""
    found: dict[int | str, dict[str, Any]] = {
        302: {"description": description, "headers": {"Location": {"schema": {"type": "string"}}}}
    }
    return found | responses(OidcNotConfigured)


@router.get("", response_model=OidcInfo)
async def oidc_info(request: Request) -> OidcInfo:
    """Whether single sign-on is offered, and the provider's name for the button."""
    settings: Settings = request.app.state.settings
    if not oidc_enabled(settings):
        return OidcInfo(enabled=False)
    return OidcInfo(enabled=True, display_name=settings.oidc_display_name)


@router.get(
    "/login",
    status_code=302,
    response_class=RedirectResponse,
    responses=_redirect_responses(
        "To the provider's sign-in page, with a short-lived state cookie; "
        "to /sign-in?sso_error=unavailable when the provider cannot be reached."
    ),
)
async def oidc_login(request: Request) -> RedirectResponse:
    """Start single sign-on: a browser navigation that goes to the provider's sign-in page."""
    rp = _relying_party(request)
    try:
        url, cookie = await rp.start()
    except OidcFailure as failure:
        return _failed(request, failure)
    settings: Settings = request.app.state.settings
    response = RedirectResponse(url, status_code=302)
    response.headers["Cache-Control"] = "no-store"
    # SameSite=Lax, not Strict: the callback arrives as a top-level navigation from the provider.
    response.set_cookie(
        STATE_COOKIE,
        cookie,
        max_age=STATE_MAX_AGE,
        path=STATE_COOKIE_PATH,
        secure=settings.cookie_secure,
        httponly=True,
        samesite="lax",
    )
    return response


@router.get(
    "/callback",
    status_code=302,
    response_class=RedirectResponse,
    responses=_redirect_responses(
        "To /sign-in/complete with the refresh cookie set, or to /sign-in?sso_error=<code> with code one of: "
        f"{', '.join(c.value for c in SsoError)}."
    )
    | responses(Unprocessable),
)
async def oidc_callback(
    request: Request,
    session: WriteSession,
    ctx: Ctx,
    accounts: Accounts,
    code: Annotated[str | None, Query(description="Authorization code.")] = None,
    state: Annotated[str | None, Query()] = None,
    iss: Annotated[str | None, Query(description="Issuer of the response (RFC 9207).")] = None,
    error: Annotated[str | None, Query(description="Provider's error, e.g. access_denied.")] = None,
    halcyon_oidc: Annotated[str | None, Cookie(description="State cookie set by /login.")] = None,
) -> RedirectResponse:
    """Finish single sign-on: the provider sends the browser here; ends on the web app's sign-in page."""
    rp = _relying_party(request)
    try:
        pending = rp.unseal(halcyon_oidc)
        await rp.check_response(pending, state=state, iss=iss)
        if error:
            code_ = SsoError.denied if error == "access_denied" else SsoError.provider
            raise OidcFailure(code_, f"provider error {error[:80]!r}")
        if not code:
            raise OidcFailure(SsoError.provider, "no code in the authorization response")
        who = await rp.identity(pending, code)
        try:
            issued = await accounts.sign_in_external(session, ctx, email=who.email, email_verified=who.email_verified)
        except MfaRequired as exc:
            raise OidcFailure(SsoError.mfa_required, exc.detail or exc.title) from exc
        except Forbidden as exc:
            raise OidcFailure(SsoError.unverified, exc.detail or exc.title) from exc
        except NotFound as exc:
            raise OidcFailure(SsoError.no_account, exc.detail or exc.title) from exc
        except HalcyonError as exc:
            raise OidcFailure(SsoError.failed, f"{type(exc).__name__}: {exc.detail or exc.title}") from exc
    except OidcFailure as failure:
        await session.rollback()
        response = _failed(request, failure)
    except Exception:
        # A page load must never end on a traceback: log it and send the user back to sign-in.
        log.exception("single sign-on callback crashed")
        await session.rollback()
        response = _page(request, "/sign-in", sso_error=SsoError.failed.value)
    else:
        response = _page(request, "/sign-in/complete")
        _set_refresh_cookie(request, response, issued)
    _clear_state_cookie(request, response)  # single use, whatever happened
    return response
