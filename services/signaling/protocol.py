"""The signaling protocol: JSON messages with a `type` discriminator, one union per direction.

W3C names at the WebRTC boundary (`sdp`, `candidate`, `sdpMid`, `sdpMLineIndex`,
`usernameFragment`, `iceServers`, `urls`, `username`, `credential`, `connectionState`) so a
browser passes them to and from `RTCPeerConnection` untouched. Everything else is snake_case.
No patient data travels here: opaque ids, SDP, candidates, and chat text that is relayed and
handed to the API, never logged. docs/signaling.md describes the flow and the close codes;
`python -m services.signaling.protocol` prints the JSON Schema the frontend's types come from
(committed as frontend/src/signaling/protocol.schema.json).
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from enum import IntEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

PROTOCOL_VERSION = 1
SUBPROTOCOL = f"halcyon.signaling.v{PROTOCOL_VERSION}"
# A browser that cannot send the token in the first message offers it as a second
# subprotocol, `halcyon.token.<jwt>` (headers are not logged the way URLs are).
TOKEN_SUBPROTOCOL_PREFIX = "halcyon.token."  # noqa: S105 - a prefix

Role = Literal["patient", "psychiatrist"]
RoomState = Literal["waiting", "admitted", "ended"]
PeerConnectionState = Literal["new", "connecting", "connected", "disconnected", "failed", "closed"]


class CloseCode(IntEnum):
    """Websocket close codes the server uses; clients decide from these whether to reconnect."""

    NORMAL = 1000  # the client left, or a pre-call check finished
    GOING_AWAY = 1001  # this instance is shutting down: reconnect (another instance takes over)
    SERVICE_RESTART = 1012  # the server process is restarting (uvicorn sent it; we send 1001): reconnect
    MESSAGE_TOO_BIG = 1009  # frame above the transport's hard cap (4 MiB), closed by the server library
    INTERNAL_ERROR = 1011
    CONSULT_ENDED = 4000  # the psychiatrist ended the consult: do not reconnect
    BAD_HELLO = 4400  # the first message was not a valid `hello`, or the protocol version is unsupported
    UNAUTHORIZED = 4401  # token invalid, expired, not yet valid, or for another consult: get a new token
    SEAT_TAKEN = 4403  # this seat belongs to someone else: a third party is never seated
    TIMEOUT = 4408  # no `hello` in time, or no heartbeat within the timeout
    REPLACED = 4409  # a newer connection took this seat (reconnect elsewhere): do not reconnect here
    ROOM_CLOSED = 4410  # the room was idle too long or has ended
    FRAME_TOO_LARGE = 4413  # a message above max_frame_bytes
    TOO_MANY_INVALID = 4422  # repeated invalid messages
    RATE_LIMITED = 4429  # message rate above the limit
    AT_CAPACITY = 4503  # pre-call checks are all busy: try again shortly
    TOO_SLOW = 4504  # the client reads too slowly: messages for it piled up past send_queue_size


class _Message(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_serialization_defaults_required=True)


Sdp = Annotated[str, Field(min_length=1, max_length=200_000)]


# --- client -> server ---------------------------------------------------------------------
class Hello(_Message):
    """First message of every connection (unless the token came as a subprotocol)."""

    type: Literal["hello"]
    protocol: int = Field(ge=1, le=1000)
    token: str = Field(min_length=1, max_length=4096)


class Ping(_Message):
    """Heartbeat; the server answers `pong` with the same `ts`."""

    type: Literal["ping"]
    ts: float | None = None


class SendOffer(_Message):
    type: Literal["offer"]
    sdp: Sdp
    iceRestart: bool = False


class SendAnswer(_Message):
    type: Literal["answer"]
    sdp: Sdp


class SendCandidate(_Message):
    """A trickled ICE candidate (`candidate: ""` marks the end of candidates)."""

    type: Literal["candidate"]
    candidate: str = Field(max_length=1024)
    sdpMid: str | None = Field(default=None, max_length=64)
    sdpMLineIndex: int | None = Field(default=None, ge=0, le=64)
    usernameFragment: str | None = Field(default=None, max_length=256)


class Admit(_Message):
    """The psychiatrist admits the waiting patient."""

    type: Literal["admit"]


class SendChat(_Message):
    type: Literal["chat"]
    text: str = Field(min_length=1, max_length=2000)
    client_id: str | None = Field(default=None, max_length=64, description="Echoed back for matching.")


class ReportConnectionState(_Message):
    """The client's RTCPeerConnection.connectionState; `connected` starts the visit's clock."""

    type: Literal["connection_state"]
    connectionState: PeerConnectionState


class Leave(_Message):
    type: Literal["leave"]


class End(_Message):
    """The psychiatrist ends the consult for both parties."""

    type: Literal["end"]


ClientMessage = Annotated[
    Hello | Ping | SendOffer | SendAnswer | SendCandidate | Admit | SendChat | ReportConnectionState | Leave | End,
    Field(discriminator="type"),
]


# --- server -> client ---------------------------------------------------------------------
class IceServer(_Message):
    """An RTCIceServer: STUN, or TURN with time-limited credentials."""

    urls: list[str]
    username: str | None = None
    credential: str | None = None


class PeerPresence(_Message):
    role: Role
    present: bool


class Limits(_Message):
    max_frame_bytes: int
    rate_per_second: float
    rate_burst: int


class Joined(_Message):
    """The server's first message: you are seated."""

    type: Literal["joined"] = "joined"
    protocol: int = PROTOCOL_VERSION
    consult_id: str
    role: Role
    iceServers: list[IceServer]
    heartbeat_interval_ms: int
    heartbeat_timeout_ms: int
    peer: PeerPresence
    room: RoomState
    resumed: bool = Field(description="True when this connection replaced an earlier one for the same seat.")
    limits: Limits


