"""Rooms: two seats per consult, the waiting room, relay, presence, heartbeats and limits.

A `Connection` is one websocket. Its outgoing messages go straight to the socket while the
transport takes them without waiting, else through a bounded queue drained by a writer task,
so relaying never waits for a slow reader (a reader that falls too far behind is closed
instead) and one flooding client cannot stall another room.

`Rooms` keeps the rooms this instance has connections in; seats and room state live on the
bus (bus.py) so several instances share them. What crosses the bus is a small text envelope,
`kind<US>arg<US>origin instance<US>json`:
    d role    deliver `json` to the local connection holding this seat (published to the
              seat's address, so only the instance holding it receives it)
    s state   the room changed state: remember it, deliver `json` to everyone
    e conn    a newer connection took this one's seat: close it (4409)
    x reason  the room ended: deliver `json` to everyone and close them
The instance that publishes `s` or `x` has already told its own connections, and a bus may
hand an instance its own publication back, so it skips those.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
import uuid
from collections import deque
from collections.abc import Iterable
from typing import Protocol

from pydantic import BaseModel

from services.common.clock import utcnow
from services.common.join import JoinClaims, SeatRole
from services.signaling.bus import Bus
from services.signaling.config import SignalingSettings
from services.signaling.events import CallEventReporter
from services.signaling.ice import ice_servers
from services.signaling.latency import SAMPLE_EVERY, LatencyHistogram
from services.signaling.protocol import (
    PROTOCOL_VERSION,
    Admit,
    ChatRelayed,
    ClientMessage,
    CloseCode,
    End,
    Ended,
    ErrorMessage,
    Hello,
    Joined,
    Leave,
    Limits,
    PeerPresence,
    Ping,
    Pong,
    Presence,
    Replaced,
    ReportConnectionState,
    RoomUpdate,
    SendAnswer,
    SendCandidate,
    SendChat,
    SendOffer,
    encode,
    relayed_json,
)

log = logging.getLogger(__name__)

US = "\x1f"  # unit separator: never appears in our JSON (json escapes control characters)
SWEEP_EVERY = 1.0
OTHER_ROLE = {role.value: role.other.value for role in SeatRole}
CLOSE_GRACE_SECONDS = 10.0  # after deciding to close, the longest a connection may linger


class Socket(Protocol):
    """The websocket under a `Connection` (endpoints.py adapts the `websockets` server's)."""

    def write_now(self, text: str) -> bool:
        """Hand `text` to the transport at once if it can take it without waiting; False if not."""

    async def write(self, text: str) -> None:
        """Send `text`, waiting while the transport's buffer is full."""

    async def close(self, code: int) -> None: ...

    def abort(self) -> None:
        """Drop the connection without a closing handshake."""


class Connection:
    """One websocket: identity, limits and outgoing messages.

    A message goes straight to the socket when nothing is queued before it and the transport
    takes it without waiting (the common case: no task switch, no copy). Otherwise it waits in
    a bounded queue drained by a writer task started on demand, so relaying never waits for a
    slow reader; a reader that lets `send_queue_size` messages pile up is closed (4504).
    """

    def __init__(self, socket: Socket, settings: SignalingSettings) -> None:
        self.id = secrets.token_hex(8)
        self.socket = socket
        self.settings = settings
        self.room: Room | None = None
        self.role = ""
        self.user_id = ""
        self.closing = False
        self.close_code = int(CloseCode.NORMAL)
        self.replaced = False
        self.reported_connected = False
        self.invalid = 0
        self.last_seen = time.monotonic()
        self._tokens = float(settings.rate_burst)
        self._refilled = self.last_seen
        self._out: deque[str] = deque()
        self._wake = asyncio.Event()
        self._writer: asyncio.Task[None] | None = None

    # --- sending ----------------------------------------------------------------------------
    def send(self, message: BaseModel | str) -> None:
        if self.closing:
            return
        text = message if isinstance(message, str) else encode(message)
        # Everything not in the queue is already with the transport, so writing now keeps order.
        if not self._out and self.socket.write_now(text):
            return
        if len(self._out) >= self.settings.send_queue_size:
            self.fail(CloseCode.TOO_SLOW, "too_slow", "You are not reading messages fast enough.")
            return
        self._out.append(text)
        self._kick()

    def close(self, code: int, final: BaseModel | str | None = None) -> None:
        """Send `final` (after what is queued), then close with `code`."""
        if self.closing:
            return
        if final is not None:
            self._out.append(final if isinstance(final, str) else encode(final))
        self.closing = True
        self.close_code = int(code)
        self._kick()
        # A client that reads nothing (its buffers full) or never answers our close frame must
        # not hold the connection forever.
        asyncio.get_running_loop().call_later(CLOSE_GRACE_SECONDS, self.socket.abort)

    def error(self, code: str, message: str) -> None:
        self.send(ErrorMessage(code=code, message=message))

    def fail(self, close_code: CloseCode, code: str, message: str) -> None:
        """An error message, then the documented close code."""
        self.close(close_code, ErrorMessage(code=code, message=message, close_code=int(close_code)))

    def _kick(self) -> None:
        if self._writer is None:
            self._writer = asyncio.get_running_loop().create_task(self._write_loop())
        else:
            self._wake.set()

    async def _write_loop(self) -> None:
        try:
            while True:
                self._wake.clear()
                while self._out:
                    await self.socket.write(self._out.popleft())
                if self.closing:
                    break
                await self._wake.wait()
            await self.socket.close(self.close_code)
        except Exception:  # the client went away mid-write: nothing left to tell it
            self.closing = True
            self._out.clear()

    async def finish(self) -> None:
        """Close (normally, unless a close code was chosen) and wait for the close to go out."""
        self.close(self.close_code if self.closing else CloseCode.NORMAL)
        writer = self._writer
        if writer is None:
            return
        with contextlib.suppress(Exception):
            await asyncio.wait_for(asyncio.shield(writer), timeout=CLOSE_GRACE_SECONDS)
        if not writer.done():
            writer.cancel()
            self.socket.abort()

    # --- limits -----------------------------------------------------------------------------
    def take_token(self, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        self._tokens = min(
            float(self.settings.rate_burst), self._tokens + (now - self._refilled) * self.settings.rate_per_second
        )
        self._refilled = now
        if self._tokens < 1.0:
            return False
        self._tokens -= 1.0
        return True

    def too_large(self, text: str) -> bool:
        limit = self.settings.max_frame_bytes
        return len(text) > limit or (len(text) * 4 > limit and len(text.encode()) > limit)

    def count_invalid(self, code: str, message: str) -> None:
        self.invalid += 1
        if self.invalid >= self.settings.max_invalid_messages:
            self.fail(CloseCode.TOO_MANY_INVALID, "too_many_invalid_messages", "Too many invalid messages.")
        else:
            self.error(code, message)


class Room:
    def __init__(self, room_id: str) -> None:
        self.id = room_id
        self.conns: dict[str, Connection] = {}
        self.state = "waiting"
        self.last_activity = time.monotonic()
        self.pending = 0  # joins in flight: keeps the room while they await the bus


class Rooms:
    def __init__(self, settings: SignalingSettings, bus: Bus, events: CallEventReporter | None) -> None:
        self.settings = settings
        self.bus = bus
        self.events = events
        self.rooms: dict[str, Room] = {}
        self.by_id: dict[str, Connection] = {}
        self._sweeper: asyncio.Task[None] | None = None
        self._last_refresh = time.monotonic()
        self.instance = secrets.token_hex(4)
        self._closed = False
        self.relay_latency = LatencyHistogram()
        self._relays = 0

    def _envelope(self, kind: str, arg: str, text: str = "", *, sent: float | None = None) -> str:
        # A sampled relay carries when it was read (`origin@unix time`), so the delivering
        # instance can time the whole hop.
        origin = self.instance if sent is None else f"{self.instance}@{sent!r}"
        return f"{kind}{US}{arg}{US}{origin}{US}{text}"

    @property
    def lease(self) -> float:
        return self.settings.heartbeat_timeout_seconds

    async def start(self) -> None:
        await self.bus.start(self._on_bus)
        self._sweeper = asyncio.create_task(self._sweep_forever(), name="rooms-sweeper")

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
        for conn in list(self.by_id.values()):
            conn.close(CloseCode.GOING_AWAY)
        await self.bus.close()

    # --- reporting --------------------------------------------------------------------------
    def _report(
        self, kind: str, conn: Connection, *, chat: dict[str, str] | None = None, reason: str | None = None
    ) -> None:
        if self.events is not None and conn.room is not None:
            self.events.report(
                kind, consult_id=conn.room.id, role=conn.role, user_id=conn.user_id, chat=chat, reason=reason
            )

    # --- delivery ---------------------------------------------------------------------------
    async def deliver(self, room: Room, roles: Iterable[str], text: str) -> None:
        """Send `text` to the holders of `roles`: directly when local, over the bus otherwise."""
        for role in roles:
            conn = room.conns.get(role)
            if conn is not None:
                conn.send(text)
            else:  # addressed to the seat: only the instance holding it hears of it
                await self.bus.publish(room.id, self._envelope("d", role, text), to=role)

    def _on_bus(self, room_id: str, payload: str) -> None:
        room = self.rooms.get(room_id)
        if room is None:
            return
        kind, arg, origin, text = payload.split(US, 3)
        room.last_activity = time.monotonic()
        origin, _, sent = origin.partition("@")
        mine = origin == self.instance
        if kind == "d":
            for role in arg.split(","):
                conn = room.conns.get(role)
                if conn is not None:
                    conn.send(text)
                    if sent:
                        self.relay_latency.observe(time.time() - float(sent))
        elif kind == "s":
            room.state = arg
            if not mine:
                for conn in room.conns.values():
                    conn.send(text)
        elif kind == "e":
            conn = self.by_id.get(arg)
            if conn is not None and conn.room is room:
                self._evict(conn)
        elif kind == "x" and not mine:
            room.state = "ended"
            code = CloseCode.CONSULT_ENDED if arg == "ended_by_psychiatrist" else CloseCode.ROOM_CLOSED
            for conn in list(room.conns.values()):
                conn.close(code, text)

    def _evict(self, conn: Connection) -> None:
        conn.replaced = True
        room = conn.room
        if room is not None and room.conns.get(conn.role) is conn:
            del room.conns[conn.role]
        self.by_id.pop(conn.id, None)
        conn.close(CloseCode.REPLACED, Replaced())

    # --- joining and leaving ----------------------------------------------------------------
    async def join(self, conn: Connection, claims: JoinClaims) -> bool:
        room_id = str(claims.consult_id)
        role = claims.role
        conn.role, conn.user_id = role.value, str(claims.user_id)
        room = self.rooms.get(room_id)
        if room is None:
            room = self.rooms[room_id] = Room(room_id)
        room.pending += 1
        try:
            await self.bus.watch(room_id, role.value)
            claim = await self.bus.claim_seat(
                room_id, role.value, role.other.value, conn.user_id, conn.id, lease=self.lease
            )
        finally:
            room.pending -= 1
        if claim.status != "seated":
            await self._forget_if_empty(room)
            if claim.status == "ended":
                conn.fail(CloseCode.ROOM_CLOSED, "consult_ended", "This consult has ended.")
            else:
                conn.fail(CloseCode.SEAT_TAKEN, "seat_taken", "This seat belongs to someone else.")
            return False
        previous = room.conns.get(role.value)
        room.conns[role.value] = conn
        room.state = claim.state
        room.last_activity = time.monotonic()
        conn.room = room
        self.by_id[conn.id] = conn
        if previous is not None and previous is not conn:
            self._evict(previous)
        remote_replaced = None
        if claim.replaced and claim.replaced != getattr(previous, "id", None):
            old = self.by_id.get(claim.replaced)
            if old is not None:
                self._evict(old)
            else:
                remote_replaced = claim.replaced
        resumed = claim.replaced is not None
        settings = self.settings
        # `joined` goes out before any await: from here on the bus may deliver to this seat.
        conn.send(
            Joined(
                consult_id=room_id,
                role=role.value,
                iceServers=ice_servers(settings, user=conn.user_id, now=utcnow()),
                heartbeat_interval_ms=int(settings.heartbeat_interval_seconds * 1000),
                heartbeat_timeout_ms=int(settings.heartbeat_timeout_seconds * 1000),
                peer=PeerPresence(role=role.other.value, present=claim.peer is not None),
                room=claim.state,
                resumed=resumed,
                limits=Limits(
                    max_frame_bytes=settings.max_frame_bytes,
                    rate_per_second=settings.rate_per_second,
                    rate_burst=settings.rate_burst,
                ),
            )
        )
        if remote_replaced is not None:
            await self.bus.publish(room_id, self._envelope("e", remote_replaced))
        presence = Presence(role=role.value, present=True, reason="reconnected" if resumed else "joined")
        await self.deliver(room, [role.other.value], encode(presence))
        self._report("joined", conn)
        log.info("seated %s", role.value, extra={"consult_id": room_id, "event": "joined"})
        return True

    async def leave(self, conn: Connection) -> None:
        room = conn.room
        if room is None:
            return
        self.by_id.pop(conn.id, None)
        if room.conns.get(conn.role) is conn:
            del room.conns[conn.role]
        if not conn.replaced:
            try:
                released = await self.bus.release_seat(room.id, conn.role, conn.id)
            except Exception:
                log.warning("could not release a seat", extra={"consult_id": room.id})
                released = False
            if released and room.state != "ended":
                reason = "timeout" if conn.close_code == CloseCode.TIMEOUT else "left"
                presence = Presence(role=conn.role, present=False, reason=reason)
                with contextlib.suppress(Exception):
                    await self.deliver(room, [SeatRole(conn.role).other.value], encode(presence))
            self._report("left", conn)
        await self._forget_if_empty(room)

    async def _forget_if_empty(self, room: Room) -> None:
        if not room.conns and room.pending == 0 and self.rooms.get(room.id) is room:
            del self.rooms[room.id]
            with contextlib.suppress(Exception):
                await self.bus.unwatch(room.id)

    # --- messages ---------------------------------------------------------------------------
    def handle_now(self, conn: Connection, msg: ClientMessage, raw: str | None = None) -> bool:
        """Handle `msg` without waiting, if that is possible: a ping, or a relay the other seat's
        connection here (or the bus) takes at once. False, having done nothing: use `handle`."""
        room = conn.room
        if room is None:
            return False
        if isinstance(msg, Ping):
            conn.send(Pong(ts=msg.ts))
            return True
        if not isinstance(msg, SendOffer | SendAnswer | SendCandidate):
            return False
        if room.state != "admitted":
            return False  # `handle` refuses it
        other = OTHER_ROLE[conn.role]
        target = room.conns.get(other)
        self._relays += 1
        sampled = self._relays % SAMPLE_EVERY == 0
        read_at = time.perf_counter() if sampled else 0.0
        text = relayed_json(conn.role, msg, raw)
        if target is not None:
            target.send(text)
            if sampled:
                self.relay_latency.observe(time.perf_counter() - read_at)
        elif not self.bus.publish_now(
            room.id, self._envelope("d", other, text, sent=time.time() if sampled else None), to=other
        ):
            return False
        room.last_activity = time.monotonic()
        return True

    async def handle(self, conn: Connection, msg: ClientMessage, raw: str | None = None) -> None:
        """One client message. `raw`: its text, when it passed strict validation (relayed as is)."""
        room = conn.room
        if room is None:
            raise RuntimeError("handle() before join()")
        if isinstance(msg, Ping):
            conn.send(Pong(ts=msg.ts))
            return
        room.last_activity = time.monotonic()
        other = SeatRole(conn.role).other.value
        if isinstance(msg, SendOffer | SendAnswer | SendCandidate):
            if room.state != "admitted":
                conn.error("not_admitted", "The psychiatrist has not admitted the patient yet.")
                return
            await self.deliver(room, [other], relayed_json(conn.role, msg, raw))
        elif isinstance(msg, SendChat):
            if room.state != "admitted":
                conn.error("not_admitted", "Chat opens once the psychiatrist admits the patient.")
                return
            chat = ChatRelayed(
                id=str(uuid.uuid4()), sender=conn.role, text=msg.text, sent_at=utcnow(), client_id=msg.client_id
            )
            await self.deliver(room, [conn.role, other], encode(chat))
            self._report("chat", conn, chat={"id": chat.id, "text": chat.text})
        elif isinstance(msg, ReportConnectionState):
            if msg.connectionState == "connected" and not conn.reported_connected:
                conn.reported_connected = True
                self._report("connected", conn)
        elif isinstance(msg, Admit):
            if conn.role != SeatRole.psychiatrist:
                conn.count_invalid("forbidden", "Only the psychiatrist admits.")
                return
            state = await self.bus.set_state(room.id, "admitted")
            await self._broadcast_state(room, state)
            if state == "admitted":
                self._report("admitted", conn)
        elif isinstance(msg, End):
            if conn.role != SeatRole.psychiatrist:
                conn.count_invalid("forbidden", "Only the psychiatrist ends the consult.")
                return
            await self.end_room(room, conn, reason="ended_by_psychiatrist")
        elif isinstance(msg, Leave):
            conn.close(CloseCode.NORMAL)
        elif isinstance(msg, Hello):
            conn.count_invalid("already_joined", "This connection is already seated.")

    async def _broadcast_state(self, room: Room, state: str) -> None:
        room.state = state
        text = encode(RoomUpdate(state=state))
        for c in room.conns.values():
            c.send(text)
        await self.bus.publish(room.id, self._envelope("s", state, text))

    async def end_room(self, room: Room, by: Connection, *, reason: str) -> None:
        was = room.state
        if reason == "ended_by_psychiatrist" or was == "admitted":
            await self.bus.set_state(room.id, "ended")
            room.state = "ended"
        text = encode(Ended(reason=reason))
        code = CloseCode.CONSULT_ENDED if reason == "ended_by_psychiatrist" else CloseCode.ROOM_CLOSED
        if room.state == "ended":
            self._report("ended", by, reason=reason)
        for c in list(room.conns.values()):
            c.close(code, text)
        await self.bus.publish(room.id, self._envelope("x", reason, text))

    # --- housekeeping -----------------------------------------------------------------------
    async def _sweep_forever(self) -> None:
        while True:
            await asyncio.sleep(SWEEP_EVERY)
            try:
                await self.sweep()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("room sweep failed")

    async def sweep(self) -> None:
        now = time.monotonic()
        for conn in list(self.by_id.values()):
            if not conn.closing and now - conn.last_seen > self.settings.heartbeat_timeout_seconds:
                conn.fail(CloseCode.TIMEOUT, "heartbeat_timeout", "No heartbeat within the timeout.")
        if now - self._last_refresh >= self.lease / 3:
            self._last_refresh = now
            for conn in list(self.by_id.values()):
                if conn.room is None or conn.closing:
                    continue
                if not await self.bus.refresh_seat(conn.room.id, conn.role, conn.id, lease=self.lease):
                    self._evict(conn)  # the seat went to a newer connection we were not told about
        for room in list(self.rooms.values()):
            if not room.conns or now - room.last_activity < self.settings.room_idle_seconds:
                continue
            if len(room.conns) == 2:
                continue
            (conn,) = room.conns.values()
            if await self.bus.seat(room.id, SeatRole(conn.role).other.value):
                continue
            log.info("closing an idle room", extra={"consult_id": room.id, "event": "idle"})
            await self.end_room(room, conn, reason="idle")

    def stats(self) -> dict[str, int]:
        return {"rooms": len(self.rooms), "connections": len(self.by_id), "protocol": PROTOCOL_VERSION}
