"""infra/keys/halcyon_keys.py: the rotation steps keep every token valid that should be."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from services.api.core.security import SecretBox
from services.common.tokens import SigningKeys, TokenError
from tests.deploy.support import INFRA

TOOL = INFRA / "keys" / "halcyon_keys.py"


def keys(*args: str) -> str:
    done = subprocess.run([sys.executable, str(TOOL), *args], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def token(signer: SigningKeys) -> str:
    now = int(time.time())
    return signer.encode({"sub": "u", "typ": "access", "iat": now, "exp": now + 600})


def kids(var: Path) -> list[str]:
    return [line.split()[0] for line in keys("list", str(var)).splitlines()]


def test_init_then_add_promote_retire_rotates_without_breaking_live_tokens(tmp_path: Path) -> None:
    var = tmp_path / "var"
    assert "created signing_keys.json, secret.key" in keys("init", str(var))
    assert (var / "signing_keys.json").stat().st_mode & 0o777 == 0o600
    assert (var / "secret.key").stat().st_mode & 0o777 == 0o600
    box_before = (var / "secret.key").read_bytes()
    assert "nothing changed" in keys("init", str(var))  # never replaces existing keys
    assert (var / "secret.key").read_bytes() == box_before
    SecretBox.load_or_create(var / "secret.key").encrypt("readable by the app")

    # The app reads what the tool writes.
    old_signer = SigningKeys.load_or_create(var / "signing_keys.json")
    [old] = kids(var)
    old_token = token(old_signer)

    # 1. add: published, not signing.
    keys("add", str(var))
    after_add = SigningKeys.load_or_create(var / "signing_keys.json")
    old_kid, new_kid = kids(var)
    assert old_kid == old
    assert {k["kid"] for k in after_add.public_jwks()["keys"]} == {old, new_kid}
    assert after_add.current.kid == old

    # 2. promote: new tokens carry the new key id; tokens of the old key still verify.
    keys("promote", str(var), new_kid)
    rotated = SigningKeys.load_or_create(var / "signing_keys.json")
    assert rotated.current.kid == new_kid
    assert rotated.decode(old_token, typ="access")["sub"] == "u"
    new_token = token(rotated)
    verifier = SigningKeys.from_public_jwks(rotated.public_jwks())
    assert verifier.decode(new_token, typ="access")["sub"] == "u"

    # 3. retire the old key: its tokens stop verifying, the new ones keep working.
    with pytest.raises(subprocess.CalledProcessError):
        subprocess.run([sys.executable, str(TOOL), "retire", str(var), new_kid], check=True, capture_output=True)
    keys("retire", str(var), old)
    final = SigningKeys.load_or_create(var / "signing_keys.json")
    assert kids(var) == [new_kid]
    assert final.decode(new_token, typ="access")["sub"] == "u"
    with pytest.raises(TokenError):
        final.decode(old_token, typ="access")
