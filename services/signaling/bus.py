"""Where rooms live: seats, room state and messages between instances.

`InProcessBus` serves one instance (the embedded run); `RedisBus` lets any number of
instances share rooms: a patient on instance 1 and a psychiatrist on instance 2 meet in the
same room. Both implement `Bus`, and the room code never knows which one it has.

Seats are leases: the instance holding a seat refreshes it while the connection lives, so a
seat held by an instance that died (kill -9) frees itself after the lease. The person bound
to a seat is remembered for the life of the room: a third party is never seated, even in an
empty seat. Claims are atomic (a Lua script on Redis), so two instances racing for the same
seat cannot both win.

Messages are text payloads published on a room's channel to every instance watching that
room, or addressed to one seat of it (`to=role`): those reach only the instance that holds
that seat, so the relay of an offer or candidate wakes one other instance, not every instance
in the room, the sender's own included. Redis delivers what one connection publishes in
publish order, across channels too, which the relay relies on. On Redis they go over
two raw connections of our own (one publishing, one subscribed), not through redis-py: the
relay across instances is a hot path, and redis-py's per-command round trip and pub/sub
reader cost more than the rest of the relay.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, cast

log = logging.getLogger(__name__)

Handler = Callable[[str, str], None]  # (room id, payload)
ClaimStatus = Literal["seated", "taken", "ended"]

ROOM_TTL_SECONDS = 24 * 3600


@dataclass(frozen=True, slots=True)
class SeatClaim:
    status: ClaimStatus
    replaced: str | None = None  # the connection this claim displaced
    state: str = "waiting"  # the room's state after the claim
    peer: str | None = None  # the connection holding the other seat, if any


class Bus(ABC):
    kind: str

    @abstractmethod
    async def start(self, handler: Handler) -> None: ...

    @abstractmethod
    async def close(self) -> None: ...

    @abstractmethod
    async def watch(self, room: str, role: str | None = None) -> None:
        """Receive what is published to `room` from now on and, with `role`, what is addressed
        to that seat of it (the seat a connection on this instance holds)."""

    @abstractmethod
    async def unwatch(self, room: str) -> None:
        """Stop receiving anything of `room` (its seats' addresses included)."""

    @abstractmethod
    async def publish(self, room: str, payload: str, *, to: str | None = None) -> None:
        """To every instance watching `room`, or with `to` only to those watching that seat."""

    def publish_now(self, room: str, payload: str, *, to: str | None = None) -> bool:  # noqa: ARG002 - a bus that cannot says so
        """Publish without waiting if the bus can take it at once; False (nothing published) if
        not: then `await publish()`."""
        return False

    @abstractmethod
    async def claim_seat(
        self, room: str, role: str, other_role: str, user: str, conn: str, *, lease: float
    ) -> SeatClaim: ...

    @abstractmethod
    async def refresh_seat(self, room: str, role: str, conn: str, *, lease: float) -> bool:
        """Extend our lease; False when the seat is no longer ours."""

    @abstractmethod
    async def release_seat(self, room: str, role: str, conn: str) -> bool:
        """Free the seat if `conn` still holds it."""

    @abstractmethod
    async def seat(self, room: str, role: str) -> str | None:
        """The connection holding `role` in `room`, if its lease is alive."""

    @abstractmethod
    async def state(self, room: str) -> str: ...

    @abstractmethod
    async def set_state(self, room: str, state: str) -> str:
        """Move the room to `state` unless it has ended; return the state it is in."""


# --- one instance ---------------------------------------------------------------------------
@dataclass
class _MemoryRoom:
    owners: dict[str, str] = field(default_factory=dict)
    seats: dict[str, tuple[str, float]] = field(default_factory=dict)  # role -> (conn, lease expiry)
    state: str = "waiting"
    touched: float = field(default_factory=time.monotonic)


class InProcessBus(Bus):
    kind = "in-process"

    def __init__(self) -> None:
        self._rooms: dict[str, _MemoryRoom] = {}
        self._watched: set[tuple[str, str | None]] = set()  # (room, None) and (room, role)
        self._handler: Handler | None = None

    async def start(self, handler: Handler) -> None:
        self._handler = handler

    async def close(self) -> None:
        self._handler = None

    async def watch(self, room: str, role: str | None = None) -> None:
        self._watched.add((room, None))
        if role is not None:
            self._watched.add((room, role))

    async def unwatch(self, room: str) -> None:
        self._watched = {w for w in self._watched if w[0] != room}

    async def publish(self, room: str, payload: str, *, to: str | None = None) -> None:
        self.publish_now(room, payload, to=to)

    def publish_now(self, room: str, payload: str, *, to: str | None = None) -> bool:
        if self._handler is not None and (room, to) in self._watched:
            self._handler(room, payload)
        return True

    def _room(self, room: str) -> _MemoryRoom:
        now = time.monotonic()
        if len(self._rooms) > 1000:  # forget rooms nobody touched for a day
            for key in [k for k, r in self._rooms.items() if now - r.touched > ROOM_TTL_SECONDS]:
                del self._rooms[key]
        r = self._rooms.setdefault(room, _MemoryRoom())
        r.touched = now
        return r

    def _live(self, r: _MemoryRoom, role: str) -> str | None:
        held = r.seats.get(role)
        if held is None or held[1] <= time.monotonic():
            return None
        return held[0]

    async def claim_seat(
        self, room: str, role: str, other_role: str, user: str, conn: str, *, lease: float
    ) -> SeatClaim:
        r = self._room(room)
        if r.state == "ended":
            return SeatClaim("ended", state=r.state)
        owner = r.owners.setdefault(role, user)
        if owner != user:
            return SeatClaim("taken", state=r.state)
        previous = self._live(r, role)
        r.seats[role] = (conn, time.monotonic() + lease)
        return SeatClaim("seated", replaced=previous, state=r.state, peer=self._live(r, other_role))

    async def refresh_seat(self, room: str, role: str, conn: str, *, lease: float) -> bool:
        r = self._room(room)
        held = r.seats.get(role)
        if held is None or held[0] != conn:
            return False
        r.seats[role] = (conn, time.monotonic() + lease)
        return True

    async def release_seat(self, room: str, role: str, conn: str) -> bool:
        r = self._rooms.get(room)
        if r is None or r.seats.get(role, ("",))[0] != conn:
            return False
        del r.seats[role]
        return True

    async def seat(self, room: str, role: str) -> str | None:
        r = self._rooms.get(room)
        return self._live(r, role) if r else None

    async def state(self, room: str) -> str:
        r = self._rooms.get(room)
        return r.state if r else "waiting"

    async def set_state(self, room: str, state: str) -> str:
        r = self._room(room)
        if r.state != "ended":
            r.state = state
        return r.state


# --- many instances -------------------------------------------------------------------------
_CLAIM = """
local state = redis.call('GET', KEYS[3]) or 'waiting'
if state == 'ended' then return {'ended', '', state, ''} end
local owner = redis.call('GET', KEYS[1])
if owner and owner ~= ARGV[1] then return {'taken', '', state, ''} end
if not owner then redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[4]) end
local previous = redis.call('GET', KEYS[2]) or ''
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
redis.call('SET', KEYS[3], state, 'EX', ARGV[4])
local peer = redis.call('GET', KEYS[4]) or ''
return {'seated', previous, state, peer}
"""

_REFRESH = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
"""

_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
"""

_SET_STATE = """
local state = redis.call('GET', KEYS[1]) or 'waiting'
if state == 'ended' then return state end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
return ARGV[1]
"""


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class _Incomplete(Exception):
    """The buffer ends inside a reply: wait for more bytes."""


class ReplyError(Exception):
    """Redis answered a command with an error."""


def _command(*parts: bytes) -> bytes:
    """One command in RESP (an array of bulk strings)."""
    out = [b"*%d\r\n" % len(parts)]
    for part in parts:
        out.append(b"$%d\r\n" % len(part))
        out.append(part)
        out.append(b"\r\n")
    return b"".join(out)


_MESSAGE = b"*3\r\n$7\r\nmessage\r\n"  # how every pub/sub message starts


def _bulk(buf: bytearray, pos: int) -> tuple[bytes, int]:
    """A bulk string at `pos` ("$<size>\\r\\n<bytes>\\r\\n")."""
    end = buf.find(b"\r\n", pos)
    if end < 0:
        raise _Incomplete
    if buf[pos] != 0x24:
        raise ConnectionError("unexpected reply from Redis")
    start = end + 2
    stop = start + int(buf[pos + 1 : end])
    if len(buf) < stop + 2:
        raise _Incomplete
    return bytes(buf[start:stop]), stop + 2


def _reply(buf: bytearray, pos: int) -> tuple[Any, int]:
    """Parse one RESP2 reply at `pos`: (value, position after it). Raises _Incomplete."""
    if buf.startswith(_MESSAGE, pos):  # the common case, read without the general parser
        channel, after = _bulk(buf, pos + len(_MESSAGE))
        data, after = _bulk(buf, after)
        return [b"message", channel, data], after
    end = buf.find(b"\r\n", pos)
    if end < 0:
        raise _Incomplete
    kind, line, after = buf[pos], buf[pos + 1 : end], end + 2
    if kind == 0x24:  # $ bulk string
        size = int(line)
        if size < 0:
            return None, after
        if len(buf) < after + size + 2:
            raise _Incomplete
        return bytes(buf[after : after + size]), after + size + 2
    if kind == 0x2A:  # * array
        count = int(line)
        if count < 0:
            return None, after
        items = []
        for _ in range(count):
            item, after = _reply(buf, after)
            items.append(item)
        return items, after
    if kind == 0x3A:  # : integer
        return int(line), after
    if kind == 0x2B:  # + simple string
        return bytes(line), after
    if kind == 0x2D:  # - error
        return ReplyError(line.decode(errors="replace")), after
    raise ConnectionError(f"unexpected reply from Redis: {bytes(buf[pos : pos + 1])!r}")


class _Link(asyncio.Protocol):
    """One raw connection to Redis: commands are written without waiting for their replies (in
    order, on one connection), replies and pub/sub messages are parsed as they arrive and
    handed to `on_reply` in the event loop's reading callback, with no task switch."""

    def __init__(self, on_reply: Callable[[Any], None]) -> None:
        self._on_reply = on_reply
        self._buf = bytearray()
        self.transport: asyncio.Transport | None = None
        self.lost: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._drained: asyncio.Future[None] | None = None
        self._out: list[bytes] = []

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # a stream connection's transport

    def connection_lost(self, exc: Exception | None) -> None:  # noqa: ARG002 - nothing to do with it

        self.transport = None
        if not self.lost.done():
            self.lost.set_result(None)
        self.resume_writing()

    def pause_writing(self) -> None:
        if self._drained is None:
            self._drained = asyncio.get_running_loop().create_future()

    def resume_writing(self) -> None:
        if self._drained is not None and not self._drained.done():
            self._drained.set_result(None)
        self._drained = None

    def data_received(self, data: bytes) -> None:
        buf = self._buf
        buf += data
        pos = 0
        try:
            while pos < len(buf):
                value, pos_after = _reply(buf, pos)
                pos = pos_after
                self._on_reply(value)
        except _Incomplete:
            pass
        except Exception:  # a reply we cannot read: drop the connection, it will be re-made
            log.exception("redis bus: bad reply")
            if self.transport is not None:
                self.transport.abort()
        del buf[:pos]

    def send(self, *parts: bytes) -> None:
        """Queue a command; what is queued in one turn of the event loop goes out in one write
        (under load many publications share a system call, and Redis reads them in one go)."""
        if self.transport is None or self.transport.is_closing():
            raise ConnectionError("the Redis bus is not connected")
        self.write(_command(*parts))

    def write(self, command: bytes) -> None:
        """Queue one command already in RESP."""
        if not self._out:
            asyncio.get_running_loop().call_soon(self._flush)
        self._out.append(command)

    def _flush(self) -> None:
        out, self._out = self._out, []
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(b"".join(out))

    @property
    def paused(self) -> bool:
        return self._drained is not None

    async def drain(self) -> None:
        if self._drained is not None:
            await asyncio.shield(self._drained)


class RedisBus(Bus):
    """Seats and room state through redis-py and Lua scripts (atomic claims); messages through
    two raw connections of our own: one publishing (commands pipelined, never awaited one by
    one, and Redis told not to reply: a room's messages leave in order on that one connection)
    and one subscribed to the rooms this instance has connections in, and to the addresses of
    the seats those connections hold (`<room>:ch` and `<room>:ch:<role>`). Both reconnect on their
    own; a publication while Redis is unreachable raises, and the client whose message it was
    reconnects."""

    kind = "redis"

    def __init__(self, url: str, *, prefix: str = "halcyon:sig") -> None:
        from redis.asyncio import Redis

        self._url = url
        self._prefix = prefix
        self._redis: Redis = Redis.from_url(url, decode_responses=False)
        self._handler: Handler | None = None
        # Subscribed channels -> their room; a room's channels, to drop them together.
        self._watched: dict[bytes, str] = {}
        self._room_channels: dict[str, list[bytes]] = {}
        self._confirmed: dict[bytes, asyncio.Event] = {}
        self._lock = asyncio.Lock()
        self._pub: _Link | None = None
        self._sub: _Link | None = None
        self._keeper: asyncio.Task[None] | None = None
        self._channel_bytes: dict[tuple[str, str | None], bytes] = {}
        self.publish_errors = 0
        self._claim = self._redis.register_script(_CLAIM)
        self._refresh = self._redis.register_script(_REFRESH)
        self._release = self._redis.register_script(_RELEASE)
        self._set_state = self._redis.register_script(_SET_STATE)

    def _key(self, room: str, *parts: str) -> str:
        return ":".join((self._prefix, "room", room, *parts))

    def _channel(self, room: str, role: str | None = None) -> bytes:
        key = (room, role)
        channel = self._channel_bytes.get(key)
        if channel is None:
            channel = self._channel_bytes[key] = (
                self._key(room, "ch", role) if role else self._key(room, "ch")
            ).encode()
            if len(self._channel_bytes) > 10000:  # rooms come and go: forget the oldest
                del self._channel_bytes[next(iter(self._channel_bytes))]
        return channel

    # --- the raw connections --------------------------------------------------------------------
    async def _connect(self, on_reply: Callable[[Any], None]) -> _Link:
        loop = asyncio.get_running_loop()
        kwargs = self._redis.connection_pool.connection_kwargs
        link: _Link
        if "path" in kwargs:
            _, link = await loop.create_unix_connection(lambda: _Link(on_reply), kwargs["path"])
        else:
            ssl = None
            if self._url.startswith("rediss:"):
                import ssl as ssl_module

                ssl = ssl_module.create_default_context()
            _, link = await asyncio.wait_for(
                loop.create_connection(
                    lambda: _Link(on_reply), kwargs.get("host", "127.0.0.1"), kwargs.get("port", 6379), ssl=ssl
                ),
                timeout=5,
            )
        password = kwargs.get("password")
        if password:
            username = kwargs.get("username")
            auth = [username.encode(), password.encode()] if username else [password.encode()]
            link.send(b"AUTH", *auth)
        return link

    def _on_pub_reply(self, value: Any) -> None:
        if isinstance(value, ReplyError):
            self.publish_errors += 1
            log.warning("redis bus: a command failed: %s", value)

    def _on_sub_reply(self, value: Any) -> None:
        if not isinstance(value, list) or not value:
            if isinstance(value, ReplyError):
                log.warning("redis bus: subscription failed: %s", value)
            return
        kind = value[0]
        if kind == b"message":
            room = self._watched.get(value[1])
            if room is not None and self._handler is not None:
                try:
                    self._handler(room, value[2].decode())
                except Exception:
                    log.exception("bus handler failed")
        elif kind == b"subscribe":
            event = self._confirmed.get(value[1])
            if event is not None:
                event.set()

    async def _open_links(self) -> None:
        pub = await self._connect(self._on_pub_reply)
        # Publications need no answer (how many instances got one): Redis sends none, which
        # spares it a write and us a read per batch. A lost connection is still noticed.
        pub.send(b"CLIENT", b"REPLY", b"OFF")
        self._pub = pub
        sub = await self._connect(self._on_sub_reply)
        # A standing subscription keeps the subscriber in pub/sub mode while no room is watched.
        sub.send(b"SUBSCRIBE", f"{self._prefix}:alive".encode(), *self._watched)
        self._sub = sub

    async def _keep_links(self) -> None:
        """Re-make a lost connection (and the subscriptions) until closed."""
        while True:
            pub, sub = self._pub, self._sub
            if pub is not None and sub is not None:
                await asyncio.wait([pub.lost, sub.lost], return_when=asyncio.FIRST_COMPLETED)
                log.warning("redis bus: connection lost, reconnecting")
            for link in (self._pub, self._sub):
                if link is not None and link.transport is not None:
                    link.transport.abort()
            self._pub = self._sub = None
            await asyncio.sleep(0.5)
            try:
                await self._open_links()
            except (OSError, TimeoutError) as exc:
                log.warning("redis bus: reconnect failed: %s", type(exc).__name__)

    async def start(self, handler: Handler) -> None:
        self._handler = handler
        await self._redis.ping()
        await self._open_links()
        self._keeper = asyncio.create_task(self._keep_links(), name="redis-bus-links")

    async def close(self) -> None:
        self._handler = None
        if self._keeper is not None:
            self._keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._keeper
            self._keeper = None
        for link in (self._pub, self._sub):
            if link is not None and link.transport is not None:
                link.transport.close()
        self._pub = self._sub = None
        await self._redis.aclose()

    async def watch(self, room: str, role: str | None = None) -> None:
        async with self._lock:
            wanted = [self._channel(room)] + ([self._channel(room, role)] if role else [])
            new = [c for c in wanted if c not in self._watched]
            if not new:
                return
            sub = self._sub
            if sub is None or sub.transport is None or sub.transport.is_closing():
                raise ConnectionError("the Redis bus is not connected")
            events = [self._confirmed.setdefault(c, asyncio.Event()) for c in new]
            for channel in new:
                self._watched[channel] = room
                self._room_channels.setdefault(room, []).append(channel)
            sub.send(b"SUBSCRIBE", *new)
        # Wait for Redis to confirm, so nothing published right after a join is missed.
        try:
            await asyncio.wait_for(asyncio.gather(*(e.wait() for e in events)), timeout=3)
        finally:
            for channel in new:
                self._confirmed.pop(channel, None)

    async def unwatch(self, room: str) -> None:
        async with self._lock:
            channels = self._room_channels.pop(room, [])
            for channel in channels:
                del self._watched[channel]
            if channels and self._sub is not None:
                self._sub.send(b"UNSUBSCRIBE", *channels)

    def publish_now(self, room: str, payload: str, *, to: str | None = None) -> bool:
        pub = self._pub
        if pub is None or pub.paused or pub.transport is None or pub.transport.is_closing():
            return False
        self._publish(pub, self._channel(room, to), payload)
        return True

    @staticmethod
    def _publish(pub: _Link, channel: bytes, payload: str) -> None:
        body = payload.encode()
        pub.write(b"*3\r\n$7\r\nPUBLISH\r\n$%d\r\n%b\r\n$%d\r\n%b\r\n" % (len(channel), channel, len(body), body))

    async def publish(self, room: str, payload: str, *, to: str | None = None) -> None:
        # Written at once, its reply not awaited: one connection keeps publications in order.
        # Waits only while Redis reads slower than we write.
        pub = self._pub
        if pub is None or pub.transport is None or pub.transport.is_closing():
            raise ConnectionError("the Redis bus is not connected")
        self._publish(pub, self._channel(room, to), payload)
        await pub.drain()

    async def claim_seat(
        self, room: str, role: str, other_role: str, user: str, conn: str, *, lease: float
    ) -> SeatClaim:
        keys = [
            self._key(room, "owner", role),
            self._key(room, "seat", role),
            self._key(room, "state"),
            self._key(room, "seat", other_role),
        ]
        status, previous, state, peer = await self._claim(
            keys=keys, args=[user, conn, int(lease * 1000), ROOM_TTL_SECONDS]
        )
        return SeatClaim(
            status=_text(status),  # type: ignore[arg-type]
            replaced=_text(previous) or None,
            state=_text(state),
            peer=_text(peer) or None,
        )

    async def refresh_seat(self, room: str, role: str, conn: str, *, lease: float) -> bool:
        return bool(await self._refresh(keys=[self._key(room, "seat", role)], args=[conn, int(lease * 1000)]))

    async def release_seat(self, room: str, role: str, conn: str) -> bool:
        return bool(await self._release(keys=[self._key(room, "seat", role)], args=[conn]))

    async def seat(self, room: str, role: str) -> str | None:
        value = await self._redis.get(self._key(room, "seat", role))
        return _text(value) if value else None

    async def state(self, room: str) -> str:
        value = await self._redis.get(self._key(room, "state"))
        return _text(value) if value else "waiting"

    async def set_state(self, room: str, state: str) -> str:
        return _text(await self._set_state(keys=[self._key(room, "state")], args=[state, ROOM_TTL_SECONDS]))


def make_bus(redis_url: str, *, prefix: str) -> Bus:
    return RedisBus(redis_url, prefix=prefix) if redis_url else InProcessBus()
