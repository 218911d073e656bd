"""The pre-call check: an aiortc peer that sends the browser's own media back and measures it.

Before a visit the patient's browser connects to this echo peer (over /ws/precall): it sees
and hears itself through a real WebRTC round trip, and the peer reports what it measures
about once a second: round-trip time (from RTCP receiver reports), packets received and
lost, jitter, and the bitrate each way.

Bounded on purpose (aiortc's discipline): at most `echo_max_concurrent` checks at once,
each ends after `echo_max_seconds`, a peer whose connection fails is closed at once, and
every peer is closed when its websocket goes or the service shuts down.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from typing import Any

from aiortc import RTCConfiguration, RTCIceServer, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamTrack
from aiortc.sdp import candidate_from_sdp
from pydantic import BaseModel

from services.signaling.config import SignalingSettings
from services.signaling.protocol import IceServer, PrecallStats, SendCandidate

log = logging.getLogger(__name__)

CLOCK_RATES = {"audio": 48000, "video": 90000}


def restrict_host_addresses(addresses: list[str]) -> None:
    """Offer host candidates only on these addresses (aioice otherwise uses every interface
    except loopback). For servers with several interfaces, and for tests on 127.0.0.1."""
    if not addresses:
        return
    import aioice.ice

    allowed = list(addresses)

    def only_configured(use_ipv4: bool, use_ipv6: bool) -> list[str]:
        return [a for a in allowed if (use_ipv6 if ":" in a else use_ipv4)]

    aioice.ice.get_host_addresses = only_configured


class EchoSession:
    def __init__(self, ice: list[IceServer], send: Callable[[BaseModel], None]) -> None:
        servers = [RTCIceServer(urls=s.urls, username=s.username, credential=s.credential) for s in ice]
        # An explicit (possibly empty) list: aiortc's default would reach a public STUN server.
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=servers))
        self.send = send
        self.started = time.monotonic()
        self.failed = asyncio.Event()
        self.kinds: list[str] = []
        self._last: tuple[float, int, int] | None = None

        @self.pc.on("track")
        def on_track(track: MediaStreamTrack) -> None:
            self.kinds.append(track.kind)
            self.pc.addTrack(track)  # the browser's own media goes straight back

        @self.pc.on("connectionstatechange")
        async def on_state() -> None:
            if self.pc.connectionState == "failed":
                self.failed.set()
                await self.pc.close()

    async def answer(self, offer_sdp: str) -> str:
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp=offer_sdp, type="offer"))
        await self.pc.setLocalDescription(await self.pc.createAnswer())
        return self.pc.localDescription.sdp

    async def add_candidate(self, msg: SendCandidate) -> None:
        if not msg.candidate:
            return  # end of candidates: aiortc needs no marker
        sdp = msg.candidate.removeprefix("candidate:")
        candidate = candidate_from_sdp(sdp)
        candidate.sdpMid = msg.sdpMid
        candidate.sdpMLineIndex = msg.sdpMLineIndex
        await self.pc.addIceCandidate(candidate)

    async def measure(self) -> PrecallStats:
        report: dict[str, Any] = dict(await self.pc.getStats())
        now = time.monotonic()
        # A report block may come before any RTT could be measured (roundTripTime None).
        rtts = [s.roundTripTime for s in report.values() if s.type == "remote-inbound-rtp" and s.roundTripTime]
        inbound = [s for s in report.values() if s.type == "inbound-rtp"]
        received = sum(s.packetsReceived or 0 for s in inbound)
        lost = max(0, sum(s.packetsLost or 0 for s in inbound))
        jitters = [s.jitter / CLOCK_RATES.get(s.kind, 90000) * 1000 for s in inbound if s.jitter]
        transports = [s for s in report.values() if s.type == "transport"]
        bytes_in = sum(s.bytesReceived or 0 for s in transports)
        bytes_out = sum(s.bytesSent or 0 for s in transports)
        in_kbps = out_kbps = None
        if self._last is not None and now > self._last[0]:
            span = now - self._last[0]
            in_kbps = round((bytes_in - self._last[1]) * 8 / span / 1000, 1)
            out_kbps = round((bytes_out - self._last[2]) * 8 / span / 1000, 1)
        self._last = (now, bytes_in, bytes_out)
        return PrecallStats(
            elapsed_seconds=round(now - self.started, 2),
            connectionState=self.pc.connectionState,
            rtt_ms=round(max(rtts) * 1000, 2) if rtts else None,
            packets_received=received,
            packets_lost=lost,
            fraction_lost=round(lost / (received + lost), 4) if received + lost else None,
            jitter_ms=round(max(jitters), 2) if jitters else None,
            inbound_kbps=in_kbps,
            outbound_kbps=out_kbps,
            tracks=sorted(set(self.kinds)),
        )

    async def close(self) -> None:
        await self.pc.close()


class EchoPeers:
    """Admission (a cap on concurrent checks) and shutdown for every echo session."""

    def __init__(self, settings: SignalingSettings) -> None:
        self.settings = settings
        self.sessions: set[EchoSession] = set()
        self._slots = 0
        restrict_host_addresses(settings.echo_host_addresses)

    def acquire(self) -> bool:
        if self._slots >= self.settings.echo_max_concurrent:
            return False
        self._slots += 1
        return True

    def release(self) -> None:
        self._slots = max(0, self._slots - 1)

    @property
    def active(self) -> int:
        return self._slots

    def open(self, ice: list[IceServer], send: Callable[[BaseModel], None]) -> EchoSession:
        session = EchoSession(ice, send)
        self.sessions.add(session)
        return session

    async def finish(self, session: EchoSession) -> None:
        self.sessions.discard(session)
        with contextlib.suppress(Exception):
            await session.close()

    async def close_all(self) -> None:
        sessions, self.sessions = list(self.sessions), set()
        await asyncio.gather(*(s.close() for s in sessions), return_exceptions=True)
