"""infra/nginx/halcyon.conf, rendered and run by the real nginx in front of loopback upstreams.

The upstreams here are small stand-ins that echo what reached them (two "API instances") and a
real websocket echo server (the "signaling instance"), so the proxy's own behaviour is what is
checked: routing, headers, failover, limits. The full topology with the real services is the
loopback topology test.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import socket
import ssl
import threading
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from websockets.asyncio.client import connect
from websockets.asyncio.server import ServerConnection, serve

from tests.deploy.support import free_port, nginx_prefix, render_nginx, require_nginx, running_nginx


class Echo(BaseHTTPRequestHandler):
    """Answers every request with what reached it, as JSON."""

    instance = "?"

    def _answer(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        raw = json.dumps(
            {
                "instance": self.instance,
                "method": self.command,
                "path": self.path,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "body_bytes": len(body),
            }
        ).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    do_GET = do_POST = do_PUT = do_DELETE = _answer

    def log_message(self, format: str, *args: Any) -> None:
        pass


class Upstream:
    def __init__(self, instance: str) -> None:
        handler = type(f"Echo_{instance}", (Echo,), {"instance": instance})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.address = f"127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.alive = True

    def stop(self) -> None:
        if self.alive:
            self.alive = False
            self.server.shutdown()
            self.server.server_close()


@contextlib.contextmanager
def upstreams(*names: str) -> Iterator[list[Upstream]]:
    started = [Upstream(n) for n in names]
    try:
        yield started
    finally:
        for u in started:
            u.stop()


@contextlib.asynccontextmanager
async def websocket_echo() -> AsyncIterator[str]:
    seen_paths: list[str] = []

    async def echo(ws: ServerConnection) -> None:
        seen_paths.append(ws.request.path if ws.request else "")
        async for message in ws:
            await ws.send(f"echo:{message}")

    async with serve(echo, "127.0.0.1", 0) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        yield f"127.0.0.1:{port}"


@pytest.fixture(scope="module")
def nginx_binary() -> str:
    return require_nginx()


async def test_routes_headers_failover_and_limits_over_http(nginx_binary: str) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with upstreams("api-1", "api-2") as (api1, api2), nginx_prefix() as prefix:
        async with websocket_echo() as signaling:
            render_nginx(
                prefix,
                "--no-tls",
                "--listen",
                f"127.0.0.1:{port}",
                "--api",
                api1.address,
                "--api",
                api2.address,
                "--signaling",
                signaling,
                "--login-rate",
                "1r/m",
                "--login-burst",
                "2",
            )
            with running_nginx(prefix, f"{base}/nginx-health"):
                async with httpx.AsyncClient(base_url=base, timeout=10) as c:
                    await _check_http(c, api1, prefix, port)

                    # Websockets under the same origin reach signaling, upgraded, both ways.
                    async with connect(f"ws://127.0.0.1:{port}/ws/consults/abc") as ws:
                        await ws.send("offer")
                        assert await asyncio.wait_for(ws.recv(), 5) == "echo:offer"


async def _check_http(c: httpx.AsyncClient, api1: Upstream, prefix: Path, port: int) -> None:
    # The web app and the API come from the API instances, with the security headers.
    r = await c.get("/", headers={"X-Forwarded-For": "6.6.6.6"})
    assert r.status_code == 200
    seen = r.json()
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["referrer-policy"] == "no-referrer"
    csp = r.headers["content-security-policy"]
    assert "script-src 'self' https://js.stripe.com" in csp
    assert "frame-src https://js.stripe.com" in csp
    assert f"connect-src 'self' ws://127.0.0.1:{port}" in csp
    assert "frame-ancestors 'none'" in csp
    assert "strict-transport-security" not in r.headers  # plain HTTP: no HSTS
    assert "server" not in r.headers or "/" not in r.headers["server"]  # no version
    # The client's own X-Forwarded-For is replaced: the API sees the address nginx saw.
    assert seen["headers"]["x-forwarded-for"] == "127.0.0.1"
    assert re.fullmatch(r"[0-9a-f]{32}", seen["headers"]["x-request-id"])
    assert seen["headers"]["x-forwarded-proto"] == "http"
    assert (
        (await c.get("/docs"))
        .headers["content-security-policy"]
        .startswith("default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net")
    )

    # Requests are spread over both instances.
    instances = {(await c.get("/api/patients/me/profile")).json()["instance"] for _ in range(8)}
    assert instances == {"api-1", "api-2"}

    # Operational endpoints are not reachable from outside.
    for path in ("/metrics", "/readyz"):
        r = await c.get(path)
        assert r.status_code == 404, path
        assert "instance" not in r.text

    # Bodies above the limit are refused by nginx with a problem.
    r = await c.post("/api/intake", content=b"x" * 1_100_000, headers={"content-type": "application/json"})
    assert r.status_code == 413
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["type"].endswith("/too-large")
    assert (await c.post("/api/intake", content=b"x" * 500_000)).json()["body_bytes"] == 500_000

    # Sign-in is rate limited per address (rendered at 1/min with a burst of 2); other routes are not.
    statuses = [(await c.post("/api/auth/login", json={"email": "a@example.org"})).status_code for _ in range(6)]
    assert statuses[:3] == [200, 200, 200]
    assert set(statuses[3:]) == {429}
    limited = await c.post("/api/auth/login/mfa", json={})
    assert limited.status_code == 429
    assert limited.headers["content-type"] == "application/problem+json"
    assert limited.json()["type"].endswith("/too-many-requests")
    assert [(await c.post("/api/bookings", json={})).status_code for _ in range(5)] == [200] * 5

    # One API instance dies: every request, POSTs included, is answered by the other.
    api1.stop()
    answers = [await c.request(m, "/api/bookings", json={}) for m in ("GET", "POST") * 10]
    assert [r.status_code for r in answers] == [200] * 20
    assert {r.json()["instance"] for r in answers} == {"api-2"}
    log = (prefix / "access.log").read_text()
    assert '"uri":"/api/bookings"' in log
    assert "a@example.org" not in log


def _self_signed(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "fullchain.pem", folder / "privkey.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


def _negotiated_protocol(port: int) -> str | None:
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.set_alpn_protocols(["h2", "http/1.1"])
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw, ctx.wrap_socket(raw) as tls:
        return tls.selected_alpn_protocol()


async def test_tls_http2_hsts_and_the_http_redirect(nginx_binary: str) -> None:
    port, http_port = free_port(), free_port()
    with upstreams("api-1") as (api,), nginx_prefix() as prefix:
        cert, key = _self_signed(prefix)
        render_nginx(
            prefix,
            "--listen",
            f"127.0.0.1:{port}",
            "--http-listen",
            f"127.0.0.1:{http_port}",
            "--server-name",
            "localhost",
            "--tls-cert",
            str(cert),
            "--tls-key",
            str(key),
            "--api",
            api.address,
            "--signaling",
            api.address,
        )
        with running_nginx(prefix, f"https://127.0.0.1:{port}/nginx-health"):
            assert _negotiated_protocol(port) == "h2"
            async with httpx.AsyncClient(verify=False, timeout=10) as c:  # noqa: S501 - self-signed test cert
                r = await c.get(f"https://127.0.0.1:{port}/")
                assert r.status_code == 200
                assert r.headers["strict-transport-security"].startswith("max-age=63072000")
                assert r.json()["headers"]["x-forwarded-proto"] == "https"
                assert "connect-src 'self' wss://" in r.headers["content-security-policy"]
                r = await c.get(f"http://127.0.0.1:{http_port}/book?step=2", headers={"host": "localhost"})
                assert r.status_code == 301
                assert r.headers["location"] == "https://localhost/book?step=2"


def test_render_refuses_incomplete_or_unsafe_input(tmp_path: Path) -> None:
    import subprocess
    import sys

    from tests.deploy.support import RENDER

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, str(RENDER), *args], capture_output=True, text=True)

    assert "--tls-cert" in run("--api", "a:1", "--signaling", "b:2").stderr  # TLS is the default
    assert "HOST:PORT" in run("--no-tls", "--api", "a", "--signaling", "b:2").stderr
    assert "at least one --signaling" in run("--no-tls", "--api", "a:1").stderr
    bad = run("--no-tls", "--api", "a:1", "--signaling", "b:2", "--server-name", "x; include /etc/passwd")
    assert bad.returncode == 2
    assert "misread" in bad.stderr
    ok = run("--no-tls", "--api", "a:1", "--signaling", "b:2")
    assert ok.returncode == 0
    assert "{{" not in ok.stdout
    assert "server a:1 max_fails=1 fail_timeout=5s;" in ok.stdout
