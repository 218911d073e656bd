"""Websocket endpoints: a consult's room (/ws/consults/{consult_id}) and the pre-call check
(/ws/precall), served by the `websockets` library's asyncio server (main.py). The join token
arrives in the first message or as a subprotocol, never in the URL: URLs end up in proxy and
access logs."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import time
import uuid
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from pydantic import ValidationError
from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed
from websockets.frames import DATA_OPCODES, Frame, Opcode
from websockets.headers import parse_subprotocol
from websockets.protocol import Event, State
from websockets.typing import Subprotocol

from services.common.clock import utcnow
from services.common.tokens import TokenError
from services.signaling.config import SignalingSettings
from services.signaling.echo import EchoPeers, EchoSession
from services.signaling.ice import ice_servers
from services.signaling.keys import KeyStore
from services.signaling.protocol import (
    PROTOCOL_VERSION,
    SUBPROTOCOL,
    TOKEN_SUBPROTOCOL_PREFIX,
    ClientMessage,
    CloseCode,
    Hello,
    Leave,
    Ping,
    Pong,
    PrecallAnswer,
    PrecallDone,
    PrecallReady,
    SendAnswer,
    SendCandidate,
    SendOffer,
    client_messages,
)
from services.signaling.rooms import Connection, Rooms

try:
    from websockets.speedups import apply_mask
except ImportError:  # pragma: no cover - websockets built without its C extension
    from websockets.utils import apply_mask

log = logging.getLogger(__name__)

CONSULT_PATH = "/ws/consults/"
PRECALL_PATH = "/ws/precall"
# Above this many bytes waiting in the transport, messages queue (and the writer waits for the
# client to read) instead of being written at once.
DIRECT_WRITE_LIMIT = 64 * 1024
# The kernel's send buffer per connection, fixed rather than autotuned (up to tcp_wmem's maximum,
# megabytes): what a client does not read piles up in our bounded queue soon enough to close it
# (4504), and an idle reader cannot hold megabytes of kernel memory. Ample for signaling.
SEND_BUFFER_BYTES = 256 * 1024
# A seated connection's messages waiting for their handler: past this, stop reading its socket.
INBOX_HIGH = 64
RELAYED_TYPES = (SendOffer, SendAnswer, SendCandidate)


class WsSocket:
    """`rooms.Socket` over a `websockets` server connection."""

    __slots__ = ("ws",)

    def __init__(self, ws: ServerConnection) -> None:
        self.ws = ws

    def write_now(self, text: str) -> bool:
        ws = self.ws
        transport = ws.transport
        if ws.protocol.state is not State.OPEN or transport.get_write_buffer_size() > DIRECT_WRITE_LIMIT:
            return False
        # What `ws.send` does before it awaits the transport's drain, without the coroutine, its
        # context manager and a task switch: one unfragmented text frame (a server's frames are
        # not masked), written at once. websockets keeps no state about the data frames it sends.
        payload = text.encode()
        size = len(payload)
        if size < 126:
            header = bytes((0x81, size))
        elif size < 65536:
            header = b"\x81\x7e" + size.to_bytes(2, "big")
        else:
            header = b"\x81\x7f" + size.to_bytes(8, "big")
        transport.write(header + payload)
        return True

    async def write(self, text: str) -> None:
        await self.ws.send(text)

    async def close(self, code: int) -> None:
        await self.ws.close(code)

    def abort(self) -> None:
        self.ws.transport.abort()


class SignalingConnection(ServerConnection):
    """websockets' server connection with one shortcut for seated connections: once `reader`
    is set, each complete message goes to `reader.on_frame` inside the read callback, instead
    of through websockets' message queue and a task switch to the handler's `recv()`. Messages
    queued before the switch are still read with `recv()` first, so order is kept."""

    reader: SeatedReader | None = None
    _fragments: list[bytes] | None = None
    _fragments_text = False
    _partial = b""

    def _parse_here(self) -> bool:
        """May this connection's incoming bytes be parsed by `data_received` itself: seated, open,
        and websockets holds nothing (no partial frame, no fragmented message, no queued one)?"""
        protocol = self.protocol
        return (
            not protocol.reader.buffer
            and protocol.current_size is None
            and self._fragments is None
            and not self.recv_messages.frames.queue
            and protocol.state is State.OPEN
        )

    def data_received(self, data: bytes) -> None:
        """For a seated connection, read the common frame here: final, masked, uncompressed text
        within the size limit, unmasked with websockets' C helper and handed to the reader.
        Anything else (control frames, binary, fragments, oversized or malformed frames) and
        everything after it in this chunk goes to websockets, which also takes over whenever
        it holds part of a frame; once it is back at a frame boundary, reading resumes here."""
        if self._partial:
            data, self._partial = self._partial + data, b""
        reader = self.reader
        if reader is None or not self._parse_here():
            super().data_received(data)
            return
        limit = self.protocol.max_message_size
        pos, end = 0, len(data)
        while pos < end:
            if end - pos < 6:  # a masked frame has at least 2 header bytes and a 4-byte mask
                break
            first, second = data[pos], data[pos + 1]
            size, start = second & 0x7F, pos + 6
            if size == 126:
                if end - pos < 8:
                    break
                size, start = int.from_bytes(data[pos + 2 : pos + 4], "big"), pos + 8
            elif size == 127:
                if end - pos < 14:
                    break
                size, start = int.from_bytes(data[pos + 2 : pos + 10], "big"), pos + 14
            if first != 0x81 or second < 0x80 or (limit is not None and size > limit):
                super().data_received(data[pos:])
                return
            stop = start + size
            if stop > end:
                break
            payload = apply_mask(data[start:stop], data[start - 4 : start])
            pos = stop
            try:
                text = payload.decode()
            except UnicodeDecodeError:
                reader.on_frame(payload)  # not text after all: refused as such
            else:
                reader.on_frame(text)
            if pos < end and not self._parse_here():
                super().data_received(data[pos:])
                return
        if pos < end:
            self._partial = data[pos:]

    def process_event(self, event: Event) -> None:
        reader = self.reader
        if reader is None or not isinstance(event, Frame) or event.opcode not in DATA_OPCODES:
            super().process_event(event)
            return
        if event.opcode is Opcode.CONT:
            if self._fragments is None:  # the message began in websockets' queue: finish it there
                super().process_event(event)
                return
            self._fragments.append(bytes(event.data))
            if not event.fin:
                return
            data, text = b"".join(self._fragments), self._fragments_text
            self._fragments = None
        elif self.recv_messages.frames.queue:  # messages from before the switch come first
            super().process_event(event)
            return
        elif not event.fin:
            self._fragments, self._fragments_text = [bytes(event.data)], event.opcode is Opcode.TEXT
            return
        else:
            data, text = bytes(event.data), event.opcode is Opcode.TEXT
        if text:
            try:
                reader.on_frame(data.decode())
            except UnicodeDecodeError:
                reader.on_frame(data)  # not text after all: refused as such
        else:
            reader.on_frame(data)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        sock = transport.get_extra_info("socket")
        if sock is not None:  # a fixed kernel buffer: see SEND_BUFFER_BYTES
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER_BYTES)

    def connection_lost(self, exc: Exception | None) -> None:
        super().connection_lost(exc)
        if self.reader is not None:
            self.reader.on_lost()


class SeatedReader:
    """A seated connection's incoming messages. Each is parsed and checked in the read callback
    and, when the room can act on it at once (ping, relay to a seat on this instance or to the
    bus), handled there too: no queue, no task switch. Anything that must wait (the bus, the
    API) or arrives while an earlier message is still being handled goes to `items`, which
    the connection's handler works through in order."""

    def __init__(self, ws: SignalingConnection, conn: Connection, rooms: Rooms) -> None:
        self.ws = ws
        self.conn = conn
        self.rooms = rooms
        self.items: deque[tuple[ClientMessage, str | None]] = deque()
        self.wake = asyncio.Event()
        self.busy = False
        self.gone = False
        self.paused = False

    def on_frame(self, data: str | bytes) -> None:
        conn = self.conn
        if conn.closing:
            return  # we are closing: wait for the client's close frame
        try:
            msg, raw = _parse(conn, data)
            if msg is None:
                return
            raw = raw if isinstance(msg, RELAYED_TYPES) else None
            if self.busy or self.items or not self.rooms.handle_now(conn, msg, raw):
                self.items.append((msg, raw))
                self.wake.set()
                if len(self.items) >= INBOX_HIGH and not self.paused:
                    self.paused = True
                    self.ws.transport.pause_reading()
        except Exception:
            log.exception("message handling failed")
            conn.fail(CloseCode.INTERNAL_ERROR, "internal_error", "Something went wrong: reconnect.")

    def on_lost(self) -> None:
        self.gone = True
        self.wake.set()

    def take(self) -> tuple[ClientMessage, str | None]:
        item = self.items.popleft()
        if self.paused and len(self.items) <= INBOX_HIGH // 4:
            self.paused = False
            if not self.gone:
                self.ws.transport.resume_reading()
        return item


