"""Join-token claims shared by the API (mints) and signaling (verifies): services/common/join.py."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from services.common.join import (
    SeatRole,
    TokenError,
    mint_join_token,
    mint_precall_token,
    verify_join_token,
    verify_precall_token,
)
from services.common.tokens import SigningKeys

START = datetime(2026, 11, 21, 15, 0, tzinfo=UTC)


@pytest.fixture
def keys(tmp_path: Path) -> SigningKeys:
    return SigningKeys.load_or_create(tmp_path / "keys.json")


def _token(keys: SigningKeys, **kw: object) -> str:
    args: dict[str, object] = {
        "consult_id": uuid.uuid4(),
        "user_id": uuid.uuid4(),
        "role": SeatRole.patient,
        "not_before": START - timedelta(minutes=15),
        "expires_at": START + timedelta(minutes=10),
    }
    args.update(kw)
    return mint_join_token(keys, **args)  # type: ignore[arg-type]


def test_a_join_token_grants_one_seat_within_its_window(keys: SigningKeys) -> None:
    consult, user = uuid.uuid4(), uuid.uuid4()
    token = _token(keys, consult_id=consult, user_id=user, role=SeatRole.psychiatrist)
    claims = verify_join_token(keys, token, now=START)
    assert (claims.consult_id, claims.user_id, claims.role) == (consult, user, SeatRole.psychiatrist)
    assert claims.not_before == START - timedelta(minutes=15)
    assert claims.expires_at == START + timedelta(minutes=10)
    assert claims.token_id


def test_the_public_key_set_alone_verifies_it(keys: SigningKeys) -> None:
    public = SigningKeys.from_public_jwks(keys.public_jwks())
    assert verify_join_token(public, _token(keys), now=START).role is SeatRole.patient


@pytest.mark.parametrize(
    ("at", "message"),
    [
        (START - timedelta(minutes=16), "not valid yet"),
        (START + timedelta(minutes=10), "expired"),
    ],
)
def test_outside_its_window_a_join_token_is_refused(keys: SigningKeys, at: datetime, message: str) -> None:
    with pytest.raises(TokenError, match=message):
        verify_join_token(keys, _token(keys), now=at)


def test_tokens_of_another_kind_or_key_are_refused(keys: SigningKeys, tmp_path: Path) -> None:
    precall = mint_precall_token(keys, user_id=uuid.uuid4(), expires_at=START + timedelta(minutes=5))
    with pytest.raises(TokenError, match="wrong kind"):
        verify_join_token(keys, precall, now=START)
    with pytest.raises(TokenError, match="wrong kind"):
        verify_precall_token(keys, _token(keys), now=START)
    other = SigningKeys.load_or_create(tmp_path / "other.json")
    with pytest.raises(TokenError, match="signature"):
        verify_join_token(keys, _token(other), now=START)
    access = keys.encode({"typ": "access", "sub": "x", "exp": int((START + timedelta(hours=1)).timestamp())})
    with pytest.raises(TokenError):
        verify_join_token(keys, access, now=START)


def test_a_token_without_a_seat_role_is_refused(keys: SigningKeys) -> None:
    claims = {
        "typ": "join",
        "aud": "halcyon-signaling",
        "sub": str(uuid.uuid4()),
        "consult": str(uuid.uuid4()),
        "role": "admin",
        "nbf": int(START.timestamp()) - 60,
        "exp": int(START.timestamp()) + 60,
    }
    with pytest.raises(TokenError, match="no seat"):
        verify_join_token(keys, keys.encode(claims), now=START)


def test_a_token_that_expires_before_it_starts_cannot_be_minted(keys: SigningKeys) -> None:
    with pytest.raises(ValueError, match="expire after"):
        _token(keys, not_before=START, expires_at=START)


def test_a_precall_token_names_its_user(keys: SigningKeys) -> None:
    user = uuid.uuid4()
    token = mint_precall_token(keys, user_id=user, expires_at=START + timedelta(minutes=5))
    assert verify_precall_token(keys, token, now=START).user_id == user
