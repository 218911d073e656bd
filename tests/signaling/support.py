"""What the signaling tests run for real: server processes, websocket clients, aiortc peers.

Every server binds 127.0.0.1 and is stopped by the PID we started; every aiortc peer gathers
host candidates on 127.0.0.1 only (see `loopback_host_candidates`) or relays through coturn
on 127.0.0.1; every wait has a timeout that fails with a message saying what did not happen.
"""

from __future__ import annotations

import asyncio
import contextlib
import fractions
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import av
import httpx
import numpy as np
import pytest
from aiortc import (
    MediaStreamTrack,
    RTCConfiguration,
    RTCIceServer,
    RTCPeerConnection,
    RTCSessionDescription,
    VideoStreamTrack,
)
from aiortc.rtcconfiguration import RTCIceTransportPolicy
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from services.common.clock import utcnow
from services.common.join import SeatRole, mint_join_token, mint_precall_token
from services.common.tokens import SigningKeys

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable


# --- processes --------------------------------------------------------------------------------
@dataclass
class ServerProcess:
    """A server we started; stopped by its own PID only."""

    name: str
    proc: subprocess.Popen[bytes]
    log_path: Path
    url: str = ""

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    def kill(self, sig: int = signal.SIGTERM, timeout: float = 10) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)


def start_process(name: str, args: list[str], *, env: dict[str, str], log_dir: Path) -> ServerProcess:
    log_path = log_dir / f"{name}-{uuid.uuid4().hex[:6]}.log"
    log = log_path.open("wb")
    proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    log.close()
    return ServerProcess(name, proc, log_path)


