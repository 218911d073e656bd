"""A real OpenID Connect provider for tests: panva's ``oidc-provider`` run under Node.

The provider lives in ``tests/support/oidc`` (``provider.mjs`` + a locked ``package.json``).
Install its node_modules once with::

    npm ci --prefix tests/support/oidc

Usage::

    with start_oidc_provider(
        client_id="halcyon", client_secret="s3cret",
        redirect_uri="http://127.0.0.1:8000/auth/oidc/callback",
        users=[{"sub": "u1", "email": "dr@example.test", "email_verified": True,
                "name": "Dr Who", "password": "pw"}],
    ) as op:
        op.issuer  # "http://127.0.0.1:PORT", discovery at op.discovery_url
        ...
        callback_url = await complete_login(browser, authorize_url,
                                            email_or_login="dr@example.test", password="pw")

``start_oidc_provider`` returns an already started :class:`OIDCProviderHandle`; it is also a
context manager, and ``handle.stop()`` terminates the Node process by PID (idempotent).
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Self
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx

__all__ = [
    "INSTALL_COMMAND",
    "OIDC_PROVIDER_DIR",
    "OIDCLoginError",
    "OIDCProviderHandle",
    "OIDCProviderStartError",
    "complete_login",
    "start_oidc_provider",
]

OIDC_PROVIDER_DIR = Path(__file__).resolve().parent / "oidc"
PROVIDER_SCRIPT = OIDC_PROVIDER_DIR / "provider.mjs"
INSTALL_COMMAND = "npm ci --prefix tests/support/oidc"


class OIDCProviderStartError(RuntimeError):
    """The Node provider could not be started (missing node/node_modules, crash, timeout)."""


class OIDCLoginError(RuntimeError):
    """The provider's interaction pages did not lead back to the client's redirect_uri."""

    def __init__(self, message: str, *, status_code: int | None = None, page: str = "") -> None:
        super().__init__(message)
        self.status_code = status_code
        self.page = page


@dataclass
class OIDCProviderHandle:
    issuer: str
    proc: subprocess.Popen[bytes]
    client_id: str = ""
    client_secret: str = ""
    redirect_uris: list[str] = field(default_factory=list)
    users: list[dict[str, Any]] = field(default_factory=list)
    log_path: Path | None = None
    startup_seconds: float = 0.0

    @property
    def pid(self) -> int:
        return self.proc.pid

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def log_text(self) -> str:
        """The provider's stderr so far (oidc-provider warnings, server errors)."""
        if self.log_path is None or not self.log_path.exists():
            return ""
        return self.log_path.read_text(errors="replace")

    def stop(self, timeout: float = 5.0) -> None:
        """Terminate the Node process (SIGTERM, then SIGKILL) by its PID. Safe to call twice."""
        proc = self.proc
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=timeout)
        for stream in (proc.stdin, proc.stdout):
            if stream is not None and not stream.closed:
                try:
                    stream.close()
                except OSError:
                    pass
        if self.log_path is not None:
            try:
                self.log_path.unlink()
            except FileNotFoundError:
                pass
            self.log_path = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def _find_node(node: str | None) -> str:
    candidate = node or os.environ.get("HALCYON_NODE") or shutil.which("node")
    if not candidate:
        raise OIDCProviderStartError("node is not on PATH (set HALCYON_NODE to a Node >= 20 binary)")
    return candidate


