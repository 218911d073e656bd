"""Websocket endpoints: a consult's room (/ws/consults/{consult_id}) and the pre-call check
(/ws/precall). The join token arrives in the first message or as a subprotocol, never in
the URL: URLs end up in proxy and access logs."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, WebSocket
from pydantic import ValidationError

from services.common.clock import utcnow
from services.common.tokens import TokenError
from services.signaling.config import SignalingSettings
from services.signaling.echo import EchoPeers, EchoSession
from services.signaling.ice import ice_servers
from services.signaling.keys import KeyStore
from services.signaling.protocol import (
    PROTOCOL_VERSION,
    SUBPROTOCOL,
    TOKEN_SUBPROTOCOL_PREFIX,
    ClientMessage,
    CloseCode,
    Hello,
    Leave,
    Ping,
    Pong,
    PrecallAnswer,
    PrecallDone,
    PrecallReady,
    SendCandidate,
    SendOffer,
    client_messages,
)
from services.signaling.rooms import Connection, Rooms

log = logging.getLogger(__name__)

router = APIRouter()


async def _accept(ws: WebSocket) -> str | None:
    """Accept the socket; return the token offered as a subprotocol, if any."""
    offered: list[str] = list(ws.scope.get("subprotocols") or [])
    token = next((p[len(TOKEN_SUBPROTOCOL_PREFIX) :] for p in offered if p.startswith(TOKEN_SUBPROTOCOL_PREFIX)), None)
    # Accept before refusing anything: a browser sees our close code only on an open socket.
    await ws.accept(subprotocol=SUBPROTOCOL if SUBPROTOCOL in offered else None)
    return token


def _parse(conn: Connection, message: Mapping[str, Any]) -> ClientMessage | None:
    """Apply the per-connection limits to one received frame and parse it."""
    conn.last_seen = time.monotonic()
    if not conn.take_token():
        conn.fail(CloseCode.RATE_LIMITED, "rate_limited", "Too many messages: slow down.")
        return None
    text = message.get("text")
    if not isinstance(text, str):
        data = message.get("bytes")
        if isinstance(data, bytes | bytearray) and len(data) > conn.settings.max_frame_bytes:
            conn.fail(CloseCode.FRAME_TOO_LARGE, "frame_too_large", "Message too large.")
        else:
            conn.count_invalid("invalid_message", "Send JSON text messages.")
        return None
    if conn.too_large(text):
        conn.fail(
            CloseCode.FRAME_TOO_LARGE,
            "frame_too_large",
            f"Messages are limited to {conn.settings.max_frame_bytes} bytes.",
        )
        return None
    try:
        return client_messages.validate_json(text)
    except ValidationError as exc:
        # Say where, never echo what: a chat text could be in it.
        where = ", ".join(".".join(str(p) for p in e["loc"]) or "message" for e in exc.errors()[:3])
        conn.count_invalid("invalid_message", f"The message is not valid ({where}).")
        return None


async def _hello_token(ws: WebSocket, conn: Connection) -> str | None:
    timeout = conn.settings.auth_timeout_seconds
    try:
        message = await asyncio.wait_for(ws.receive(), timeout=timeout)
    except TimeoutError:
        conn.fail(CloseCode.TIMEOUT, "hello_timeout", f"Send `hello` within {timeout:g} seconds.")
        return None
    if message["type"] == "websocket.disconnect":
        return None
    msg = _parse(conn, message)
    if conn.closing:
        return None
    if not isinstance(msg, Hello):
        conn.fail(CloseCode.BAD_HELLO, "hello_expected", "The first message must be `hello` with a token.")
        return None
    if msg.protocol != PROTOCOL_VERSION:
        conn.fail(CloseCode.BAD_HELLO, "unsupported_protocol", f"This server speaks protocol {PROTOCOL_VERSION}.")
        return None
    return msg.token


async def _finish(conn: Connection, writer: asyncio.Task[None]) -> None:
    conn.close(conn.close_code if conn.closing else CloseCode.NORMAL)
    with contextlib.suppress(Exception):
        await asyncio.wait_for(writer, timeout=3)
    if not writer.done():
        writer.cancel()


@router.websocket("/ws/consults/{consult_id}")
async def consult_socket(ws: WebSocket, consult_id: str) -> None:
    settings: SignalingSettings = ws.app.state.settings
    rooms: Rooms = ws.app.state.rooms
    keys: KeyStore = ws.app.state.keys
    token = await _accept(ws)
    conn = Connection(ws, settings)
    conn.reader = asyncio.current_task()
    writer = asyncio.create_task(conn.write_loop())
    seated = False
    try:
        if token is None:
            token = await _hello_token(ws, conn)
            if token is None:
                return
        try:
            claims = await keys.verify_join(token)
        except TokenError as exc:
            conn.fail(CloseCode.UNAUTHORIZED, "token_refused", f"Join token refused: {exc}.")
            return
        try:
            same = uuid.UUID(consult_id) == claims.consult_id
        except ValueError:
            same = False
        if not same:
            conn.fail(CloseCode.UNAUTHORIZED, "wrong_consult", "This join token is for another consult.")
            return
        try:
            seated = await rooms.join(conn, claims)
        except Exception:  # the bus is unreachable: the client retries, maybe elsewhere
            log.exception("joining a room failed", extra={"consult_id": consult_id})
            conn.fail(CloseCode.INTERNAL_ERROR, "internal_error", "Could not join the room: reconnect.")
            return
        if not seated:
            return
        while True:
            message = await ws.receive()
            if message["type"] == "websocket.disconnect":
                break
            if conn.closing:
                continue  # we are closing: wait for the client's close frame
            msg = _parse(conn, message)
            if msg is None:
                continue
            try:
                await rooms.handle(conn, msg)
            except Exception:
                log.exception("message handling failed", extra={"consult_id": consult_id})
                conn.fail(CloseCode.INTERNAL_ERROR, "internal_error", "Something went wrong: reconnect.")
    except asyncio.CancelledError:
        pass
    finally:
        if seated:
            with contextlib.suppress(Exception):
                await rooms.leave(conn)
        await _finish(conn, writer)


@router.websocket("/ws/precall")
async def precall_socket(ws: WebSocket) -> None:
    settings: SignalingSettings = ws.app.state.settings
    keys: KeyStore = ws.app.state.keys
    echo: EchoPeers = ws.app.state.echo
    token = await _accept(ws)
    conn = Connection(ws, settings)
    conn.reader = asyncio.current_task()
    writer = asyncio.create_task(conn.write_loop())
    session: EchoSession | None = None
    acquired = False
    tasks: list[asyncio.Task[None]] = []
    try:
        if token is None:
            token = await _hello_token(ws, conn)
            if token is None:
                return
        try:
            claims = await keys.verify_precall(token)
        except TokenError as exc:
            conn.fail(CloseCode.UNAUTHORIZED, "token_refused", f"Pre-call token refused: {exc}.")
            return
        acquired = echo.acquire()
        if not acquired:
            conn.fail(CloseCode.AT_CAPACITY, "at_capacity", "Pre-call checks are busy: try again in a minute.")
            return
        servers = ice_servers(settings, user=str(claims.user_id), now=utcnow())
        session = echo.open(servers, conn.send)
        conn.send(PrecallReady(iceServers=servers, max_seconds=settings.echo_max_seconds))
        tasks = [
            asyncio.create_task(_precall_clock(conn, session, settings.echo_max_seconds)),
        ]
        while True:
            message = await ws.receive()
            if message["type"] == "websocket.disconnect":
                break
            if conn.closing:
                continue
            msg = _parse(conn, message)
            if msg is None:
                continue
            if isinstance(msg, Ping):
                conn.send(Pong(ts=msg.ts))
            elif isinstance(msg, SendOffer):
                if session.pc.remoteDescription is not None:
                    conn.count_invalid("already_offered", "This check already has an offer.")
                    continue
                try:
                    conn.send(PrecallAnswer(sdp=await session.answer(msg.sdp)))
                except Exception:
                    conn.count_invalid("invalid_offer", "The offer could not be used.")
                    continue
                tasks.append(asyncio.create_task(_precall_stats(conn, session)))
            elif isinstance(msg, SendCandidate):
                with contextlib.suppress(Exception):
                    await session.add_candidate(msg)
            elif isinstance(msg, Leave):
                conn.close(CloseCode.NORMAL, PrecallDone(reason="client_left"))
            else:
                conn.count_invalid("not_in_precall", "The pre-call check takes offer, candidate, ping and leave.")
    except asyncio.CancelledError:
        pass
    finally:
        for task in tasks:
            task.cancel()
        if session is not None:
            await echo.finish(session)
        if acquired:
            echo.release()
        await _finish(conn, writer)


async def _precall_clock(conn: Connection, session: EchoSession, limit: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(session.failed.wait(), timeout=limit)
        conn.close(CloseCode.NORMAL, PrecallDone(reason="failed"))
        return
    conn.close(CloseCode.NORMAL, PrecallDone(reason="time_limit"))


async def _precall_stats(conn: Connection, session: EchoSession) -> None:
    while not conn.closing:
        await asyncio.sleep(1.0)
        try:
            conn.send(await session.measure())
        except Exception:  # e.g. a transport not started yet: measure again next second
            log.warning("pre-call stats failed", exc_info=True)