def wait_http(server: ServerProcess, url: str, *, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            pytest.fail(f"{server.name} exited with {server.proc.returncode}:\n{server.log()}")
        try:
            if httpx.get(url, timeout=1, trust_env=False).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    server.kill()
    pytest.fail(f"{server.name} did not answer {url} within {timeout:g} s:\n{server.log()}")


def signaling_env(port: int, base: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALCYON_")}
    env.update({"HALCYON_SIGNALING_HOST": "127.0.0.1", "HALCYON_SIGNALING_PORT": str(port)})
    env.update(base)
    return env


def start_signaling(
    name: str, port: int, settings: dict[str, str], log_dir: Path, *, wait: bool = True
) -> ServerProcess:
    env = signaling_env(port, settings)
    server = start_process(name, [PYTHON, "-m", "services.signaling.main"], env=env, log_dir=log_dir)
    server.url = f"ws://127.0.0.1:{port}"
    if wait:
        wait_http(server, f"http://127.0.0.1:{port}/healthz")
    return server


# --- tokens -----------------------------------------------------------------------------------
@dataclass
class Seat:
    consult_id: uuid.UUID
    user_id: uuid.UUID
    role: SeatRole


@dataclass
class Consult:
    """Two seats of one consult, and the keys that sign their join tokens."""

    keys: SigningKeys
    id: uuid.UUID = field(default_factory=uuid.uuid4)
    patient_id: uuid.UUID = field(default_factory=uuid.uuid4)
    psychiatrist_id: uuid.UUID = field(default_factory=uuid.uuid4)

    def seat(self, role: SeatRole | str) -> Seat:
        role = SeatRole(role)
        user = self.patient_id if role is SeatRole.patient else self.psychiatrist_id
        return Seat(self.id, user, role)

    def token(
        self,
        role: SeatRole | str,
        *,
        user_id: uuid.UUID | None = None,
        consult_id: uuid.UUID | None = None,
        not_before: datetime | None = None,
        expires_at: datetime | None = None,
        keys: SigningKeys | None = None,
    ) -> str:
        seat = self.seat(role)
        now = utcnow()
        return mint_join_token(
            keys or self.keys,
            consult_id=consult_id or self.id,
            user_id=user_id or seat.user_id,
            role=seat.role,
            not_before=not_before or now - timedelta(minutes=1),
            expires_at=expires_at or now + timedelta(minutes=10),
        )

    def precall_token(self) -> str:
        return mint_precall_token(self.keys, user_id=self.patient_id, expires_at=utcnow() + timedelta(minutes=5))


# --- websocket clients ------------------------------------------------------------------------
class Client:
    """A signaling client that keeps what it received, so tests can wait for one kind."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.seen: list[dict[str, Any]] = []
        self.close_code: int | None = None
        self.closed = asyncio.Event()
        self._reader = asyncio.create_task(self._read())
        self._heartbeat: asyncio.Task[None] | None = None

    @classmethod
    async def open(
        cls,
        base_url: str,
        path: str,
        token: str | None = None,
        *,
        via: str = "hello",
        protocol: int = 1,
        heartbeat: float | None = 1.0,
    ) -> Client:
        subprotocols = ["halcyon.signaling.v1"]
        if via == "subprotocol" and token is not None:
            subprotocols.append(f"halcyon.token.{token}")
        ws = await connect(
            f"{base_url}{path}",
            subprotocols=subprotocols,  # type: ignore[arg-type]
            proxy=None,
            max_size=8 * 1024 * 1024,
            open_timeout=5,
            ping_interval=None,
        )
        client = cls(ws)
        if via == "hello" and token is not None:
            await client.send({"type": "hello", "protocol": protocol, "token": token})
        if heartbeat:
            client._heartbeat = asyncio.create_task(client._beat(heartbeat))
        return client

    async def _read(self) -> None:
        try:
            async for raw in self.ws:
                msg = json.loads(raw)
                self.seen.append(msg)
                await self.inbox.put(msg)
        except ConnectionClosed:
            pass
        finally:
            rcvd = self.ws.protocol.close_rcvd
            self.close_code = rcvd.code if rcvd is not None else 1006
            self.closed.set()

    async def _beat(self, every: float) -> None:
        with contextlib.suppress(ConnectionClosed, asyncio.CancelledError):
            while True:
                await asyncio.sleep(every)
                await self.ws.send(json.dumps({"type": "ping"}))

    def stop_heartbeat(self) -> None:
        if self._heartbeat is not None:
            self._heartbeat.cancel()

    async def send(self, msg: dict[str, Any] | str) -> None:
        await self.ws.send(msg if isinstance(msg, str) else json.dumps(msg))

    async def expect(self, kind: str, *, timeout: float = 5, **match: Any) -> dict[str, Any]:  # noqa: ASYNC109 - a deadline for the test's wait
        """The next message of this `type` (and these field values); others are skipped."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            try:
                msg = await asyncio.wait_for(self.inbox.get(), timeout=max(left, 0.001))
            except TimeoutError:
                got = [m.get("type") for m in self.seen[-10:]]
                raise AssertionError(
                    f"no `{kind}` {match or ''} within {timeout:g} s (last seen: {got}, close {self.close_code})"
                ) from None
            if msg.get("type") == kind and all(msg.get(k) == v for k, v in match.items()):
                return msg

    async def expect_close(self, *, timeout: float = 5) -> int:  # noqa: ASYNC109 - a deadline for the test's wait
        try:
            await asyncio.wait_for(self.closed.wait(), timeout=timeout)
        except TimeoutError:
            raise AssertionError(f"the server did not close within {timeout:g} s") from None
        assert self.close_code is not None
        return self.close_code

    async def close(self) -> None:
        self.stop_heartbeat()
        with contextlib.suppress(Exception):
            await self.ws.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._reader, timeout=2)


async def seated(base_url: str, consult: Consult, role: str, **kwargs: Any) -> tuple[Client, dict[str, Any]]:
    client = await Client.open(base_url, f"/ws/consults/{consult.id}", consult.token(role), **kwargs)
    joined = await client.expect("joined")
    return client, joined


async def admitted_pair(base_url: str, consult: Consult, psychiatrist_url: str | None = None) -> tuple[Client, Client]:
    patient, _ = await seated(base_url, consult, "patient")
    psychiatrist, joined = await seated(psychiatrist_url or base_url, consult, "psychiatrist")
    assert joined["peer"] == {"role": "patient", "present": True}
    await psychiatrist.send({"type": "admit"})
    await patient.expect("room", state="admitted")
    await psychiatrist.expect("room", state="admitted")
    return patient, psychiatrist


# --- aiortc peers -----------------------------------------------------------------------------
@contextlib.contextmanager
def loopback_host_candidates() -> Iterator[None]:
    """aioice gathers host candidates on every interface except 127.0.0.1; tests need the
    opposite, so every packet stays on loopback."""
    import aioice.ice

    original = aioice.ice.get_host_addresses

    def loopback_only(use_ipv4: bool, use_ipv6: bool) -> list[str]:
        return ["127.0.0.1"] if use_ipv4 else []

    aioice.ice.get_host_addresses = loopback_only
    try:
        yield
    finally:
        aioice.ice.get_host_addresses = original


class SyntheticVideo(VideoStreamTrack):
    """Moving colour bars at 30 fps (aiortc paces them), 160x120 to keep encoding cheap."""

    def __init__(self) -> None:
        super().__init__()
        base = np.zeros((120, 160, 3), dtype=np.uint8)
        base[:, :, 0] = np.linspace(0, 255, 160, dtype=np.uint8)
        self._base = base
        self._n = 0

    async def recv(self) -> av.VideoFrame:
        pts, time_base = await self.next_timestamp()
        self._n += 1
        frame = av.VideoFrame.from_ndarray(np.roll(self._base, self._n, axis=1), format="bgr24")
        frame.pts = pts
        frame.time_base = fractions.Fraction(time_base.numerator, time_base.denominator)
        return frame


class Peer:
    """An aiortc peer that sends synthetic video and counts the frames it receives."""

    def __init__(self, name: str, ice_servers: list[dict[str, Any]], *, relay_only: bool = False) -> None:
        self.name = name
        servers = [
            RTCIceServer(urls=s["urls"], username=s.get("username"), credential=s.get("credential"))
            for s in ice_servers
        ]
        policy = RTCIceTransportPolicy.RELAY if relay_only else RTCIceTransportPolicy.ALL
        # Always an explicit list: aiortc's default would use a public STUN server.
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=servers, iceTransportPolicy=policy))
        self.pc.addTransceiver(SyntheticVideo(), direction="sendrecv")
        self.frames = 0
        self.enough = asyncio.Event()
        self.want = 30
        self._consumers: list[asyncio.Task[None]] = []

        @self.pc.on("track")
        def on_track(track: MediaStreamTrack) -> None:
            self._consumers.append(asyncio.create_task(self._consume(track)))

    async def _consume(self, track: MediaStreamTrack) -> None:
        with contextlib.suppress(Exception):
            while True:
                await track.recv()
                self.frames += 1
                if self.frames >= self.want:
                    self.enough.set()

    async def offer(self) -> str:
        await self.pc.setLocalDescription(await self.pc.createOffer())
        return self.pc.localDescription.sdp

    async def answer(self, offer_sdp: str) -> str:
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp=offer_sdp, type="offer"))
        await self.pc.setLocalDescription(await self.pc.createAnswer())
        return self.pc.localDescription.sdp

    async def accept(self, answer_sdp: str) -> None:
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp=answer_sdp, type="answer"))

    def local_candidate_types(self) -> set[str]:
        sdp = self.pc.localDescription.sdp if self.pc.localDescription else ""
        return {line.split(" typ ")[1].split()[0] for line in sdp.splitlines() if " typ " in line}

    def local_candidate_addresses(self) -> set[str]:
        sdp = self.pc.localDescription.sdp if self.pc.localDescription else ""
        return {line.split()[4] for line in sdp.splitlines() if line.startswith("a=candidate:")}

    async def wait_frames(self, count: int = 30, *, timeout: float = 20) -> None:  # noqa: ASYNC109 - a deadline for the test's wait
        self.want = count
        if self.frames >= count:
            return
        try:
            await asyncio.wait_for(self.enough.wait(), timeout=timeout)
        except TimeoutError:
            raise AssertionError(
                f"{self.name} received {self.frames} video frames in {timeout:g} s, wanted {count} "
                f"(ICE {self.pc.iceConnectionState}, connection {self.pc.connectionState}): "
                "check the ICE servers, the TURN credentials and the candidate addresses"
            ) from None

    async def close(self) -> None:
        for task in self._consumers:
            task.cancel()
        await self.pc.close()


