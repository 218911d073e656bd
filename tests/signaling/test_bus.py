"""The bus contract, the same for the in-process bus and Redis (127.0.0.1:6379): atomic seat
claims bound to one person, leases that free a dead instance's seats, room state that stays
ended, and publication only to instances watching a room, in order."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator

import pytest
from redis.exceptions import ResponseError

from services.signaling.bus import Bus, InProcessBus, RedisBus
from tests.support.services import REDIS_URL, require_redis


@pytest.fixture(params=["in-process", "redis"])
async def bus(request: pytest.FixtureRequest) -> AsyncIterator[tuple[Bus, list[tuple[str, str]]]]:
    received: list[tuple[str, str]] = []
    if request.param == "redis":
        require_redis()
        prefix = f"halcyon-test:{uuid.uuid4().hex[:10]}"
        b: Bus = RedisBus(REDIS_URL, prefix=prefix)
    else:
        b = InProcessBus()
    await b.start(lambda room, payload: received.append((room, payload)))
    try:
        yield b, received
    finally:
        if isinstance(b, RedisBus):
            keys = [k async for k in b._redis.scan_iter(match=f"{b._prefix}:*")]
            if keys:
                await b._redis.delete(*keys)
        await b.close()


async def test_a_seat_is_bound_to_the_first_person_and_a_reclaim_replaces_the_connection(
    bus: tuple[Bus, list[tuple[str, str]]],
) -> None:
    b, _ = bus
    room = uuid.uuid4().hex
    first = await b.claim_seat(room, "patient", "psychiatrist", "alice", "c1", lease=30)
    assert (first.status, first.replaced, first.state, first.peer) == ("seated", None, "waiting", None)
    again = await b.claim_seat(room, "patient", "psychiatrist", "alice", "c2", lease=30)
    assert (again.status, again.replaced) == ("seated", "c1")
    stranger = await b.claim_seat(room, "patient", "psychiatrist", "mallory", "c3", lease=30)
    assert stranger.status == "taken"
    assert await b.seat(room, "patient") == "c2"
    psychiatrist = await b.claim_seat(room, "psychiatrist", "patient", "dr", "c4", lease=30)
    assert psychiatrist.peer == "c2"


async def test_only_the_holder_releases_or_refreshes_and_the_binding_outlives_the_seat(
    bus: tuple[Bus, list[tuple[str, str]]],
) -> None:
    b, _ = bus
    room = uuid.uuid4().hex
    await b.claim_seat(room, "patient", "psychiatrist", "alice", "c1", lease=30)
    assert not await b.release_seat(room, "patient", "someone-else")
    assert not await b.refresh_seat(room, "patient", "someone-else", lease=30)
    assert await b.refresh_seat(room, "patient", "c1", lease=30)
    assert await b.release_seat(room, "patient", "c1")
    assert await b.seat(room, "patient") is None
    assert (await b.claim_seat(room, "patient", "psychiatrist", "mallory", "c9", lease=30)).status == "taken"


async def test_a_seat_whose_lease_ran_out_is_free(bus: tuple[Bus, list[tuple[str, str]]]) -> None:
    b, _ = bus
    room = uuid.uuid4().hex
    await b.claim_seat(room, "patient", "psychiatrist", "alice", "dead-instance-conn", lease=0.2)
    await asyncio.sleep(0.4)
    assert await b.seat(room, "patient") is None
    claim = await b.claim_seat(room, "patient", "psychiatrist", "alice", "c2", lease=30)
    assert claim.replaced is None


async def test_room_state_moves_forward_and_an_ended_room_seats_nobody(
    bus: tuple[Bus, list[tuple[str, str]]],
) -> None:
    b, _ = bus
    room = uuid.uuid4().hex
    assert await b.state(room) == "waiting"
    assert await b.set_state(room, "admitted") == "admitted"
    assert (await b.claim_seat(room, "patient", "psychiatrist", "alice", "c1", lease=30)).state == "admitted"
    assert await b.set_state(room, "ended") == "ended"
    assert await b.set_state(room, "admitted") == "ended"
    assert (await b.claim_seat(room, "patient", "psychiatrist", "alice", "c2", lease=30)).status == "ended"


async def test_publication_reaches_watchers_only_and_in_order(bus: tuple[Bus, list[tuple[str, str]]]) -> None:
    b, received = bus
    watched, other = uuid.uuid4().hex, uuid.uuid4().hex
    await b.watch(watched)
    for i in range(200):
        await b.publish(watched, f"m{i}")
    await b.publish(other, "nobody listens")
    for _ in range(100):
        if len(received) >= 200:
            break
        await asyncio.sleep(0.02)
    assert received == [(watched, f"m{i}") for i in range(200)]
    await b.unwatch(watched)
    await b.publish(watched, "after unwatch")
    await asyncio.sleep(0.1)
    assert len(received) == 200


async def test_a_publication_addressed_to_a_seat_reaches_its_watcher_in_order_with_the_room_s(
    bus: tuple[Bus, list[tuple[str, str]]],
) -> None:
    b, received = bus
    room = uuid.uuid4().hex
    await b.watch(room, "patient")
    for i in range(50):
        await b.publish(room, f"to patient {i}", to="patient")
        await b.publish(room, f"to psychiatrist {i}", to="psychiatrist")
        await b.publish(room, f"room {i}")
    expected = [(room, m) for i in range(50) for m in (f"to patient {i}", f"room {i}")]
    for _ in range(100):
        if len(received) >= len(expected):
            break
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.05)
    assert received == expected
    await b.unwatch(room)
    await b.publish(room, "after unwatch", to="patient")
    await b.publish(room, "after unwatch")
    await asyncio.sleep(0.1)
    assert len(received) == len(expected)


async def test_across_instances_a_relay_wakes_only_the_instance_holding_the_other_seat() -> None:
    """Patient on instance A, psychiatrist on B: what A relays to the psychiatrist reaches B and
    not A itself (every instance in the room used to receive every relay, its own included)."""
    require_redis()
    prefix = f"halcyon-test:{uuid.uuid4().hex[:10]}"
    got: dict[str, list[str]] = {"a": [], "b": []}
    a, b = RedisBus(REDIS_URL, prefix=prefix), RedisBus(REDIS_URL, prefix=prefix)
    await a.start(lambda _room, payload: got["a"].append(payload))
    await b.start(lambda _room, payload: got["b"].append(payload))
    try:
        room = uuid.uuid4().hex
        await a.watch(room, "patient")
        await b.watch(room, "psychiatrist")
        for i in range(20):
            assert a.publish_now(room, f"candidate {i}", to="psychiatrist")
        await a.publish(room, "room state")
        await b.publish(room, "answer", to="patient")
        for _ in range(100):
            if len(got["b"]) >= 21 and got["a"]:
                break
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.05)
        assert got["b"] == [f"candidate {i}" for i in range(20)] + ["room state"]
        assert got["a"] == ["room state", "answer"]
    finally:
        await a.close()
        await b.close()


async def test_the_redis_bus_reconnects_and_resubscribes_after_losing_its_connections() -> None:
    require_redis()
    received: list[tuple[str, str]] = []
    b = RedisBus(REDIS_URL, prefix=f"halcyon-test:{uuid.uuid4().hex[:10]}")
    await b.start(lambda room, payload: received.append((room, payload)))
    try:
        room = uuid.uuid4().hex
        await b.watch(room)
        await b.publish(room, "before")
        # Redis drops both of this bus's message connections (and only those). Once one is gone
        # the bus drops the other itself, so the second may already be gone.
        addresses = []
        for link in (b._pub, b._sub):
            assert link is not None
            assert link.transport is not None
            host, port = link.transport.get_extra_info("sockname")[:2]
            addresses.append(f"{host}:{port}")
        for address in addresses:
            with contextlib.suppress(ResponseError):
                await b._redis.client_kill(address)
        deadline = asyncio.get_running_loop().time() + 5
        n = 0
        while not any(p.startswith("after") for _, p in received):
            assert asyncio.get_running_loop().time() < deadline, f"no delivery after reconnecting: {received}"
            with contextlib.suppress(ConnectionError):
                await b.publish(room, f"after{n}")
                n += 1
            await asyncio.sleep(0.05)
        assert received[0] == (room, "before")
    finally:
        await b.close()
