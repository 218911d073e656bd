#!/usr/bin/env python3
"""Render infra/nginx/halcyon.conf for one deployment (standard library only).

Production (compose renders it this way in its `nginx-config` step):

    render.py --api api-1:8000 --api api-2:8000 --signaling signaling-1:8001 --signaling signaling-2:8001 \
        --server-name care.example-practice.com \
        --tls-cert /etc/nginx/tls/fullchain.pem --tls-key /etc/nginx/tls/privkey.pem \
        --out /etc/nginx/conf.d/halcyon.conf

Loopback (HTTP only, a whole nginx.conf that a non-root nginx runs from one folder):

    render.py --no-tls --listen 127.0.0.1:8080 --api 127.0.0.1:8100 --api 127.0.0.1:8101 \
        --signaling 127.0.0.1:8201 --signaling 127.0.0.1:8202 --standalone /tmp/halcyon-nginx \
        --out /tmp/halcyon-nginx/nginx.conf
    nginx -p /tmp/halcyon-nginx -c /tmp/halcyon-nginx/nginx.conf

The template's `{{NAME}}` placeholders are all filled or rendering fails; `# @if FLAG` /
`# @else` / `# @endif` lines keep or drop what they enclose (they nest).
"""

# ruff: noqa: T201 - a command-line tool: it prints its results

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parent / "halcyon.conf"
_PLACEHOLDER = re.compile(r"\{\{([A-Z0-9_]+)\}\}")
_HOST_PORT = re.compile(r"^[A-Za-z0-9.\-\[\]:]+:\d{1,5}$")
_SAFE = re.compile(r"^[A-Za-z0-9._:/\-\[\]* ]*$")  # nothing that could end a directive or a string

STRIPE_SCRIPT = ("https://js.stripe.com", "https://*.js.stripe.com")
STRIPE_FRAME = ("https://js.stripe.com", "https://*.js.stripe.com", "https://hooks.stripe.com")
STRIPE_CONNECT = ("https://api.stripe.com",)


class RenderError(ValueError):
    pass


def render_template(template: str, values: dict[str, str], flags: set[str]) -> str:
    """Fill placeholders and resolve `# @if` blocks; every placeholder must have a value."""
    out: list[str] = []
    stack: list[tuple[str, bool]] = []  # (flag, branch is on)
    for number, line in enumerate(template.splitlines(), 1):
        marker = line.strip()
        if marker.startswith("# @if "):
            flag = marker.removeprefix("# @if ").strip()
            stack.append((flag, flag in flags))
            continue
        if marker == "# @else":
            if not stack:
                raise RenderError(f"line {number}: @else without @if")
            flag, on = stack.pop()
            stack.append((flag, not on))
            continue
        if marker == "# @endif":
            if not stack:
                raise RenderError(f"line {number}: @endif without @if")
            stack.pop()
            continue
        if all(on for _, on in stack):
            out.append(line)
    if stack:
        raise RenderError(f"@if {stack[-1][0]} is never closed")
    text = "\n".join(out) + "\n"
    missing = sorted({m.group(1) for m in _PLACEHOLDER.finditer(text)} - values.keys())
    if missing:
        raise RenderError(f"no value for {', '.join(missing)}")
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], text)


def _servers(addresses: list[str], what: str) -> str:
    if not addresses:
        raise RenderError(f"give at least one --{what} HOST:PORT")
    lines = []
    for address in addresses:
        if not _HOST_PORT.match(address):
            raise RenderError(f"--{what} {address!r} is not HOST:PORT")
        # One failure takes an instance out for 5 s; the other instances answer meanwhile.
        lines.append(f"    server {address} max_fails=1 fail_timeout=5s;")
    return "\n".join(lines)


def _safe(name: str, value: str) -> str:
    if not _SAFE.match(value):
        raise RenderError(f"{name} {value!r} has characters nginx would misread")
    return value


