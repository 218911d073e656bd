#!/usr/bin/env python3
"""Create and rotate the keys every API instance must share (in HALCYON_VAR_DIR).

    halcyon_keys.py init DIR            create signing_keys.json and secret.key if missing (0600)
    halcyon_keys.py list DIR            key ids of the signing keys; the first one signs
    halcyon_keys.py add DIR             add a new signing key, published in the JWKS but not signing yet
    halcyon_keys.py promote DIR KID     make KID the signing key (the previous one stays, to verify)
    halcyon_keys.py retire DIR KID      remove a key that no longer signs (after its tokens expired)

Rotation without signing anyone out (docs/deployment.md, "Key rotation"):
  1. `add`, roll the API out: the new key is published at /.well-known/jwks.json, nothing
     signs with it yet. Signaling refetches the key set when it meets a key id it does not know.
  2. `promote NEW`, roll out: new tokens carry the new key id; older tokens still verify.
  3. Once the longest token lifetime has passed (access and join tokens: minutes; refresh
     tokens are opaque and not signed with these keys), `retire OLD`, roll out.
The file format is the one services/common/tokens.py reads: {"keys": [private JWKs]}.
"""

# ruff: noqa: T201 - a command-line tool: it prints its results

from __future__ import annotations

import json
import os
import secrets
import sys
from pathlib import Path
from typing import Any

SIGNING = "signing_keys.json"
BOX = "secret.key"


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    tmp.replace(path)


def _new_key() -> dict[str, Any]:
    from joserfc.jwk import ECKey

    key = ECKey.generate_key("P-256", parameters={"kid": secrets.token_hex(8)})
    return dict(key.as_dict(private=True))


def _load(directory: Path) -> list[dict[str, Any]]:
    path = directory / SIGNING
    if not path.exists():
        raise SystemExit(f"{path} does not exist: run `init` first")
    keys: list[dict[str, Any]] = json.loads(path.read_text())["keys"]
    return keys


def _save(directory: Path, keys: list[dict[str, Any]]) -> None:
    _write_private(directory / SIGNING, json.dumps({"keys": keys}).encode())


def init(directory: Path) -> str:
    made = []
    if not (directory / SIGNING).exists():
        _save(directory, [_new_key()])
        made.append(SIGNING)
    if not (directory / BOX).exists():
        from cryptography.fernet import Fernet

        _write_private(directory / BOX, Fernet.generate_key())
        made.append(BOX)
    return f"created {', '.join(made)} in {directory}" if made else f"keys already in {directory}: nothing changed"


def list_keys(directory: Path) -> str:
    keys = _load(directory)
    return "\n".join(f"{k['kid']}{'  (signing)' if i == 0 else ''}" for i, k in enumerate(keys))


def add(directory: Path) -> str:
    keys = _load(directory)
    new = _new_key()
    _save(directory, [*keys, new])
    return f"added {new['kid']} (published, not signing: roll out, then `promote {new['kid']}`)"


def _index(keys: list[dict[str, Any]], kid: str) -> int:
    for i, k in enumerate(keys):
        if k.get("kid") == kid:
            return i
    raise SystemExit(f"no key {kid}; keys: {', '.join(str(k.get('kid')) for k in keys)}")


def promote(directory: Path, kid: str) -> str:
    keys = _load(directory)
    i = _index(keys, kid)
    _save(directory, [keys[i], *keys[:i], *keys[i + 1 :]])
    return f"{kid} signs now; {len(keys) - 1} older key(s) still verify"


def retire(directory: Path, kid: str) -> str:
    keys = _load(directory)
    i = _index(keys, kid)
    if i == 0:
        raise SystemExit(f"{kid} is the signing key: promote another key first")
    _save(directory, keys[:i] + keys[i + 1 :])
    return f"retired {kid}"


def main(argv: list[str]) -> int:
    commands = {
        "init": (init, 1),
        "list": (list_keys, 1),
        "add": (add, 1),
        "promote": (promote, 2),
        "retire": (retire, 2),
    }
    if not argv or argv[0] not in commands or len(argv) - 1 != commands[argv[0]][1]:
        print(__doc__, file=sys.stderr)
        return 2
    func, _ = commands[argv[0]]
    print(func(Path(argv[1]), *argv[2:]))  # type: ignore[operator]
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
