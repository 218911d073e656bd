"""Real calls: two aiortc peers negotiate through the running signaling service and each
receives at least 30 video frames from the other, peer to peer on 127.0.0.1 and relayed
through coturn (started here on 127.0.0.1) with relay candidates only."""

from __future__ import annotations

import os
import random
import secrets
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from services.common.clock import utcnow
from services.signaling.ice import turn_credentials
from tests.signaling.conftest import Api, signaling_settings
from tests.signaling.support import (
    Consult,
    Peer,
    ServerProcess,
    admitted_pair,
    negotiate,
    start_coturn,
    start_process,
    start_signaling,
    wait_udp_listening,
)
from tests.support.mail import free_port

# Its servers start once for the module: keep the module on one xdist worker (make test: loadgroup).
pytestmark = pytest.mark.xdist_group("signaling-calls")


async def test_two_peers_exchange_video_through_signaling(signaling: ServerProcess, consult: Consult) -> None:
    patient, psychiatrist = await admitted_pair(signaling.url, consult)
    patient_peer, psychiatrist_peer = Peer("patient", []), Peer("psychiatrist", [])
    try:
        await negotiate(patient, psychiatrist, patient_peer, psychiatrist_peer)
        await patient_peer.wait_frames(30)
        await psychiatrist_peer.wait_frames(30)
        for peer in (patient_peer, psychiatrist_peer):
            assert peer.local_candidate_addresses() == {"127.0.0.1"}
            assert peer.local_candidate_types() == {"host"}
        await patient.send({"type": "connection_state", "connectionState": "connected"})
        await psychiatrist.send({"type": "connection_state", "connectionState": "connected"})
    finally:
        await patient_peer.close()
        await psychiatrist_peer.close()
        await patient.close()
        await psychiatrist.close()


@pytest.fixture(scope="module")
def turn(work_dir: Path) -> Iterator[tuple[int, str]]:
    """coturn on 127.0.0.1 with REST credentials; loopback peers allowed for the test only."""
    port = free_port()
    secret = secrets.token_urlsafe(16)
    low = 40000 + random.randrange(0, 100) * 200  # its own relay ports, apart from other workers'
    work = work_dir / f"coturn-{port}"
    work.mkdir()
    server = start_coturn(port, secret, work, min_port=low, max_port=low + 199)
    wait_udp_listening(port, server)
    try:
        yield port, secret
    finally:
        server.kill()


@pytest.fixture(scope="module")
def signaling_with_turn(api: Api, work_dir: Path, turn: tuple[int, str]) -> Iterator[ServerProcess]:
    port, secret = turn
    settings = signaling_settings(
        api,
        work_dir,
        turn_urls=f'["turn:127.0.0.1:{port}?transport=udp"]',
        turn_secret=secret,
        turn_ttl_seconds="600",
    )
    server = start_signaling("signaling-turn", free_port(), settings, work_dir)
    api.wait()
    try:
        yield server
    finally:
        server.kill()


async def test_joined_hands_out_coturn_rest_credentials(
    signaling_with_turn: ServerProcess, consult: Consult, turn: tuple[int, str]
) -> None:
    port, secret = turn
    patient, psychiatrist = await admitted_pair(signaling_with_turn.url, consult)
    joined = patient.seen[0]
    [server] = joined["iceServers"]
    assert server["urls"] == [f"turn:127.0.0.1:{port}?transport=udp"]
    expiry, user = server["username"].split(":")
    assert user == str(consult.patient_id)
    assert 590 <= int(expiry) - int(utcnow().timestamp()) <= 600
    # coturn's REST scheme: password = base64(HMAC-SHA1(static-auth-secret, "expiry:user")).
    assert server["credential"] == _password(secret, server["username"])
    await patient.close()
    await psychiatrist.close()


def _password(secret: str, username: str) -> str:
    import base64
    import hashlib
    import hmac

    return base64.b64encode(hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()).decode()