def build(args: argparse.Namespace) -> str:
    tls = not args.no_tls
    if tls and not (args.tls_cert and args.tls_key):
        raise RenderError("TLS needs --tls-cert and --tls-key (or --no-tls for a loopback test)")
    listen = args.listen or ("443" if tls else "80")
    stripe_script = args.stripe_origin or list(STRIPE_SCRIPT)
    stripe_frame = args.stripe_origin or list(STRIPE_FRAME)
    stripe_connect = args.stripe_origin or list(STRIPE_CONNECT)
    values = {
        "API_SERVERS": _servers(args.api, "api"),
        "SIGNALING_SERVERS": _servers(args.signaling, "signaling"),
        "LISTEN": _safe("--listen", listen),
        "HTTP_LISTEN": _safe("--http-listen", args.http_listen or "80"),
        "SERVER_NAME": _safe("--server-name", args.server_name),
        "TLS_CERT": _safe("--tls-cert", args.tls_cert or ""),
        "TLS_KEY": _safe("--tls-key", args.tls_key or ""),
        "WS_SCHEME": "wss" if tls else "ws",
        "STRIPE_ORIGINS": _safe("--stripe-origin", " ".join(stripe_script)),
        "STRIPE_FRAME_ORIGINS": _safe("--stripe-origin", " ".join(stripe_frame)),
        "STRIPE_CONNECT_ORIGINS": _safe("--stripe-origin", " ".join(stripe_connect)),
        "MAX_BODY": _safe("--max-body", args.max_body),
        "LOGIN_RATE": _safe("--login-rate", args.login_rate),
        "LOGIN_BURST": str(int(args.login_burst)),
        "ACCESS_LOG": "off" if args.access_log == "off" else f"{_safe('--access-log', args.access_log)} halcyon_json",
    }
    flags: set[str] = set()
    if tls:
        flags.add("tls")
        flags.add({"listen": "http2_listen", "directive": "http2_directive", "off": "http2_off"}[args.http2])
        if not args.no_redirect:
            flags.add("redirect")
    site = render_template(TEMPLATE.read_text(), values, flags)
    if args.standalone:
        return _standalone(Path(args.standalone), site, args.error_log)
    return site


def _standalone(prefix: Path, site: str, error_log: str | None) -> str:
    """A whole nginx.conf that keeps every file it writes under `prefix` (runs without root)."""
    prefix = prefix.resolve()
    _safe("--standalone", str(prefix))
    body = "\n".join(f"    {line}" if line else "" for line in site.splitlines())
    return (
        f"# Rendered by infra/nginx/render.py --standalone {prefix}\n"
        "worker_processes 1;\n"
        f"pid {prefix}/nginx.pid;\n"
        f"error_log {error_log or f'{prefix}/error.log'} warn;\n"
        "events {\n    worker_connections 1024;\n}\n"
        "http {\n"
        "    include /etc/nginx/mime.types;\n"
        "    default_type application/octet-stream;\n"
        f"    client_body_temp_path {prefix}/client_body;\n"
        f"    proxy_temp_path {prefix}/proxy;\n"
        f"    fastcgi_temp_path {prefix}/fastcgi;\n"
        f"    uwsgi_temp_path {prefix}/uwsgi;\n"
        f"    scgi_temp_path {prefix}/scgi;\n"
        f"{body}\n"
        "}\n"
    )


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--api", action="append", default=[], metavar="HOST:PORT", help="an API instance (repeat)")
    p.add_argument("--signaling", action="append", default=[], metavar="HOST:PORT", help="a signaling instance")
    p.add_argument("--listen", help="nginx listen address (default 443 with TLS, 80 without)")
    p.add_argument("--server-name", default="_", help="the public host name (default: any)")
    p.add_argument("--no-tls", action="store_true", help="plain HTTP (loopback tests only)")
    p.add_argument("--tls-cert", help="certificate chain (PEM) as nginx sees the path")
    p.add_argument("--tls-key", help="private key (PEM) as nginx sees the path")
    p.add_argument(
        "--http2",
        choices=["listen", "directive", "off"],
        default="listen",
        help="`listen ... ssl http2` (any nginx >= 1.9.5), `http2 on` (nginx >= 1.25.1) or none",
    )
    p.add_argument("--http-listen", help="where the port-80 redirect listens (default 80)")
    p.add_argument("--no-redirect", action="store_true", help="no HTTP -> HTTPS redirect server")
    p.add_argument("--max-body", default="1m", help="client_max_body_size (match HALCYON_MAX_BODY_BYTES)")
    p.add_argument("--login-rate", default="10r/m", help="sign-in requests per client address")
    p.add_argument("--login-burst", default=10, type=int, help="sign-in requests allowed at once above the rate")
    p.add_argument(
        "--stripe-origin",
        action="append",
        default=[],
        help="origins allowed for Stripe.js (repeat; default Stripe's own; the stand-in's for a loopback test)",
    )
    p.add_argument("--access-log", default="/var/log/nginx/access.log", help="access log path, or `off`")
    p.add_argument("--error-log", help="with --standalone: error log path (default PREFIX/error.log)")
    p.add_argument("--standalone", metavar="PREFIX", help="write a whole nginx.conf keeping its files in PREFIX")
    p.add_argument("--out", help="write here (default: standard output)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.access_log == "/var/log/nginx/access.log" and args.standalone:
        args.access_log = f"{Path(args.standalone).resolve()}/access.log"
    try:
        text = build(args)
    except RenderError as exc:
        print(f"render.py: {exc}", file=sys.stderr)
        return 2
    if args.out:
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