async def negotiate(
    patient: Client,
    psychiatrist: Client,
    patient_peer: Peer,
    psychiatrist_peer: Peer,
    *,
    timeout: float = 10,  # noqa: ASYNC109 - a deadline for the test's wait
) -> None:
    """The psychiatrist offers, the patient answers, all through signaling."""
    await psychiatrist.send({"type": "offer", "sdp": await psychiatrist_peer.offer()})
    offer = await patient.expect("offer", timeout=timeout)
    assert offer["sender"] == "psychiatrist"
    await patient.send({"type": "answer", "sdp": await patient_peer.answer(offer["sdp"])})
    answer = await psychiatrist.expect("answer", timeout=timeout)
    assert answer["sender"] == "patient"
    await psychiatrist_peer.accept(answer["sdp"])


# --- coturn -----------------------------------------------------------------------------------
def start_coturn(port: int, secret: str, work: Path, *, min_port: int, max_port: int) -> ServerProcess:
    args = [
        "turnserver",
        "-n",  # no configuration file: everything is on this command line
        "--listening-ip=127.0.0.1",
        "--relay-ip=127.0.0.1",
        f"--listening-port={port}",
        f"--min-port={min_port}",
        f"--max-port={max_port}",
        "--use-auth-secret",
        f"--static-auth-secret={secret}",
        "--realm=halcyon.test",
        "--fingerprint",
        "--allow-loopback-peers",  # tests only: the production config never allows this
        "--no-tls",
        "--no-dtls",
        "--no-cli",
        "--no-tcp-relay",
        f"--userdb={work / 'turndb'}",
        f"--pidfile={work / 'turnserver.pid'}",
        "--simple-log",
        f"--log-file={work / 'turn.log'}",
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALCYON_")}
    return start_process("coturn", args, env=env, log_dir=work)


def wait_udp_listening(port: int, server: ServerProcess, *, timeout: float = 10) -> None:
    """coturn answers a STUN binding request once it listens."""
    import socket
    import struct

    deadline = time.monotonic() + timeout
    request = struct.pack("!HHI12s", 0x0001, 0, 0x2112A442, os.urandom(12))
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            pytest.fail(f"coturn exited with {server.proc.returncode}:\n{server.log()}")
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.settimeout(0.3)
            try:
                s.sendto(request, ("127.0.0.1", port))
                if s.recv(2048)[:2] == b"\x01\x01":
                    return
            except OSError:
                pass
        time.sleep(0.1)
    server.kill()
    pytest.fail(f"coturn did not answer STUN on 127.0.0.1:{port} within {timeout:g} s:\n{server.log()}")
