"""Limits and faults: refused tokens, the first message, invalid messages, frame size,
message rate, floods, heartbeats, idle rooms and slow readers. Each over-limit case gets an
`error` naming the problem and then its documented close code."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from services.common.clock import utcnow
from services.common.join import mint_precall_token
from services.common.tokens import SigningKeys
from tests.signaling.conftest import Api, signaling_settings
from tests.signaling.support import Client, Consult, ServerProcess, admitted_pair, seated, start_signaling
from tests.support.mail import free_port

# Its servers start once for the module: keep the module on one xdist worker (make test: loadgroup).
pytestmark = pytest.mark.xdist_group("signaling-limits")


@pytest.fixture(scope="module")
def strict(api: Api, work_dir: Path) -> Iterator[ServerProcess]:
    """An instance with small limits so timeouts and idling show within seconds."""
    settings = signaling_settings(
        api,
        work_dir,
        auth_timeout_seconds="0.5",
        heartbeat_timeout_seconds="1.5",
        room_idle_seconds="1.5",
        send_queue_size="8",
        max_invalid_messages="3",
    )
    server = start_signaling("signaling-strict", free_port(), settings, work_dir)
    api.wait()
    try:
        yield server
    finally:
        server.kill()


def _refused_tokens(consult: Consult, tmp_path: Path) -> dict[str, str]:
    now = utcnow()
    other_keys = SigningKeys.load_or_create(tmp_path / "other-keys.json")
    return {
        "garbage": "not-a-token",
        "expired": consult.token("patient", not_before=now - timedelta(hours=2), expires_at=now - timedelta(seconds=5)),
        "not_yet_valid": consult.token(
            "patient", not_before=now + timedelta(minutes=10), expires_at=now + timedelta(minutes=30)
        ),
        "other_consult": consult.token("patient", consult_id=uuid.uuid4()),
        "signed_by_someone_else": consult.token("patient", keys=other_keys),
        "precall_token": mint_precall_token(consult.keys, user_id=consult.patient_id, expires_at=now + timedelta(5)),
    }


@pytest.mark.parametrize("via", ["hello", "subprotocol"])
@pytest.mark.parametrize(
    "case", ["garbage", "expired", "not_yet_valid", "other_consult", "signed_by_someone_else", "precall_token"]
)
async def test_bad_expired_and_other_consult_tokens_are_refused_within_a_second(
    signaling: ServerProcess, consult: Consult, tmp_path: Path, case: str, via: str
) -> None:
    token = _refused_tokens(consult, tmp_path)[case]
    started = time.monotonic()
    client = await Client.open(signaling.url, f"/ws/consults/{consult.id}", token, via=via)
    error = await client.expect("error", timeout=1)
    code = await client.expect_close(timeout=1)
    elapsed = time.monotonic() - started
    assert error["code"] in ("token_refused", "wrong_consult")
    assert error["close_code"] == code == 4401
    assert elapsed < 1.0, f"refusing a {case} token took {elapsed:.2f} s"
    assert not [m for m in client.seen if m["type"] == "joined"]


async def test_the_token_may_come_as_a_subprotocol_and_the_version_subprotocol_is_selected(
    signaling: ServerProcess, consult: Consult
) -> None:
    client = await Client.open(signaling.url, f"/ws/consults/{consult.id}", consult.token("patient"), via="subprotocol")
    assert client.ws.subprotocol == "halcyon.signaling.v1"
    assert (await client.expect("joined"))["role"] == "patient"
    await client.close()


async def test_the_first_message_must_be_a_hello_of_our_protocol_version(
    signaling: ServerProcess, consult: Consult
) -> None:
    client = await Client.open(signaling.url, f"/ws/consults/{consult.id}", None, heartbeat=None)
    await client.send({"type": "ping"})
    assert (await client.expect("error"))["code"] == "hello_expected"
    assert await client.expect_close() == 4400

    client = await Client.open(signaling.url, f"/ws/consults/{consult.id}", consult.token("patient"), protocol=2)
    assert (await client.expect("error"))["code"] == "unsupported_protocol"
    assert await client.expect_close() == 4400


async def test_no_hello_in_time_closes_4408(strict: ServerProcess, consult: Consult) -> None:
    client = await Client.open(strict.url, f"/ws/consults/{consult.id}", None, heartbeat=None)
    assert (await client.expect("error", timeout=2))["code"] == "hello_timeout"
    assert await client.expect_close() == 4408


async def test_an_invalid_message_gets_an_error_and_the_connection_stays(
    signaling: ServerProcess, consult: Consult
) -> None:
    client, _ = await seated(signaling.url, consult, "patient")
    for bad in ("{not json", json.dumps({"type": "nope"}), json.dumps({"type": "chat", "text": ""}), "[]"):
        await client.send(bad)
        error = await client.expect("error")
        assert error["code"] == "invalid_message"
        assert error["close_code"] is None
    await client.send({"type": "chat", "text": "secret words " * 500})  # too long: refused, never echoed
    error = await client.expect("error")
    assert "secret words" not in error["message"]
    await client.send({"type": "ping", "ts": 1})
    await client.expect("pong", ts=1)
    await client.close()


async def test_repeated_invalid_messages_close_4422(strict: ServerProcess, consult: Consult) -> None:
    client, _ = await seated(strict.url, consult, "patient")
    for _ in range(3):
        await client.send({"type": "nope"})
    errors = [await client.expect("error") for _ in range(3)]
    assert [e["close_code"] for e in errors] == [None, None, 4422]
    assert errors[-1]["code"] == "too_many_invalid_messages"
    assert await client.expect_close() == 4422


async def test_a_one_megabyte_frame_is_rejected_with_4413(signaling: ServerProcess, consult: Consult) -> None:
    client, _ = await seated(signaling.url, consult, "patient")
    await client.send({"type": "chat", "text": "x" * 1_000_000})
    error = await client.expect("error")
    assert error["code"] == "frame_too_large"
    assert error["close_code"] == 4413
    assert await client.expect_close() == 4413


async def test_a_message_rate_over_the_limit_closes_4429(signaling: ServerProcess, consult: Consult) -> None:
    client, _ = await seated(signaling.url, consult, "patient")
    ping = json.dumps({"type": "ping"})
    for _ in range(400):  # burst is 200, refill 50/s: far over
        await client.send(ping)
    error = await client.expect("error")
    assert error["code"] == "rate_limited"
    assert error["close_code"] == 4429
    assert await client.expect_close() == 4429


async def test_a_flooding_client_does_not_stall_other_rooms(signaling: ServerProcess, api: Api) -> None:
    quiet = Consult(api.keys)
    patient, psychiatrist = await admitted_pair(signaling.url, quiet)

    async def flood() -> int:
        noisy = Consult(api.keys)
        client, _ = await seated(signaling.url, noisy, "patient")
        big = json.dumps({"type": "offer", "sdp": "v" * 60_000})
        with contextlib.suppress(ConnectionClosed):
            while not client.closed.is_set():
                await client.send(big)
                await asyncio.sleep(0)  # let this test's other clients run too
        return await client.expect_close()

    floods = [asyncio.create_task(flood()) for _ in range(3)]
    latencies = []
    for i in range(50):
        started = time.monotonic()
        await patient.send({"type": "candidate", "candidate": f"candidate:{i}", "sdpMid": "0", "sdpMLineIndex": 0})
        await psychiatrist.expect("candidate", candidate=f"candidate:{i}", timeout=2)
        latencies.append(time.monotonic() - started)
    assert all(code == 4429 for code in await asyncio.gather(*floods))
    latencies.sort()
    median, worst = latencies[len(latencies) // 2], latencies[-1]
    # Generous bounds (2 shared cores run these tests): a stall would be seconds, or forever.
    assert median < 0.25, f"relay in a quiet room: median {median * 1000:.0f} ms during a flood"
    assert worst < 1.5, f"relay in a quiet room: worst {worst * 1000:.0f} ms during a flood"
    await patient.close()
    await psychiatrist.close()


async def test_heartbeat_silence_closes_4408_and_the_other_party_sees_a_timeout(
    strict: ServerProcess, consult: Consult
) -> None:
    patient, psychiatrist = await admitted_pair(strict.url, consult)
    patient.stop_heartbeat()
    error = await patient.expect("error", timeout=4)
    assert error["code"] == "heartbeat_timeout"
    assert error["close_code"] == 4408
    assert await patient.expect_close() == 4408
    gone = await psychiatrist.expect("presence", timeout=2)
    assert gone == {"type": "presence", "role": "patient", "present": False, "reason": "timeout"}
    await psychiatrist.close()


async def test_a_room_with_one_idle_party_is_closed(strict: ServerProcess, consult: Consult) -> None:
    patient, _ = await seated(strict.url, consult, "patient", heartbeat=0.3)
    assert (await patient.expect("ended", timeout=5))["reason"] == "idle"
    assert await patient.expect_close() == 4410


async def test_a_reader_too_slow_for_its_messages_is_closed_4504(strict: ServerProcess, consult: Consult) -> None:
    patient, psychiatrist = await admitted_pair(strict.url, consult)
    # A socket that does not read at all: its messages pile up on the server until the queue
    # limit. Its receive buffer is fixed small (autotuning may grow it to tcp_rmem's maximum,
    # 32 MB on some machines, and the kernel would hold everything we send).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
    sock.setblocking(False)
    await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", int(strict.url.rsplit(":", 1)[1])))
    stalled = await connect(
        f"{strict.url}/ws/consults/{consult.id}",
        sock=sock,
        proxy=None,
        max_queue=1,
        ping_interval=None,
        max_size=2**20,
    )
    stalled.transport.pause_reading()
    await stalled.send(json.dumps({"type": "hello", "protocol": 1, "token": consult.token("psychiatrist")}))
    await psychiatrist.expect("replaced")
    big = json.dumps({"type": "offer", "sdp": "v" * 60_000})
    for _ in range(150):  # ~9 MB: more than the socket buffers hold, within the rate burst
        await patient.send(big)
        await asyncio.sleep(0)
    code = None
    stalled.transport.resume_reading()
    with contextlib.suppress(ConnectionClosed):
        async for _ in stalled:  # drain what the socket buffered, up to the close frame
            pass
    if stalled.protocol.close_rcvd is not None:
        code = stalled.protocol.close_rcvd.code
    assert code == 4504, f"expected close 4504 for a stalled reader, got {code}"
    await patient.close()


async def test_a_fragmented_message_is_read_whole_and_a_binary_one_is_refused(
    signaling: ServerProcess, consult: Consult
) -> None:
    patient, psychiatrist = await admitted_pair(signaling.url, consult)
    # A browser may split a large message into frames: the server reads the whole message.
    await patient.ws.send(
        ['{"type":"candidate",', '"candidate":"candidate:9 1 udp 1 127.0.0.1 9 typ host",', '"sdpMid":"0"}']
    )
    assert (await psychiatrist.expect("candidate"))["candidate"] == "candidate:9 1 udp 1 127.0.0.1 9 typ host"
    await patient.ws.send(b'{"type":"ping"}')
    error = await patient.expect("error")
    assert (error["code"], error["close_code"]) == ("invalid_message", None)
    await patient.send({"type": "ping", "ts": 5})
    await patient.expect("pong", ts=5)
    await patient.close()
    await psychiatrist.close()


async def test_messages_sent_right_behind_hello_are_handled_in_order(
    signaling: ServerProcess, consult: Consult
) -> None:
    patient, psychiatrist = await admitted_pair(signaling.url, consult)
    await patient.close()
    await psychiatrist.expect("presence", present=False)
    # Back on a new connection: hello and a burst of candidates without waiting for `joined`.
    client = await Client.open(signaling.url, f"/ws/consults/{consult.id}", consult.token("patient"))
    for i in range(30):
        await client.send({"type": "candidate", "candidate": f"candidate:{i}", "sdpMid": "0", "sdpMLineIndex": 0})
    await client.send({"type": "ping", "ts": 9})
    assert (await client.expect("joined"))["room"] == "admitted"
    got = [(await psychiatrist.expect("candidate"))["candidate"] for _ in range(30)]
    assert got == [f"candidate:{i}" for i in range(30)]
    await client.expect("pong", ts=9)
    await client.close()
    await psychiatrist.close()


async def test_control_frames_between_messages_of_a_seated_connection_are_answered(
    signaling: ServerProcess, consult: Consult
) -> None:
    patient, psychiatrist = await admitted_pair(signaling.url, consult)
    for i in range(3):  # a websocket-level ping among relayed messages: answered, order kept
        await patient.send({"type": "candidate", "candidate": f"before:{i}", "sdpMid": "0", "sdpMLineIndex": 0})
        pong = await patient.ws.ping(b"p%d" % i)
        await patient.send({"type": "candidate", "candidate": f"after:{i}", "sdpMid": "0", "sdpMLineIndex": 0})
        await asyncio.wait_for(pong, timeout=2)
        assert (await psychiatrist.expect("candidate"))["candidate"] == f"before:{i}"
        assert (await psychiatrist.expect("candidate"))["candidate"] == f"after:{i}"
    big = "v" * 40_000  # a frame with a 16-bit length, relayed whole
    await patient.send({"type": "offer", "sdp": big})
    assert (await psychiatrist.expect("offer"))["sdp"] == big
    await patient.ws.close(1000)
    assert (await psychiatrist.expect("presence", present=False))["reason"] == "left"
    await psychiatrist.close()