@dataclass
class Services:
    """What the websocket handlers share (main.py builds it)."""

    settings: SignalingSettings
    keys: KeyStore
    rooms: Rooms
    echo: EchoPeers


def route(path: str) -> str | None:
    """The websocket endpoint a request path names, if any."""
    path = urlsplit(path).path
    if path == PRECALL_PATH:
        return "precall"
    if path.startswith(CONSULT_PATH) and "/" not in path[len(CONSULT_PATH) :] and len(path) > len(CONSULT_PATH):
        return "consult"
    return None


def select_subprotocol(ws: ServerConnection, offered: Sequence[Subprotocol]) -> Subprotocol | None:
    return Subprotocol(SUBPROTOCOL) if SUBPROTOCOL in offered else None


def _offered_token(ws: ServerConnection) -> str | None:
    """The token offered as a subprotocol (`halcyon.token.<jwt>`), if any."""
    request = ws.request
    if request is None:
        return None
    offered = [p for value in request.headers.get_all("Sec-WebSocket-Protocol") for p in parse_subprotocol(value)]
    return next((p[len(TOKEN_SUBPROTOCOL_PREFIX) :] for p in offered if p.startswith(TOKEN_SUBPROTOCOL_PREFIX)), None)


async def handle(ws: ServerConnection, services: Services) -> None:
    """Every websocket lands here (the handshake already accepted it: a browser sees our close
    code only on an open socket) and goes to its endpoint."""
    path = urlsplit(ws.request.path if ws.request else "").path
    if route(path) == "consult":
        if not isinstance(ws, SignalingConnection):
            raise TypeError("serve() with create_connection=SignalingConnection")
        await consult_socket(ws, services, path[len(CONSULT_PATH) :])
    elif route(path) == "precall":
        await precall_socket(ws, services)