async def test_two_peers_exchange_video_relayed_through_coturn_only(
    signaling_with_turn: ServerProcess, consult: Consult
) -> None:
    patient, psychiatrist = await admitted_pair(signaling_with_turn.url, consult)
    ice_patient = patient.seen[0]["iceServers"]
    ice_psychiatrist = psychiatrist.seen[0]["iceServers"]
    patient_peer = Peer("patient", ice_patient, relay_only=True)
    psychiatrist_peer = Peer("psychiatrist", ice_psychiatrist, relay_only=True)
    try:
        await negotiate(patient, psychiatrist, patient_peer, psychiatrist_peer)
        await patient_peer.wait_frames(30, timeout=25)
        await psychiatrist_peer.wait_frames(30, timeout=25)
        for peer in (patient_peer, psychiatrist_peer):
            assert peer.local_candidate_types() == {"relay"}, "relay-only peers offered other candidates"
            assert peer.local_candidate_addresses() == {"127.0.0.1"}
    finally:
        await patient_peer.close()
        await psychiatrist_peer.close()
        await patient.close()
        await psychiatrist.close()


@pytest.mark.parametrize("problem", ["wrong_password", "expired"])
async def test_coturn_refuses_wrong_or_expired_credentials_and_the_wait_fails_clearly(
    turn: tuple[int, str], problem: str
) -> None:
    port, secret = turn
    if problem == "wrong_password":
        username, _ = turn_credentials(secret, "someone", now=utcnow(), ttl_seconds=600)
        password = _password("not-the-secret", username)
    else:
        username, password = turn_credentials(secret, "someone", now=utcnow() - timedelta(hours=2), ttl_seconds=60)
    ice = [{"urls": [f"turn:127.0.0.1:{port}?transport=udp"], "username": username, "credential": password}]
    peer = Peer("refused", ice, relay_only=True)
    try:
        await peer.offer()
        assert "relay" not in peer.local_candidate_types(), f"coturn allocated a relay for {problem} credentials"
        with pytest.raises(AssertionError, match="received 0 video frames"):
            await peer.wait_frames(1, timeout=1)
    finally:
        await peer.close()


PRODUCTION_CONF = Path(__file__).resolve().parents[2] / "infra" / "coturn" / "turnserver.conf"


def start_production_coturn(work: Path, port: int, secret: str) -> ServerProcess:
    """infra/coturn/turnserver.conf itself, with only this machine's addresses, ports, secret
    and log file swapped in (and no TLS listener: no certificate here)."""
    low = 40000 + random.randrange(0, 100) * 200
    replaced = {
        "listening-port": str(port),
        "tls-listening-port": str(free_port()),
        "static-auth-secret": secret,
        "log-file": str(work / "turn.log"),
        "min-port": str(low),
        "max-port": str(low + 199),
    }
    lines = []
    for line in PRODUCTION_CONF.read_text().splitlines():
        key = line.split("=", 1)[0]
        if key in ("cert", "pkey"):
            continue
        lines.append(f"{key}={replaced[key]}" if key in replaced else line)
    (work / "turnserver.conf").write_text("\n".join(lines) + "\n")
    args = ["turnserver", "-c", str(work / "turnserver.conf"), "--listening-ip=127.0.0.1", "--relay-ip=127.0.0.1"]
    args += ["--no-tls", "--no-dtls", "--verbose", f"--pidfile={work / 'turn.pid'}", f"--userdb={work / 'turndb'}"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALCYON_")}
    server = start_process("coturn-prod", args, env=env, log_dir=work)
    wait_udp_listening(port, server)
    return server


async def test_the_production_coturn_config_refuses_to_relay_to_loopback_peers(work_dir: Path) -> None:
    """The allocation works with REST credentials, but relaying to a 127.0.0.1 peer is refused."""
    port, secret = free_port(), secrets.token_urlsafe(16)
    work = work_dir / f"coturn-prod-{port}"
    work.mkdir()
    server = start_production_coturn(work, port, secret)
    try:
        peers = []
        for name in ("patient", "psychiatrist"):
            username, password = turn_credentials(secret, name, now=utcnow(), ttl_seconds=600)
            ice = [{"urls": [f"turn:127.0.0.1:{port}?transport=udp"], "username": username, "credential": password}]
            peers.append(Peer(name, ice, relay_only=True))
        offer = await peers[1].offer()
        await peers[1].accept(await peers[0].answer(offer))
        for peer in peers:
            assert peer.local_candidate_types() == {"relay"}, "the credentials should have allocated a relay"
        with pytest.raises(AssertionError, match="received 0 video frames"):
            await peers[0].wait_frames(1, timeout=3)
        for peer in peers:
            await peer.close()
    finally:
        server.kill()
    log = server.log_path.parent.joinpath("turn.log").read_text()
    assert "Forbidden IP" in log, f"coturn did not log refusing the loopback peer:\n{log[-3000:]}"
