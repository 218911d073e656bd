"""The pre-call check: an aiortc echo peer in the signaling service sends the patient's own
video back and reports round-trip time, loss and bitrate; checks are capped and time-limited."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.signaling.conftest import Api, signaling_settings
from tests.signaling.support import Client, Consult, Peer, ServerProcess, start_signaling
from tests.support.mail import free_port

# Its servers start once for the module: keep the module on one xdist worker (make test: loadgroup).
pytestmark = pytest.mark.xdist_group("signaling-precall")


async def _start_check(url: str, consult: Consult) -> tuple[Client, Peer]:
    client = await Client.open(url, "/ws/precall", consult.precall_token())
    ready = await client.expect("precall_ready")
    peer = Peer("patient", ready["iceServers"])
    await client.send({"type": "offer", "sdp": await peer.offer()})
    answer = (await client.expect("precall_answer", timeout=10))["sdp"]
    offered = {line.split()[4] for line in answer.splitlines() if line.startswith("a=candidate:")}
    assert offered == {"127.0.0.1"}, f"the echo peer offered candidates beyond loopback: {offered}"
    await peer.accept(answer)
    return client, peer


async def test_the_echo_peer_sends_the_patients_video_back_and_reports_rtt_loss_and_bitrate(
    signaling: ServerProcess, consult: Consult
) -> None:
    client, peer = await _start_check(signaling.url, consult)
    try:
        await peer.wait_frames(30)  # our own frames, back through the echo peer
        deadline = time.monotonic() + 8
        stats: dict[str, object] = {}
        while time.monotonic() < deadline:
            stats = await client.expect("precall_stats", timeout=3)
            if stats["rtt_ms"] is not None and stats["inbound_kbps"]:
                break
        assert stats["connectionState"] == "connected"
        assert stats["tracks"] == ["video"]
        assert isinstance(stats["rtt_ms"], float), stats
        assert 0 <= stats["rtt_ms"] < 1000, stats
        assert isinstance(stats["packets_received"], int)
        assert stats["packets_received"] > 0
        assert stats["packets_lost"] == 0
        assert stats["fraction_lost"] == 0.0
        assert isinstance(stats["inbound_kbps"], float)
        assert stats["inbound_kbps"] > 0
        assert isinstance(stats["outbound_kbps"], float)
        assert stats["outbound_kbps"] > 0
        await client.send({"type": "leave"})
        assert (await client.expect("precall_done"))["reason"] == "client_left"
        assert await client.expect_close() == 1000
    finally:
        await peer.close()
        await client.close()


async def test_a_join_token_does_not_open_a_precall_check(signaling: ServerProcess, consult: Consult) -> None:
    client = await Client.open(signaling.url, "/ws/precall", consult.token("patient"))
    assert (await client.expect("error", timeout=1))["code"] == "token_refused"
    assert await client.expect_close(timeout=1) == 4401


@pytest.fixture(scope="module")
def one_check_at_a_time(api: Api, work_dir: Path) -> Iterator[ServerProcess]:
    settings = signaling_settings(api, work_dir, echo_max_concurrent="1", echo_max_seconds="3")
    server = start_signaling("signaling-echo-cap", free_port(), settings, work_dir)
    api.wait()
    try:
        yield server
    finally:
        server.kill()


async def test_checks_are_capped_and_each_ends_at_its_time_limit(
    one_check_at_a_time: ServerProcess, consult: Consult
) -> None:
    url = one_check_at_a_time.url
    first, peer = await _start_check(url, consult)
    try:
        second = await Client.open(url, "/ws/precall", consult.precall_token())
        refused = await second.expect("error")
        assert refused["code"] == "at_capacity"
        assert refused["close_code"] == 4503
        assert await second.expect_close() == 4503

        done = await first.expect("precall_done", timeout=6)
        assert done["reason"] == "time_limit"
        assert await first.expect_close() == 1000
    finally:
        await peer.close()
        await first.close()
    # The slot is free again once the check ended: the server closes the echo peer (which can
    # take a moment after the client saw the close) and then counts the check as done.
    http_url = url.replace("ws://", "http://", 1)
    deadline = time.monotonic() + 5
    async with httpx.AsyncClient(base_url=http_url, trust_env=False) as c:
        while (await c.get("/stats")).json()["precall_checks"] != 0:
            assert time.monotonic() < deadline, "the finished check still holds its slot after 5 s"
            await asyncio.sleep(0.05)
    third = await Client.open(url, "/ws/precall", consult.precall_token())
    await third.expect("precall_ready")
    await third.send({"type": "leave"})
    assert await third.expect_close() == 1000