class Presence(_Message):
    """The other party arrived, came back on a new connection, or left."""

    type: Literal["presence"] = "presence"
    role: Role
    present: bool
    reason: Literal["joined", "reconnected", "left", "timeout"]


class RoomUpdate(_Message):
    type: Literal["room"] = "room"
    state: RoomState


class RelayedOffer(_Message):
    type: Literal["offer"] = "offer"
    sender: Role
    sdp: str
    iceRestart: bool = False


class RelayedAnswer(_Message):
    type: Literal["answer"] = "answer"
    sender: Role
    sdp: str


class RelayedCandidate(_Message):
    type: Literal["candidate"] = "candidate"
    sender: Role
    candidate: str
    sdpMid: str | None = None
    sdpMLineIndex: int | None = None
    usernameFragment: str | None = None


class ChatRelayed(_Message):
    """A chat message, sent to both parties (the sender's copy confirms it was kept)."""

    type: Literal["chat"] = "chat"
    id: str
    sender: Role
    text: str
    sent_at: datetime
    client_id: str | None = None


class Pong(_Message):
    type: Literal["pong"] = "pong"
    ts: float | None = None


class ErrorMessage(_Message):
    """A refused message. With `close_code` set, the server closes the connection next."""

    type: Literal["error"] = "error"
    code: str
    message: str
    close_code: int | None = None


class Replaced(_Message):
    type: Literal["replaced"] = "replaced"


class Ended(_Message):
    type: Literal["ended"] = "ended"
    reason: Literal["ended_by_psychiatrist", "idle"]


class PrecallReady(_Message):
    type: Literal["precall_ready"] = "precall_ready"
    protocol: int = PROTOCOL_VERSION
    iceServers: list[IceServer]
    max_seconds: float


class PrecallAnswer(_Message):
    """The echo peer's answer to the browser's offer (it carries all its candidates)."""

    type: Literal["precall_answer"] = "precall_answer"
    sdp: str