def start_oidc_provider(
    *,
    client_id: str,
    client_secret: str,
    redirect_uri: str | Sequence[str],
    users: Sequence[Mapping[str, Any]],
    port: int = 0,
    auto_consent: bool = False,
    client_metadata: Mapping[str, Any] | None = None,
    startup_timeout: float = 30.0,
    node: str | None = None,
) -> OIDCProviderHandle:
    """Start ``oidc-provider`` on 127.0.0.1 and wait for its ready line.

    users: mappings with ``sub``, ``password`` and optionally ``email``, ``email_verified``,
    ``name``. Login accepts the email (case-insensitive) or the sub.
    auto_consent: skip the consent page (every requested scope/claim is granted).
    client_metadata: extra OIDC client metadata merged into the client (e.g.
    ``{"post_logout_redirect_uris": [...]}`` or ``{"token_endpoint_auth_method": "client_secret_post"}``).
    """
    if not PROVIDER_SCRIPT.is_file():
        raise OIDCProviderStartError(f"missing {PROVIDER_SCRIPT}")
    if not (OIDC_PROVIDER_DIR / "node_modules" / "oidc-provider" / "package.json").is_file():
        raise OIDCProviderStartError(f"oidc-provider is not installed in {OIDC_PROVIDER_DIR}; run: {INSTALL_COMMAND}")
    node_bin = _find_node(node)

    redirect_uris = [redirect_uri] if isinstance(redirect_uri, str) else list(redirect_uri)
    user_list = [dict(u) for u in users]
    client = {
        **dict(client_metadata or {}),
        "client_id": client_id,
        "client_secret": client_secret,
        "redirect_uris": redirect_uris,
    }
    config = {"client": client, "users": user_list, "auto_consent": auto_consent}

    env = dict(os.environ)
    env["OIDC_PROVIDER_CONFIG"] = json.dumps(config)
    env["OIDC_PROVIDER_EXIT_ON_STDIN_EOF"] = "1"  # dies with us even if we are SIGKILLed
    env.pop("NODE_OPTIONS", None)

    log_fd, log_name = tempfile.mkstemp(prefix="oidc-provider-", suffix=".log")
    log_path = Path(log_name)
    started = time.monotonic()
    with os.fdopen(log_fd, "wb") as log_file:
        proc = subprocess.Popen(
            [node_bin, str(PROVIDER_SCRIPT), "--port", str(port)],
            cwd=OIDC_PROVIDER_DIR,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log_file,
        )
    handle = OIDCProviderHandle(
        issuer="",
        proc=proc,
        client_id=client_id,
        client_secret=client_secret,
        redirect_uris=redirect_uris,
        users=user_list,
        log_path=log_path,
    )

    lines: queue.Queue[bytes | None] = queue.Queue()

    def _pump() -> None:
        assert proc.stdout is not None
        for raw in proc.stdout:  # keeps draining so the child never blocks on a full pipe
            lines.put(raw)
        lines.put(None)

    threading.Thread(target=_pump, name=f"oidc-provider-{proc.pid}-stdout", daemon=True).start()

    def _fail(reason: str) -> OIDCProviderStartError:
        log = handle.log_text()
        handle.stop()
        return OIDCProviderStartError(
            f"oidc-provider (pid {proc.pid}) {reason}; exit code {proc.returncode}\n"
            f"--- provider stderr ---\n{log.strip() or '(empty)'}"
        )

    deadline = started + startup_timeout
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise _fail(f"did not print its ready line within {startup_timeout:.0f}s")
        try:
            raw = lines.get(timeout=min(remaining, 0.25))
        except queue.Empty:
            if proc.poll() is not None and lines.empty():
                raise _fail("exited before it was ready") from None
            continue
        if raw is None:
            raise _fail("closed stdout before it was ready")
        text = raw.decode(errors="replace").strip()
        if not text.startswith("{"):
            continue
        try:
            message = json.loads(text)
        except json.JSONDecodeError:
            continue
        if message.get("ready") is True and isinstance(message.get("issuer"), str):
            handle.issuer = message["issuer"]
            break

    handle.startup_seconds = time.monotonic() - started
    host = urlsplit(handle.issuer).hostname
    if host != "127.0.0.1":
        raise _fail(f"reported a non-loopback issuer {handle.issuer!r}")
    return handle


# --------------------------------------------------------------------------------------------
# Scripted browser for the provider's interaction pages
# --------------------------------------------------------------------------------------------


