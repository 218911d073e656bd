"""ICE servers for clients: STUN URLs and TURN with coturn's REST credentials.

coturn with `use-auth-secret` accepts username `<expiry unix time>:<user>` with password
`base64(HMAC-SHA1(static-auth-secret, username))` until the expiry passes, so credentials
are minted here without talking to coturn, and a leaked pair stops working by itself.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime

from services.signaling.config import SignalingSettings
from services.signaling.protocol import IceServer


def turn_credentials(secret: str, user: str, *, now: datetime, ttl_seconds: int) -> tuple[str, str]:
    """(username, password) for coturn's REST API scheme."""
    if ":" in user:
        raise ValueError("the TURN user part must not contain ':'")
    expiry = int(now.timestamp()) + ttl_seconds
    username = f"{expiry}:{user}"
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return username, base64.b64encode(digest).decode()


def ice_servers(settings: SignalingSettings, *, user: str, now: datetime) -> list[IceServer]:
    servers: list[IceServer] = []
    if settings.stun_urls:
        servers.append(IceServer(urls=list(settings.stun_urls)))
    secret = settings.turn_secret.get_secret_value()
    if settings.turn_urls and secret:
        username, credential = turn_credentials(secret, user, now=now, ttl_seconds=settings.turn_ttl_seconds)
        servers.append(IceServer(urls=list(settings.turn_urls), username=username, credential=credential))
    return servers
