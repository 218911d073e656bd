"""The protocol's shape: discriminated unions per direction, a version, W3C names at the
WebRTC boundary, and the committed JSON Schema the frontend's types come from."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from services.signaling.protocol import (
    PROTOCOL_VERSION,
    RELAYED,
    CloseCode,
    Hello,
    SendAnswer,
    SendCandidate,
    SendOffer,
    client_messages,
    json_schema,
    relayed_json,
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


@pytest.mark.parametrize(
    "sent",
    [
        '{"type":"offer","sdp":"v=0 offer","iceRestart":true}',
        '{"type": "offer", "sdp": "v=0 \\u00e9 offer"}',
        '  {"type":"answer","sdp":"v=0 answer"}',
        '{"type":"candidate","candidate":"candidate:1 1 udp 1 127.0.0.1 9 typ host","sdpMid":"0","sdpMLineIndex":0}',
        '{"type":"candidate","candidate":"","sdpMid":null,"sdpMLineIndex":null,"usernameFragment":"u"}',
        '{"candidate":"c","type":"candidate"}',
    ],
)
def test_a_relayed_message_spliced_from_the_sender_s_text_equals_the_one_built_from_the_model(sent: str) -> None:
    """Strictly valid offers, answers and candidates are relayed as the sender's text with
    `sender` added; the receiver must see exactly what the server-side model would produce."""
    msg = client_messages.validate_json(sent, strict=True)
    assert isinstance(msg, SendOffer | SendAnswer | SendCandidate)
    spliced = relayed_json("patient", msg, sent)
    built = relayed_json("patient", msg, None)  # no text: built from the model
    assert json.loads(spliced) == json.loads(built)
    relayed = server_messages.validate_json(spliced)
    assert relayed.model_dump(mode="json") == json.loads(built)
    assert json.loads(spliced)["sender"] == "patient"


def test_relayed_models_are_the_client_models_plus_the_sender() -> None:
    for sent, relayed in RELAYED.items():
        assert set(relayed.model_fields) == set(sent.model_fields) | {"sender"}, relayed.__name__


@pytest.mark.parametrize(
    "lax",
    [
        '{"type":"candidate","candidate":"c","sdpMLineIndex":"0"}',
        '{"type":"offer","sdp":"v=0","iceRestart":"true"}',
    ],
)
def test_coerced_messages_are_not_strictly_valid_so_they_are_re_serialised(lax: str) -> None:
    """The server relays a client's text only after strict validation; what lax validation
    coerces (a string for a number or a boolean) is relayed from the model, with proper types."""
    with pytest.raises(ValidationError):
        client_messages.validate_json(lax, strict=True)
    msg = client_messages.validate_json(lax)
    assert isinstance(msg, SendOffer | SendCandidate)
    relayed = json.loads(relayed_json("psychiatrist", msg, None))
    assert relayed.get("sdpMLineIndex", 0) == 0
    assert relayed.get("iceRestart", True) is True
