"""Service-to-service calls (signaling -> API call events), signed with a shared secret.

The signature covers a timestamp and the exact body bytes: `t=<unix>,v1=<hex HMAC-SHA256>`
over `"<t>.<body>"`. A request older or newer than the tolerance is refused, so a captured
request cannot be replayed later; the API additionally ignores event ids it has seen.

The secret comes from settings; when none is configured (the embedded run, where both
services share the var folder) it is generated once into `<var>/internal_secret`.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
import time
from pathlib import Path

SIGNATURE_HEADER = "X-Halcyon-Signature"
DEFAULT_TOLERANCE_SECONDS = 300
SECRET_FILE = "internal_secret"  # noqa: S105 - a file name


def sign_body(secret: bytes, body: bytes, *, timestamp: int) -> str:
    mac = hmac.new(secret, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify_body(
    secret: bytes, body: bytes, header: str | None, *, now: int, tolerance: int = DEFAULT_TOLERANCE_SECONDS
) -> bool:
    """True when `header` is a fresh signature of `body` made with `secret`."""
    if not secret or not header or len(header) > 200:
        return False
    parts: dict[str, str] = {}
    for item in header.split(","):
        key, sep, value = item.strip().partition("=")
        if sep:
            parts[key] = value
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > tolerance:
        return False
    expected = sign_body(secret, body, timestamp=timestamp).partition(",v1=")[2]
    return hmac.compare_digest(expected, parts.get("v1", ""))


def load_or_create_secret(configured: str, var_dir: Path) -> bytes:
    """The configured secret, or the one kept in the var folder (created on first use)."""
    if configured:
        return configured.encode()
    path = var_dir / SECRET_FILE
    if not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        # O_EXCL: when both services start together, exactly one writes the file.
        with contextlib.suppress(FileExistsError):
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_urlsafe(32))
    for _ in range(50):
        value = path.read_text().strip()
        if value:
            return value.encode()
        time.sleep(0.01)  # the other service is still writing it
    raise RuntimeError(f"{path} is empty: delete it or set the internal secret")
