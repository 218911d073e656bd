"""TURN REST credentials (coturn's `use-auth-secret` scheme) and the ICE servers clients get."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime

import pytest
from pydantic import SecretStr

from services.signaling.config import SignalingSettings
from services.signaling.ice import ice_servers, turn_credentials

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def test_turn_username_is_expiry_colon_user_and_password_is_base64_hmac_sha1() -> None:
    username, password = turn_credentials("s3cret", "user-1", now=NOW, ttl_seconds=3600)
    assert username == f"{int(NOW.timestamp()) + 3600}:user-1"
    expected = base64.b64encode(hmac.new(b"s3cret", username.encode(), hashlib.sha1).digest()).decode()
    assert password == expected


def test_a_user_part_with_a_colon_is_refused() -> None:
    with pytest.raises(ValueError, match="must not contain"):
        turn_credentials("s", "a:b", now=NOW, ttl_seconds=60)


def test_no_ice_servers_by_default_so_nothing_reaches_a_public_stun_server() -> None:
    assert ice_servers(SignalingSettings(), user="u", now=NOW) == []


def test_stun_and_turn_servers_with_time_limited_credentials() -> None:
    settings = SignalingSettings(
        stun_urls=["stun:turn.example.org:3478"],
        turn_urls=["turn:turn.example.org:3478?transport=udp", "turns:turn.example.org:5349?transport=tcp"],
        turn_secret=SecretStr("shh"),
        turn_ttl_seconds=600,
    )
    stun, turn = ice_servers(settings, user="u1", now=NOW)
    assert stun.urls == ["stun:turn.example.org:3478"]
    assert stun.username is None
    assert turn.urls == settings.turn_urls
    assert turn.username == f"{int(NOW.timestamp()) + 600}:u1"
    assert turn.credential == turn_credentials("shh", "u1", now=NOW, ttl_seconds=600)[1]


def test_turn_urls_without_a_secret_are_not_handed_out() -> None:
    settings = SignalingSettings(turn_urls=["turn:turn.example.org:3478"])
    assert ice_servers(settings, user="u", now=NOW) == []
