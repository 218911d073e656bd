"""Run `localstripe` (the Stripe stand-in from PyPI) on loopback, for the embedded run and tests.

Its own command listens on every interface and keeps its state in `/tmp/localstripe.pickle`,
shared by every run on the machine; this launcher binds 127.0.0.1 and keeps the state file in
a folder of the caller's. `python -m services.api.integrations.stripe.standin --port 8420
--state-dir DIR` runs it in the foreground; `start_standin()` starts it as a child process and
waits until it answers; `register_webhook()` tells it where to deliver signed events.
"""

from __future__ import annotations

import argparse
import os
import pickle
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx


def _serve(port: int, state_dir: Path) -> None:
    from aiohttp import web
    from localstripe import resources, server  # type: ignore[import-untyped]

    state_file = state_dir / "localstripe.pickle"
    store_cls: Any = type(resources.store)

    def dump_to_disk(self: Any) -> None:
        tmp = state_file.with_suffix(".tmp")
        with tmp.open("wb") as f:
            pickle.dump(dict(self), f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, state_file)

    def try_load_from_disk(self: Any) -> None:
        try:
            with state_file.open("rb") as f:
                old = pickle.load(f)  # noqa: S301 - our own file, in a folder only we write
        except FileNotFoundError:
            return
        self.clear()
        self.update(old)

    store_cls.dump_to_disk = dump_to_disk
    store_cls.try_load_from_disk = try_load_from_disk
    resources.store.try_load_from_disk()
    web.run_app(server.app, host="127.0.0.1", port=port, print=None, access_log=None)


def _answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/js.stripe.com/v3/", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def _die_with_parent(parent: int) -> None:
    """Linux: the stand-in gets SIGTERM when the process that started it dies, even by SIGKILL.

    The stand-in sets this on itself once it runs, not in a `preexec_fn`: Python code between
    fork and exec in a parent with threads (test servers, the SMTP sink) can wait forever on a
    lock another thread held at the fork (seen: a loader lock in `ctypes.CDLL`)."""
    if sys.platform != "linux":
        return
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        return
    if os.getppid() != parent:  # the parent died before we asked: go now
        raise SystemExit(0)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_standin(port: int, state_dir: Path, *, timeout: float = 20.0) -> tuple[subprocess.Popen[bytes], str]:
    """Start the stand-in as a child process on 127.0.0.1:port; return it and its base URL."""
    state_dir.mkdir(parents=True, exist_ok=True)
    url = f"http://127.0.0.1:{port}"
    argv = [sys.executable, "-m", "services.api.integrations.stripe.standin", "--port", str(port)]
    proc = subprocess.Popen(  # noqa: S603 - our own module, fixed arguments
        [*argv, "--state-dir", str(state_dir), "--parent", str(os.getpid())],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the Stripe stand-in exited with code {proc.returncode} (is port {port} free?)")
        if _answers(url):
            return proc, url
        time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"the Stripe stand-in did not answer on {url} within {timeout:g} s")


def register_webhook(base_url: str, name: str, target_url: str, secret: str) -> None:
    """Ask the stand-in to sign and deliver every event to `target_url`."""
    r = httpx.post(f"{base_url}/_config/webhooks/{name}", data={"url": target_url, "secret": secret}, timeout=5)
    r.raise_for_status()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="localstripe on 127.0.0.1 with its state in a chosen folder")
    parser.add_argument("--port", type=int, default=8420)
    parser.add_argument("--state-dir", type=Path, required=True)
    parser.add_argument("--parent", type=int, default=0, help="stop when this process dies (0: never)")
    args = parser.parse_args(argv)
    if args.parent:
        _die_with_parent(args.parent)
    args.state_dir.mkdir(parents=True, exist_ok=True)
    _serve(args.port, args.state_dir)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