@dataclass
class _Form:
    id: str
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)
    names: set[str] = field(default_factory=set)


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[_Form] = []
        self.errors: list[str] = []
        self._current: _Form | None = None
        self._submit_taken = False
        self._in_error = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            self._current = _Form(
                id=a.get("id", ""),
                action=a.get("action", ""),
                method=(a.get("method") or "get").upper(),
            )
            self._submit_taken = False
            self.forms.append(self._current)
        elif tag in {"input", "button"} and self._current is not None:
            name = a.get("name")
            kind = a.get("type", "submit" if tag == "button" else "text").lower()
            if not name:
                return
            self._current.names.add(name)
            if kind == "submit":
                if not self._submit_taken:  # only the first submit button is "clicked"
                    self._current.fields[name] = a.get("value", "")
                    self._submit_taken = True
            elif kind in {"checkbox", "radio"}:
                if "checked" in a:
                    self._current.fields[name] = a.get("value", "on")
            else:
                self._current.fields[name] = a.get("value", "")
        if "error" in a.get("class", "").split() or a.get("role") == "alert":
            self._in_error += 1
            self.errors.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None
        elif tag == "p" and self._in_error:
            self._in_error -= 1

    def handle_data(self, data: str) -> None:
        if self._in_error and self.errors:
            self.errors[-1] += data


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc


def _strip_query(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


async def complete_login(
    client: httpx.AsyncClient,
    authorize_url: str,
    *,
    email_or_login: str,
    password: str,
    consent: bool = True,
    max_steps: int = 12,
) -> str:
    """Act as the user's browser from ``authorize_url`` to the client's redirect_uri.

    Submits the provider's login form (and its consent form, approving it unless
    ``consent=False``, which submits the "Cancel" form instead) and returns the final redirect
    URL -- e.g. ``https://app/callback?code=...&state=...&iss=...`` -- WITHOUT requesting it.

    ``client`` acts as the browser: its cookie jar carries the provider's session cookies, so
    reuse one client per simulated user (a second login then skips the login form). Redirects
    are followed by hand; the client's own follow_redirects setting is ignored.

    Raises OIDCLoginError when the flow does not reach the redirect_uri, e.g. a wrong password
    (the login form comes back with "Invalid email or password.").
    """
    provider_origin = _origin(authorize_url)
    redirect_uri = parse_qs(urlsplit(authorize_url).query).get("redirect_uri", [None])[0]

    method, url, data = "GET", authorize_url, None
    login_attempted = False
    consent_submitted = False
    for _ in range(max_steps):
        response = await client.request(method, url, data=data, follow_redirects=False)
        if response.is_redirect:
            location = urljoin(str(response.url), response.headers["location"])
            if redirect_uri is not None and _strip_query(location) == _strip_query(redirect_uri):
                return location
            if _origin(location) != provider_origin:
                if redirect_uri is None:
                    return location
                raise OIDCLoginError(
                    f"provider redirected to {location!r}, not to redirect_uri {redirect_uri!r}",
                    status_code=response.status_code,
                )
            method, url, data = "GET", location, None
            continue

        page = response.text
        parser = _FormParser()
        parser.feed(page)
        forms = {f.id: f for f in parser.forms if f.id}
        login_form = forms.get("login") or next((f for f in parser.forms if "password" in f.names), None)
        errors = "; ".join(e.strip() for e in parser.errors if e.strip())

        if login_form is not None:
            if login_attempted:
                raise OIDCLoginError(
                    f"login rejected (HTTP {response.status_code}): {errors or 'login form shown again'}",
                    status_code=response.status_code,
                    page=page,
                )
            login_attempted = True
            fields = dict(login_form.fields)
            fields["login"] = email_or_login
            fields["password"] = password
            form = login_form
        elif "consent" in forms:
            if consent_submitted:
                raise OIDCLoginError(
                    "consent form shown again",
                    status_code=response.status_code,
                    page=page,
                )
            consent_submitted = True
            form = forms["consent"] if consent else forms.get("abort", forms["consent"])
            fields = dict(form.fields)
        else:
            raise OIDCLoginError(
                f"unexpected provider page at {response.url} (HTTP {response.status_code}): {errors or page[:300]!r}",
                status_code=response.status_code,
                page=page,
            )

        method = form.method
        url = urljoin(str(response.url), form.action or str(response.url))
        data = fields

    raise OIDCLoginError(f"no redirect to the client after {max_steps} steps (last URL {url})")
