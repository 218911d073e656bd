"""The API's public keys as signaling fetches them: cached, refetched when a token names a
key id it does not know (the API rotated its key), and a refusal stays fast when the API is away."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from services.common.clock import utcnow
from services.common.join import SeatRole, TokenError, mint_join_token
from services.common.tokens import SigningKeys
from services.signaling import keys as keys_module
from services.signaling.keys import KeyStore
from tests.support.mail import free_port


class JwksServer:
    """Serves whatever key set the test puts in `jwks`, counting fetches."""

    def __init__(self) -> None:
        self.jwks: dict[str, Any] = {"keys": []}
        self.fetches = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.fetches += 1
                body = json.dumps(outer.jwks).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/.well-known/jwks.json"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def jwks() -> Iterator[JwksServer]:
    server = JwksServer()
    yield server
    server.server.shutdown()


def _token(keys: SigningKeys) -> str:
    now = utcnow()
    return mint_join_token(
        keys,
        consult_id=uuid.uuid4(),
        user_id=uuid.uuid4(),
        role=SeatRole.patient,
        not_before=now - timedelta(minutes=1),
        expires_at=now + timedelta(minutes=5),
    )


async def test_keys_are_cached_and_refetched_for_an_unknown_key_id(
    jwks: JwksServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = SigningKeys.load_or_create(tmp_path / "old.json")
    new = SigningKeys.load_or_create(tmp_path / "new.json")
    jwks.jwks = old.public_jwks()
    store = KeyStore(jwks.url)
    await store.verify_join(_token(old))
    await store.verify_join(_token(old))
    assert jwks.fetches == 1, "known keys are cached"

    # The API rotates: the new key signs, the old one is still published until its tokens expire.
    jwks.jwks = {"keys": new.public_jwks()["keys"] + old.public_jwks()["keys"]}
    monkeypatch.setattr(keys_module, "REFRESH_EVERY", 0.0)
    claims = await store.verify_join(_token(new))
    assert claims.role is SeatRole.patient
    assert jwks.fetches == 2


async def test_a_token_is_refused_within_a_second_when_the_api_is_unreachable(tmp_path: Path) -> None:
    store = KeyStore(f"http://127.0.0.1:{free_port()}/.well-known/jwks.json")
    started = time.monotonic()
    with pytest.raises(TokenError, match="not available"):
        await store.verify_join(_token(SigningKeys.load_or_create(tmp_path / "k.json")))
    assert time.monotonic() - started < 1.0


async def test_garbage_is_refused_without_fetching(jwks: JwksServer) -> None:
    store = KeyStore(jwks.url)
    for token in ("", "x" * 5000, "not.a.token"):
        with pytest.raises(TokenError):
            await store.verify_join(token)
    assert jwks.fetches == 0
