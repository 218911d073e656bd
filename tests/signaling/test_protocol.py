"""The protocol's shape: discriminated unions per direction, a version, W3C names at the
WebRTC boundary, and the committed JSON Schema the frontend's types come from."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from services.signaling.protocol import (
    PROTOCOL_VERSION,
    CloseCode,
    Hello,
    SendCandidate,
    SendOffer,
    client_messages,
    json_schema,
    schema_text,
    server_messages,
)

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "frontend" / "src" / "signaling" / "protocol.schema.json"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "signaling.md"


def test_the_committed_json_schema_is_current() -> None:
    assert SCHEMA_FILE.read_text() == schema_text(), (
        "frontend/src/signaling/protocol.schema.json is stale: run "
        "`.venv/bin/python -m services.signaling.protocol > frontend/src/signaling/protocol.schema.json`"
    )


def test_the_schema_has_one_union_per_direction_and_the_protocol_version() -> None:
    schema = json_schema()
    assert schema["x-protocol-version"] == PROTOCOL_VERSION
    client = schema["$defs"]["ClientMessage"]
    server = schema["$defs"]["ServerMessage"]
    assert client["discriminator"]["propertyName"] == server["discriminator"]["propertyName"] == "type"
    assert set(client["discriminator"]["mapping"]) == {
        "hello",
        "ping",
        "offer",
        "answer",
        "candidate",
        "admit",
        "chat",
        "connection_state",
        "leave",
        "end",
    }
    assert {"joined", "presence", "room", "error", "ended", "replaced", "precall_stats"} <= set(
        server["discriminator"]["mapping"]
    )
    # Server messages always carry their type (the frontend narrows on it).
    assert "type" in schema["$defs"]["Joined"]["required"]


def test_webrtc_fields_keep_their_w3c_names() -> None:
    candidate = schema_props("SendCandidate")
    assert {"candidate", "sdpMid", "sdpMLineIndex", "usernameFragment"} <= candidate
    assert {"sdp", "iceRestart"} <= schema_props("SendOffer")
    assert "iceServers" in schema_props("Joined")
    assert {"urls", "username", "credential"} == schema_props("IceServer")


def schema_props(name: str) -> set[str]:
    return set(json_schema()["$defs"][name]["properties"])


def test_messages_are_parsed_by_their_type() -> None:
    assert isinstance(client_messages.validate_json('{"type":"hello","protocol":1,"token":"t"}'), Hello)
    assert isinstance(client_messages.validate_python({"type": "offer", "sdp": "v=0"}), SendOffer)
    parsed = client_messages.validate_python(
        {"type": "candidate", "candidate": "", "sdpMid": None, "sdpMLineIndex": None}
    )
    assert isinstance(parsed, SendCandidate)
    joined = server_messages.validate_python(
        {
            "type": "joined",
            "consult_id": "c",
            "role": "patient",
            "iceServers": [],
            "heartbeat_interval_ms": 1,
            "heartbeat_timeout_ms": 2,
            "peer": {"role": "psychiatrist", "present": False},
            "room": "waiting",
            "resumed": False,
            "limits": {"max_frame_bytes": 1, "rate_per_second": 1, "rate_burst": 1},
        }
    )
    assert joined.protocol == PROTOCOL_VERSION


@pytest.mark.parametrize(
    "bad",
    [
        {"type": "unknown"},
        {"type": "offer"},
        {"type": "offer", "sdp": "v=0", "extra": 1},
        {"type": "chat", "text": ""},
        {"type": "chat", "text": "x" * 2001},
        {"type": "candidate", "candidate": "c", "sdpMLineIndex": -1},
        {"type": "hello", "protocol": 1, "token": "x" * 5000},
        {"type": "connection_state", "connectionState": "great"},
    ],
)
def test_invalid_client_messages_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        client_messages.validate_json(json.dumps(bad))


def test_every_close_code_is_documented() -> None:
    docs = DOCS.read_text()
    missing = [f"{c.value} {c.name}" for c in CloseCode if f"`{c.value}`" not in docs]
    assert not missing, f"document these close codes in docs/signaling.md: {missing}"