def _parse(conn: Connection, message: str | bytes) -> tuple[ClientMessage | None, str | None]:
    """Apply the per-connection limits to one received frame and parse it. Returns the message
    and, when it passed strict validation, its text (which may then be relayed as is)."""
    conn.last_seen = now = time.monotonic()
    if not conn.take_token(now):
        conn.fail(CloseCode.RATE_LIMITED, "rate_limited", "Too many messages: slow down.")
        return None, None
    if not isinstance(message, str):
        if len(message) > conn.settings.max_frame_bytes:
            conn.fail(CloseCode.FRAME_TOO_LARGE, "frame_too_large", "Message too large.")
        else:
            conn.count_invalid("invalid_message", "Send JSON text messages.")
        return None, None
    if conn.too_large(message):
        conn.fail(
            CloseCode.FRAME_TOO_LARGE,
            "frame_too_large",
            f"Messages are limited to {conn.settings.max_frame_bytes} bytes.",
        )
        return None, None
    try:
        return client_messages.validate_json(message, strict=True), message
    except ValidationError:
        pass
    try:  # lax: e.g. "0" for an integer; accepted, but then re-serialised before it is relayed
        return client_messages.validate_json(message), None
    except ValidationError as exc:
        # Say where, never echo what: a chat text could be in it.
        where = ", ".join(".".join(str(p) for p in e["loc"]) or "message" for e in exc.errors()[:3])
        conn.count_invalid("invalid_message", f"The message is not valid ({where}).")
        return None, None


async def _receive(ws: ServerConnection) -> str | bytes | None:
    """The next frame; None once the connection is closed."""
    try:
        return await ws.recv()
    except ConnectionClosed:
        return None


async def _hello_token(ws: ServerConnection, conn: Connection) -> str | None:
    timeout = conn.settings.auth_timeout_seconds
    try:
        message = await asyncio.wait_for(_receive(ws), timeout=timeout)
    except TimeoutError:
        conn.fail(CloseCode.TIMEOUT, "hello_timeout", f"Send `hello` within {timeout:g} seconds.")
        return None
    if message is None:
        return None
    msg, _ = _parse(conn, message)
    if conn.closing:
        return None
    if not isinstance(msg, Hello):
        conn.fail(CloseCode.BAD_HELLO, "hello_expected", "The first message must be `hello` with a token.")
        return None
    if msg.protocol != PROTOCOL_VERSION:
        conn.fail(CloseCode.BAD_HELLO, "unsupported_protocol", f"This server speaks protocol {PROTOCOL_VERSION}.")
        return None
    return msg.token


