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
room; Redis delivers them in publish order, which the relay relies on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

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
    async def watch(self, room: str) -> None:
        """Receive what is published to `room` from now on."""

    @abstractmethod
    async def unwatch(self, room: str) -> None: ...

    @abstractmethod
    async def publish(self, room: str, payload: str) -> None: ...

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
        self._watched: set[str] = set()
        self._handler: Handler | None = None

    async def start(self, handler: Handler) -> None:
        self._handler = handler

    async def close(self) -> None:
        self._handler = None

    async def watch(self, room: str) -> None:
        self._watched.add(room)

    async def unwatch(self, room: str) -> None:
        self._watched.discard(room)

    async def publish(self, room: str, payload: str) -> None:
        if self._handler is not None and room in self._watched:
            self._handler(room, payload)

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


class RedisBus(Bus):
    kind = "redis"

    def __init__(self, url: str, *, prefix: str = "halcyon:sig") -> None:
        from redis.asyncio import Redis

        self._url = url
        self._prefix = prefix
        self._redis: Redis = Redis.from_url(url, decode_responses=False)
        self._pubsub: Any = None
        self._reader: asyncio.Task[None] | None = None
        self._handler: Handler | None = None
        self._watched: set[str] = set()
        self._confirmed: dict[str, asyncio.Event] = {}
        self._lock = asyncio.Lock()
        self._claim = self._redis.register_script(_CLAIM)
        self._refresh = self._redis.register_script(_REFRESH)
        self._release = self._redis.register_script(_RELEASE)
        self._set_state = self._redis.register_script(_SET_STATE)

    def _key(self, room: str, *parts: str) -> str:
        return ":".join((self._prefix, "room", room, *parts))

    def _channel(self, room: str) -> str:
        return self._key(room, "ch")

    async def start(self, handler: Handler) -> None:
        self._handler = handler
        await self._redis.ping()
        self._pubsub = self._redis.pubsub()
        # A standing subscription keeps the pub/sub connection open while no room is watched.
        await self._pubsub.subscribe(f"{self._prefix}:alive")
        self._reader = asyncio.create_task(self._read(), name="redis-bus-reader")

    async def _read(self) -> None:
        prefix_len = len(self._key(""))  # "<prefix>:room:"
        while True:
            try:
                # Block until a message comes: the standing subscription keeps this valid.
                message = await self._pubsub.get_message(timeout=None)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # connection lost: keep trying, redis-py reconnects
                log.warning("redis bus read failed: %s", type(exc).__name__)
                await asyncio.sleep(0.5)
                continue
            if message is None:
                continue
            kind = message["type"]
            channel = _text(message["channel"])
            if kind == "subscribe":
                event = self._confirmed.get(channel)
                if event is not None:
                    event.set()
                continue
            if kind != "message" or not channel.endswith(":ch"):
                continue
            room = channel[prefix_len:-3]
            if self._handler is not None and room in self._watched:
                try:
                    self._handler(room, _text(message["data"]))
                except Exception:
                    log.exception("bus handler failed")

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        if self._pubsub is not None:
            with contextlib.suppress(Exception):
                await self._pubsub.aclose()
        await self._redis.aclose()

    async def watch(self, room: str) -> None:
        async with self._lock:
            if room in self._watched:
                return
            channel = self._channel(room)
            event = self._confirmed[channel] = asyncio.Event()
            self._watched.add(room)
            await self._pubsub.subscribe(channel)
        # Wait for Redis to confirm, so nothing published right after a join is missed.
        try:
            await asyncio.wait_for(event.wait(), timeout=3)
        finally:
            self._confirmed.pop(channel, None)

    async def unwatch(self, room: str) -> None:
        async with self._lock:
            if room not in self._watched:
                return
            self._watched.discard(room)
            await self._pubsub.unsubscribe(self._channel(room))

    async def publish(self, room: str, payload: str) -> None:
        # Awaited by the sender's own loop, so one sender's messages leave in order; senders
        # publish concurrently over the connection pool.
        await self._redis.publish(self._channel(room), payload)

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