class PrecallStats(_Message):
    """What the echo peer measures of the client's media, about once a second."""

    type: Literal["precall_stats"] = "precall_stats"
    elapsed_seconds: float
    connectionState: PeerConnectionState
    rtt_ms: float | None = None
    packets_received: int = 0
    packets_lost: int = 0
    fraction_lost: float | None = None
    jitter_ms: float | None = None
    inbound_kbps: float | None = None
    outbound_kbps: float | None = None
    tracks: list[Literal["audio", "video"]] = Field(default_factory=list)


class PrecallDone(_Message):
    type: Literal["precall_done"] = "precall_done"
    reason: Literal["time_limit", "client_left", "failed"]


ServerMessage = Annotated[
    Joined
    | Presence
    | RoomUpdate
    | RelayedOffer
    | RelayedAnswer
    | RelayedCandidate
    | ChatRelayed
    | Pong
    | ErrorMessage
    | Replaced
    | Ended
    | PrecallReady
    | PrecallAnswer
    | PrecallStats
    | PrecallDone,
    Field(discriminator="type"),
]

client_messages: TypeAdapter[ClientMessage] = TypeAdapter(ClientMessage)
server_messages: TypeAdapter[ServerMessage] = TypeAdapter(ServerMessage)


def encode(message: BaseModel) -> str:
    return message.model_dump_json()


RELAYED: dict[type[BaseModel], type[BaseModel]] = {
    SendOffer: RelayedOffer,
    SendAnswer: RelayedAnswer,
    SendCandidate: RelayedCandidate,
}
_DEFAULTS: dict[type[BaseModel], dict[str, str]] = {
    model: {name: json.dumps(f.default) for name, f in model.model_fields.items() if not f.is_required()}
    for model in RELAYED
}


def relayed_json(sender: str, msg: SendOffer | SendAnswer | SendCandidate, raw: str | None) -> str:
    """What the other seat receives for an offer, answer or candidate: the sender's message with
    `sender` added (and the fields it left out, with their defaults).

    `raw` is the client's text when it passed *strict* validation against `msg`'s model (JSON
    types exactly as the schema says, no coercion, no extra fields): then the relayed message
    is that text with `"sender"` spliced in, not parsed into a model and serialised again, and it
    still satisfies the server-side schema (tests/signaling/test_protocol.py checks both forms
    agree). Without `raw` the relayed model is built and serialised as usual. `sender` is a
    seat role the server set, never client input.
    """
    body = raw.lstrip() if raw is not None else ""
    if not body.startswith("{"):
        relayed = RELAYED[type(msg)](sender=sender, **msg.model_dump(exclude={"type"}))
        return relayed.model_dump_json()
    given = msg.model_fields_set
    missing = ""
    for name, default in _DEFAULTS[type(msg)].items():
        if name not in given:
            missing += f'"{name}":{default},'
    return f'{{"sender":"{sender}",{missing}{body[1:]}'


def json_schema() -> dict[str, Any]:
    """One JSON Schema document: `ClientMessage` and `ServerMessage` unions with their members."""
    client = client_messages.json_schema(ref_template="#/$defs/{model}")
    server = server_messages.json_schema(ref_template="#/$defs/{model}", mode="serialization")
    defs: dict[str, Any] = {}
    for part in (client, server):
        for name, schema in part.pop("$defs", {}).items():
            if name in defs and defs[name] != schema:
                raise RuntimeError(f"two protocol models are both called {name}")
            defs[name] = schema
    defs["ClientMessage"] = client
    defs["ServerMessage"] = server
    defs["CloseCode"] = {
        "description": "Websocket close codes (docs/signaling.md).",
        "enum": [int(c) for c in CloseCode],
        "x-enum-varnames": [c.name for c in CloseCode],
        "type": "integer",
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://halcyon.health/schemas/signaling.json",
        "title": "Halcyon signaling protocol",
        "x-protocol-version": PROTOCOL_VERSION,
        "x-subprotocol": SUBPROTOCOL,
        "oneOf": [{"$ref": "#/$defs/ClientMessage"}, {"$ref": "#/$defs/ServerMessage"}],
        "$defs": dict(sorted(defs.items())),
    }


def schema_text() -> str:
    return json.dumps(json_schema(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    sys.stdout.write(schema_text())
