"""Ports for the servers the tests start, from outside the kernel's ephemeral range.

Asking the kernel for a free port (bind to 0) hands out a number from the ephemeral range,
the same range every outgoing connection takes its local port from. Between the moment the
number is read and the moment the server binds it, any client on the machine (a browser, the
load balancer, another test worker) may take it for a connection, and the server then fails
with "address already in use". Ports below that range are never taken that way. Each test
worker draws from a band of its own, so two workers never hand out the same number, and a
process never hands out a number twice.
"""

from __future__ import annotations

import os
import random
import re
import socket
from pathlib import Path

_given: set[int] = set()
BAND = 2000


def _ephemeral_low() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def _band() -> range | None:
    low = min(_ephemeral_low(), 32768)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    match = re.fullmatch(r"gw(\d+)", worker)
    index = int(match.group(1)) + 1 if match else 0
    start = 10000 + index * BAND
    if start + BAND > low:  # too many workers for the room below the range: let the kernel choose
        return None
    return range(start, start + BAND)


def _bindable(port: int) -> bool:
    for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):  # coturn listens on both
        with socket.socket(socket.AF_INET, kind) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                return False
    return True


def free_port() -> int:
    """A port on 127.0.0.1 that nothing uses now and that no outgoing connection will take."""
    band = _band()
    if band is not None:
        for _ in range(200):
            port = random.choice(band)
            if port not in _given and _bindable(port):
                _given.add(port)
                return port
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
