"""The API's public keys, fetched from its JWKS endpoint and cached.

A token signed with a key id we do not know yet (the API rotated its key) triggers one
refetch, at most every `REFRESH_EVERY` seconds, so a stream of forged key ids cannot make
us hammer the API. Fetches have a short timeout: a join is refused within a second even
when the API is unreachable. Until the first fetch succeeds (the API may start after us)
`load_until_loaded` keeps trying in the background, so the instance becomes ready on its own.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import httpx
from joserfc.jws import extract_compact

from services.common.join import JoinClaims, PrecallClaims, verify_join_token, verify_precall_token
from services.common.tokens import SigningKeys, TokenError

log = logging.getLogger(__name__)

REFRESH_EVERY = 10.0
RETRY_WITHOUT_KEYS = 0.5
RETRY_WITHOUT_KEYS_MAX = 5.0
FETCH_TIMEOUT = 0.7


class KeyStore:
    def __init__(self, jwks_url: str) -> None:
        self.url = jwks_url
        self._keys: SigningKeys | None = None
        self._kids: frozenset[str] = frozenset()
        self._fetched_at = -REFRESH_EVERY
        self._lock = asyncio.Lock()

    @property
    def loaded(self) -> bool:
        """Whether the API's public keys have been fetched (join tokens can be checked)."""
        return self._keys is not None

    async def refresh(self, *, force: bool = False) -> None:
        async with self._lock:
            # Without any keys yet (the API is still starting) retry soon; with keys, rarely.
            every = REFRESH_EVERY if self._keys is not None else RETRY_WITHOUT_KEYS
            if not force and time.monotonic() - self._fetched_at < every:
                return
            self._fetched_at = time.monotonic()
            try:
                async with httpx.AsyncClient(timeout=FETCH_TIMEOUT) as client:
                    r = await client.get(self.url)
                    r.raise_for_status()
                    jwks: dict[str, Any] = r.json()
                keys = SigningKeys.from_public_jwks(jwks)
            except (httpx.HTTPError, ValueError, KeyError, IndexError, TypeError) as exc:
                log.warning("could not fetch the API's public keys: %s", type(exc).__name__)
                return
            self._keys = keys
            self._kids = frozenset(str(k.kid) for k in keys.keyset.keys)

    async def load_until_loaded(self) -> None:
        """After a first fetch that failed, fetch the keys until they are in: 0.5 s later, then
        backing off to every 5 s while the API does not answer (each failure is logged)."""
        pause = RETRY_WITHOUT_KEYS
        while self._keys is None:
            await asyncio.sleep(pause)
            await self.refresh(force=True)
            pause = min(pause * 2, RETRY_WITHOUT_KEYS_MAX)

    @staticmethod
    def _kid(token: str) -> str | None:
        try:
            header = extract_compact(token.encode()).protected
        except Exception:
            return None
        kid = header.get("kid")
        return str(kid) if kid is not None else None

    async def _keys_for(self, token: str) -> SigningKeys:
        if len(token) > 4096:
            raise TokenError("token too long")
        kid = self._kid(token)
        if kid is None:
            raise TokenError("token format is invalid")
        if self._keys is None or kid not in self._kids:
            await self.refresh()
        if self._keys is None:
            raise TokenError("the API's public keys are not available")
        return self._keys

    async def verify_join(self, token: str) -> JoinClaims:
        return verify_join_token(await self._keys_for(token), token)

    async def verify_precall(self, token: str) -> PrecallClaims:
        return verify_precall_token(await self._keys_for(token), token)
