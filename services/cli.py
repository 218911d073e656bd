"""The `halcyon` command: serve, worker, migrate, seed-demo, create-admin, audit verify, openapi."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import json
import os
import secrets
import signal
import subprocess
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from services.common.logging import configure_logging

if TYPE_CHECKING:
    from services.api.config import Settings


def _settings() -> Settings:
    from services.api.config import get_settings

    return get_settings()


def cmd_migrate(_: argparse.Namespace) -> int:
    from services.api.core.migrate import upgrade_head

    s = _settings()
    s.ensure_var_dir()
    upgrade_head(s.effective_database_url)
    print(f"database migrated: {_redact(s.effective_database_url)}")
    return 0


def _redact(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def cmd_seed_demo(_: argparse.Namespace) -> int:
    from services.api.demo import seed_demo

    return asyncio.run(seed_demo(_settings()))


def cmd_create_admin(args: argparse.Namespace) -> int:
    from services.api.demo import create_admin

    password = args.password or os.environ.get("HALCYON_ADMIN_PASSWORD") or ""
    if not password:
        if not sys.stdin.isatty():
            print("give --password or HALCYON_ADMIN_PASSWORD when not on a terminal", file=sys.stderr)
            return 2
        password = getpass.getpass("Password for the new admin: ")
    return asyncio.run(create_admin(_settings(), email=args.email, full_name=args.name, password=password))


def cmd_audit_verify(_: argparse.Namespace) -> int:
    from services.api.audit.service import verify_chain
    from services.api.core.db import make_engine, make_sessionmaker

    async def run() -> int:
        engine = make_engine(_settings().effective_database_url)
        try:
            async with make_sessionmaker(engine)() as session:
                report = await verify_chain(session)
        finally:
            await engine.dispose()
        if report.ok:
            print(f"audit chain intact: {report.checked} entries checked")
            return 0
        where = f"at entry {report.first_bad_id}" if report.first_bad_id is not None else "at its end"
        print(f"audit chain BROKEN {where}: {report.reason} ({report.checked} good before it)")
        return 1

    return asyncio.run(run())


def cmd_openapi(_: argparse.Namespace) -> int:
    from services.api.config import Settings
    from services.api.main import create_app
    from services.common.settings import Environment

    # A production-shaped app: development-only routes (local mailbox) are not in the contract.
    app = create_app(Settings(env=Environment.production, serve_frontend=False), check_migrations=False)
    print(json.dumps(app.openapi(), indent=2, sort_keys=True))
    return 0


def cmd_worker(_: argparse.Namespace) -> int:
    from services.api.core.db import make_engine, make_sessionmaker
    from services.api.notifications.worker import run_worker

    settings = _settings()
    configure_logging(settings.log_level, as_json=settings.log_json)

    async def run() -> None:
        engine = make_engine(settings.effective_database_url)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        try:
            await run_worker(settings, make_sessionmaker(engine), stop=stop)
        finally:
            await engine.dispose()

    asyncio.run(run())
    return 0


def _stripe_standin(settings: Settings) -> tuple[Settings, subprocess.Popen[bytes] | None]:
    """No Stripe key and no Stripe address: run the stand-in on loopback and point Halcyon at it.

    Payments then work with test cards and are labelled as test payments; webhooks are signed by
    the stand-in with a secret kept in the var folder. With keys set this does nothing.
    """
    if settings.stripe_secret_key.get_secret_value() or settings.stripe_api_base:
        return settings, None
    from pydantic import SecretStr

    from services.api.integrations.stripe.standin import register_webhook, start_standin

    secret_file = settings.var_dir / "stripe_webhook_secret"
    if not secret_file.exists():
        settings.var_dir.mkdir(parents=True, exist_ok=True)
        secret_file.write_text(f"whsec_standin_{secrets.token_hex(16)}")
        secret_file.chmod(0o600)
    secret = secret_file.read_text().strip()
    proc, url = start_standin(settings.stripe_standin_port, settings.var_dir / "localstripe")
    register_webhook(url, "halcyon", f"http://{settings.api_host}:{settings.api_port}/api/webhooks/stripe", secret)
    configured = settings.model_copy(
        update={
            "stripe_api_base": url,
            "stripe_js_url": f"{url}/js.stripe.com/v3/",
            "stripe_webhook_secrets": SecretStr(secret),
        }
    )
    return configured, proc


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from services.api.main import create_app
    from services.signaling.config import get_signaling_settings
    from services.signaling.main import SignalingServer

    settings = _settings()
    configure_logging(settings.log_level, as_json=settings.log_json)
    standin = None
    if args.component in ("all", "api"):
        settings, standin = _stripe_standin(settings)
    sig_settings = get_signaling_settings()
    # In one `serve` process signaling follows the API's address and folder unless told otherwise,
    # so a custom HALCYON_API_PORT or HALCYON_VAR_DIR does not leave it without keys or secret.
    inherit: dict[str, object] = {}
    if "HALCYON_SIGNALING_API_URL" not in os.environ:
        inherit["api_url"] = f"http://{settings.api_host}:{settings.api_port}"
    if "HALCYON_SIGNALING_VAR_DIR" not in os.environ:
        inherit["var_dir"] = settings.var_dir
    if inherit:
        sig_settings = sig_settings.model_copy(update=inherit)

    async def run() -> None:
        servers: list[uvicorn.Server | SignalingServer] = []
        smtp = None
        if args.component in ("all", "api"):
            if settings.is_development and settings.local_smtp:
                from services.api.notifications.local_smtp import start_local_smtp

                smtp = start_local_smtp(settings.var_dir / "mailbox", settings.smtp_host, settings.smtp_port)
            app = create_app(settings)
            servers.append(
                uvicorn.Server(
                    uvicorn.Config(
                        app, host=settings.api_host, port=settings.api_port, log_config=None, proxy_headers=False
                    )
                )
            )
        if args.component in ("all", "signaling"):
            servers.append(SignalingServer(sig_settings))
        if args.component in ("all", "api"):
            base = f"http://{settings.api_host}:{settings.api_port}"
            print(
                "\nHalcyon is starting:\n"
                f"  web app          {base}/\n"
                f"  API docs         {base}/docs\n"
                f"  API health       {base}/healthz\n"
                f"  signaling health http://{sig_settings.host}:{sig_settings.port}/healthz\n"
                + (
                    f"  local mailbox    {base}/dev/mailbox (SMTP on {settings.smtp_host}:{settings.smtp_port})\n"
                    if smtp
                    else ""
                )
                + (f"  test payments    Stripe stand-in on {settings.stripe_api_base}\n" if standin else "")
                + f"  database         {_redact(settings.effective_database_url)}\n",
                flush=True,
            )
        try:
            await asyncio.gather(*(s.serve() for s in servers))
        finally:
            if smtp is not None:
                with contextlib.suppress(Exception):
                    smtp.stop()
            if standin is not None:
                standin.terminate()
                with contextlib.suppress(Exception):
                    standin.wait(timeout=5)

    asyncio.run(run())
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="halcyon", description="Halcyon telepsychiatry platform")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("serve", help="run the API (+ web app) and signaling")
    p.add_argument("component", nargs="?", choices=["all", "api", "signaling"], default="all")
    p.set_defaults(func=cmd_serve)
    sub.add_parser("worker", help="send queued e-mail and run background jobs").set_defaults(func=cmd_worker)
    sub.add_parser("migrate", help="upgrade the database to the latest schema").set_defaults(func=cmd_migrate)
    sub.add_parser("seed-demo", help="create demo accounts (printed once)").set_defaults(func=cmd_seed_demo)
    p = sub.add_parser("create-admin", help="create an administrator account")
    p.add_argument("--email", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--password")
    p.set_defaults(func=cmd_create_admin)
    audit = sub.add_parser("audit", help="audit log tools")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True)
    audit_sub.add_parser("verify", help="check the audit hash chain").set_defaults(func=cmd_audit_verify)
    sub.add_parser("openapi", help="print the API's OpenAPI document").set_defaults(func=cmd_openapi)
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
