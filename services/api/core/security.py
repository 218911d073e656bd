"""Small security primitives: opaque tokens, at-rest encryption of secrets."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken


def new_token() -> str:
    """An opaque, URL-safe random token (256 bits)."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """Tokens are stored only as their SHA-256: a database leak does not leak live links."""
    return hashlib.sha256(token.encode()).hexdigest()


def constant_time_equals(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


class SecretBox:
    """Fernet (AES-128-CBC + HMAC) for secrets kept in the database, e.g. TOTP seeds."""

    def __init__(self, key: bytes) -> None:
        self._fernet = Fernet(key)
        self._key = key

    def derive_key(self, purpose: str) -> bytes:
        """A key for one other use (e.g. signing a cookie), so one secret file serves every replica."""
        return hmac.new(self._key, f"halcyon:{purpose}".encode(), hashlib.sha256).digest()

    @classmethod
    def load_or_create(cls, path: Path) -> SecretBox:
        if path.exists():
            return cls(path.read_bytes().strip())
        key = Fernet.generate_key()
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(key)
        os.chmod(tmp, 0o600)
        tmp.replace(path)
        return cls(key)

    def encrypt(self, plain: str) -> str:
        return self._fernet.encrypt(plain.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise ValueError("secret cannot be decrypted with the current key") from exc
