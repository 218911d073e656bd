"""Signed JWTs (ES256, joserfc) shared by the API (mints) and signaling (verifies).

The signing key is generated on first run and kept in the var folder; every token carries
the key id so keys can be rotated: keep the old public key in the key set until its tokens
have expired.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, KeySet

from services.common.clock import utcnow

ALGORITHM = "ES256"


class TokenError(Exception):
    """A token is malformed, forged, expired, not yet valid or of the wrong kind."""


class SigningKeys:
    def __init__(self, current: ECKey, others: list[ECKey] | None = None) -> None:
        self.current = current
        self.keyset = KeySet([current, *(others or [])])

    @classmethod
    def load_or_create(cls, path: Path) -> SigningKeys:
        if path.exists():
            data = json.loads(path.read_text())
            keys = [ECKey.import_key(k) for k in data["keys"]]
            return cls(keys[0], keys[1:])
        key = ECKey.generate_key("P-256", parameters={"kid": secrets.token_hex(8)})
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"keys": [key.as_dict(private=True)]}))
        os.chmod(tmp, 0o600)
        tmp.replace(path)
        return cls(key)

    @classmethod
    def from_public_jwks(cls, jwks: Mapping[str, Any]) -> SigningKeys:
        keys = [ECKey.import_key(k) for k in jwks["keys"]]
        return cls(keys[0], keys[1:])

    def public_jwks(self) -> dict[str, Any]:
        return {"keys": [k.as_dict(private=False) | {"alg": ALGORITHM, "use": "sig"} for k in self.keyset.keys]}

    def encode(self, claims: Mapping[str, Any]) -> str:
        header = {"alg": ALGORITHM, "kid": self.current.kid}
        return jwt.encode(header, dict(claims), self.current, algorithms=[ALGORITHM])

    def decode(
        self, token: str, *, typ: str, audience: str | None = None, now: datetime | None = None
    ) -> dict[str, Any]:
        """Verify signature, `typ`, `exp`/`nbf` and (optionally) `aud`; return the claims."""
        if not token or len(token) > 4096:
            raise TokenError("token missing or too long")
        try:
            decoded = jwt.decode(token, self.keyset, algorithms=[ALGORITHM])
        except (JoseError, ValueError, KeyError, TypeError) as exc:
            raise TokenError("token signature or format is invalid") from exc
        claims = dict(decoded.claims)
        ts = int((now or utcnow()).timestamp())
        exp = claims.get("exp")
        if not isinstance(exp, int) or exp <= ts:
            raise TokenError("token has expired")
        nbf = claims.get("nbf")
        if nbf is not None and (not isinstance(nbf, int) or nbf > ts):
            raise TokenError("token is not valid yet")
        if claims.get("typ") != typ:
            raise TokenError("token is of the wrong kind")
        if audience is not None and claims.get("aud") != audience:
            raise TokenError("token is for another audience")
        return claims
