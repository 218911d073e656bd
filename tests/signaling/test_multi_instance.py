"""Beyond one instance: two signaling instances sharing rooms through Redis (127.0.0.1:6379).

A patient on instance A and a psychiatrist on instance B meet, negotiate a real call and
chat; seats stay exclusive across instances; and after `kill -9` of the instance carrying a
call, both peers reconnect to the other instance and are back in the call within 5 s."""

from __future__ import annotations

import asyncio
import signal
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.signaling.conftest import Api, signaling_settings
from tests.signaling.support import (
    Client,
    Consult,
    Peer,
    ServerProcess,
    admitted_pair,
    negotiate,
    seated,
    start_signaling,
)
from tests.support.mail import free_port
from tests.support.services import REDIS_URL, require_redis

# Its servers start once for the module: keep the module on one xdist worker (make test: loadgroup).
pytestmark = pytest.mark.xdist_group("signaling-multi_instance")


def _start_pair(api: Api, work_dir: Path, label: str) -> tuple[ServerProcess, ServerProcess]:
    require_redis()
    prefix = f"halcyon-test:{uuid.uuid4().hex[:10]}"  # rooms of this pair only
    settings = signaling_settings(api, work_dir, redis_url=REDIS_URL, bus_prefix=prefix)
    first = start_signaling(f"{label}-a", free_port(), settings, work_dir)
    second = start_signaling(f"{label}-b", free_port(), settings, work_dir)
    api.wait()
    return first, second


@pytest.fixture(scope="module")
def pair(api: Api, work_dir: Path) -> Iterator[tuple[ServerProcess, ServerProcess]]:
    first, second = _start_pair(api, work_dir, "redis")
    try:
        yield first, second
    finally:
        first.kill()
        second.kill()


async def test_a_patient_on_one_instance_and_a_psychiatrist_on_another_share_the_room(
    pair: tuple[ServerProcess, ServerProcess], consult: Consult
) -> None:
    a, b = pair
    patient, joined = await seated(a.url, consult, "patient")
    assert joined["peer"]["present"] is False
    psychiatrist, joined = await seated(b.url, consult, "psychiatrist")
    assert joined["peer"] == {"role": "patient", "present": True}
    await patient.expect("presence", role="psychiatrist", present=True)

    await patient.send({"type": "candidate", "candidate": "early", "sdpMid": "0", "sdpMLineIndex": 0})
    assert (await patient.expect("error"))["code"] == "not_admitted"
    await psychiatrist.send({"type": "admit"})
    await patient.expect("room", state="admitted")
    await psychiatrist.expect("room", state="admitted")
    for client in (patient, psychiatrist):  # a round trip later, nothing was delivered twice
        await client.send({"type": "ping", "ts": 3})
        await client.expect("pong", ts=3)
        assert [m["type"] for m in client.seen].count("room") == 1
    # The instance that did not see the admit learned it over the bus: relay is open there too.
    await patient.send({"type": "candidate", "candidate": "late", "sdpMid": "0", "sdpMLineIndex": 0})
    assert (await psychiatrist.expect("candidate"))["candidate"] == "late"
    await psychiatrist.send({"type": "chat", "text": "Welcome."})
    assert (await patient.expect("chat"))["text"] == "Welcome."
    assert (await psychiatrist.expect("chat"))["sender"] == "psychiatrist"

    await patient.close()
    assert (await psychiatrist.expect("presence", present=False))["role"] == "patient"
    await psychiatrist.close()


async def test_two_peers_exchange_video_across_two_instances(
    pair: tuple[ServerProcess, ServerProcess], consult: Consult
) -> None:
    a, b = pair
    patient, psychiatrist = await admitted_pair(a.url, consult, psychiatrist_url=b.url)
    patient_peer, psychiatrist_peer = Peer("patient", []), Peer("psychiatrist", [])
    try:
        await negotiate(patient, psychiatrist, patient_peer, psychiatrist_peer)
        await patient_peer.wait_frames(30)
        await psychiatrist_peer.wait_frames(30)
    finally:
        await patient_peer.close()
        await psychiatrist_peer.close()
        await patient.close()
        await psychiatrist.close()


async def test_seats_stay_exclusive_across_instances(
    pair: tuple[ServerProcess, ServerProcess], consult: Consult
) -> None:
    a, b = pair
    first, psychiatrist = await admitted_pair(a.url, consult, psychiatrist_url=b.url)
    second, joined = await seated(b.url, consult, "patient")
    assert joined["resumed"] is True
    assert joined["room"] == "admitted"
    await first.expect("replaced")
    assert await first.expect_close() == 4409
    await psychiatrist.expect("presence", reason="reconnected")

    stranger = await Client.open(a.url, f"/ws/consults/{consult.id}", consult.token("patient", user_id=uuid.uuid4()))
    assert await stranger.expect_close() == 4403
    await second.close()
    await psychiatrist.close()


async def test_relay_across_instances_keeps_every_message_in_order(
    pair: tuple[ServerProcess, ServerProcess], consult: Consult
) -> None:
    a, b = pair
    patient, psychiatrist = await admitted_pair(a.url, consult, psychiatrist_url=b.url)
    count = 150  # under the rate burst
    for i in range(count):
        await patient.send({"type": "candidate", "candidate": str(i), "sdpMid": "0", "sdpMLineIndex": 0})
    got = [int((await psychiatrist.expect("candidate"))["candidate"]) for _ in range(count)]
    assert got == list(range(count))
    await patient.close()
    await psychiatrist.close()


async def _rejoin(urls: list[str], consult: Consult, role: str) -> Client:
    """What a client does when its socket drops: a fresh connection to the next instance."""
    last: Exception | None = None
    for url in urls:
        try:
            client, _ = await seated(url, consult, role)
            return client
        except Exception as exc:  # that instance is gone: try the next
            last = exc
    raise AssertionError(f"{role} could not rejoin any instance: {last}")


async def test_after_kill_9_of_an_instance_both_peers_are_back_in_the_call_within_5_seconds(
    api: Api, work_dir: Path, consult: Consult
) -> None:
    doomed, survivor = _start_pair(api, work_dir, "failover")
    try:
        patient, psychiatrist = await admitted_pair(doomed.url, consult)
        peers = [Peer("patient", []), Peer("psychiatrist", [])]
        await negotiate(patient, psychiatrist, *peers)
        await peers[0].wait_frames(30)
        await peers[1].wait_frames(30)

        killed_at = time.monotonic()
        doomed.kill(signal.SIGKILL)
        assert await patient.expect_close() == 1006
        assert await psychiatrist.expect_close() == 1006
        patient, psychiatrist = await asyncio.gather(
            _rejoin([doomed.url, survivor.url], consult, "patient"),
            _rejoin([doomed.url, survivor.url], consult, "psychiatrist"),
        )
        assert patient.seen[0]["room"] == psychiatrist.seen[0]["room"] == "admitted"
        # aiortc has no ICE restart, so the call is renegotiated on fresh peer connections
        # (a browser restarts ICE on its existing one); either way it runs through the survivor.
        for peer in peers:
            await peer.close()
        peers = [Peer("patient", []), Peer("psychiatrist", [])]
        await negotiate(patient, psychiatrist, *peers)
        await peers[0].wait_frames(10, timeout=5)
        await peers[1].wait_frames(10, timeout=5)
        back_after = time.monotonic() - killed_at
        assert back_after < 5.0, f"the call took {back_after:.1f} s to come back after kill -9"
        for peer in peers:
            await peer.close()
        await patient.close()
        await psychiatrist.close()
    finally:
        doomed.kill(signal.SIGKILL)
        survivor.kill()