async def consult_socket(ws: SignalingConnection, services: Services, consult_id: str) -> None:
    settings, rooms, keys = services.settings, services.rooms, services.keys
    token = _offered_token(ws)
    conn = Connection(WsSocket(ws), settings)
    seated = False
    try:
        if token is None:
            token = await _hello_token(ws, conn)
            if token is None:
                return
        try:
            claims = await keys.verify_join(token)
        except TokenError as exc:
            conn.fail(CloseCode.UNAUTHORIZED, "token_refused", f"Join token refused: {exc}.")
            return
        try:
            same = uuid.UUID(consult_id) == claims.consult_id
        except ValueError:
            same = False
        if not same:
            conn.fail(CloseCode.UNAUTHORIZED, "wrong_consult", "This join token is for another consult.")
            return
        try:
            seated = await rooms.join(conn, claims)
        except Exception:  # the bus is unreachable: the client retries, maybe elsewhere
            log.exception("joining a room failed", extra={"consult_id": consult_id})
            conn.fail(CloseCode.INTERNAL_ERROR, "internal_error", "Could not join the room: reconnect.")
            return
        if not seated:
            return
        reader = SeatedReader(ws, conn, rooms)
        ws.reader = reader  # from now on messages arrive through `reader` (see SignalingConnection)
        while True:
            if ws.recv_messages.frames.queue:  # received before the switch
                message = await _receive(ws)
                if message is None:
                    break
                if conn.closing:
                    continue
                msg, raw = _parse(conn, message)
                if msg is None:
                    continue
                raw = raw if isinstance(msg, RELAYED_TYPES) else None
            elif reader.items:
                msg, raw = reader.take()
                if conn.closing:
                    continue
            elif reader.gone:
                break
            else:
                reader.wake.clear()
                await reader.wake.wait()
                continue
            reader.busy = True
            try:
                await rooms.handle(conn, msg, raw)
            except Exception:
                log.exception("message handling failed", extra={"consult_id": consult_id})
                conn.fail(CloseCode.INTERNAL_ERROR, "internal_error", "Something went wrong: reconnect.")
            finally:
                reader.busy = False
    except asyncio.CancelledError:
        pass
    finally:
        if seated:
            with contextlib.suppress(Exception):
                await rooms.leave(conn)
        await conn.finish()


async def precall_socket(ws: ServerConnection, services: Services) -> None:
    settings, keys, echo = services.settings, services.keys, services.echo
    token = _offered_token(ws)
    conn = Connection(WsSocket(ws), settings)
    session: EchoSession | None = None
    acquired = False
    tasks: list[asyncio.Task[None]] = []
    try:
        if token is None:
            token = await _hello_token(ws, conn)
            if token is None:
                return
        try:
            claims = await keys.verify_precall(token)
        except TokenError as exc:
            conn.fail(CloseCode.UNAUTHORIZED, "token_refused", f"Pre-call token refused: {exc}.")
            return
        acquired = echo.acquire()
        if not acquired:
            conn.fail(CloseCode.AT_CAPACITY, "at_capacity", "Pre-call checks are busy: try again in a minute.")
            return
        servers = ice_servers(settings, user=str(claims.user_id), now=utcnow())
        session = echo.open(servers, conn.send)
        conn.send(PrecallReady(iceServers=servers, max_seconds=settings.echo_max_seconds))
        tasks = [
            asyncio.create_task(_precall_clock(conn, session, settings.echo_max_seconds)),
        ]
        while True:
            message = await _receive(ws)
            if message is None:
                break
            if conn.closing:
                continue
            msg, _ = _parse(conn, message)
            if msg is None:
                continue
            if isinstance(msg, Ping):
                conn.send(Pong(ts=msg.ts))
            elif isinstance(msg, SendOffer):
                if session.pc.remoteDescription is not None:
                    conn.count_invalid("already_offered", "This check already has an offer.")
                    continue
                try:
                    conn.send(PrecallAnswer(sdp=await session.answer(msg.sdp)))
                except Exception:
                    conn.count_invalid("invalid_offer", "The offer could not be used.")
                    continue
                tasks.append(asyncio.create_task(_precall_stats(conn, session)))
            elif isinstance(msg, SendCandidate):
                with contextlib.suppress(Exception):
                    await session.add_candidate(msg)
            elif isinstance(msg, Leave):
                conn.close(CloseCode.NORMAL, PrecallDone(reason="client_left"))
            else:
                conn.count_invalid("not_in_precall", "The pre-call check takes offer, candidate, ping and leave.")
    except asyncio.CancelledError:
        pass
    finally:
        for task in tasks:
            task.cancel()
        if session is not None:
            await echo.finish(session)
        if acquired:
            echo.release()
        await conn.finish()


async def _precall_clock(conn: Connection, session: EchoSession, limit: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(session.failed.wait(), timeout=limit)
        conn.close(CloseCode.NORMAL, PrecallDone(reason="failed"))
        return
    conn.close(CloseCode.NORMAL, PrecallDone(reason="time_limit"))


async def _precall_stats(conn: Connection, session: EchoSession) -> None:
    while not conn.closing:
        await asyncio.sleep(1.0)
        try:
            conn.send(await session.measure())
        except Exception:  # e.g. a transport not started yet: measure again next second
            log.warning("pre-call stats failed", exc_info=True)
