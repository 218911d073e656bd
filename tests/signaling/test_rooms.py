"""Rooms through a running signaling instance: the waiting room, relay to the other seat
only, replacement of a seat's connection, third parties, chat, leaving and ending."""

from __future__ import annotations

import uuid

from services.common.join import SeatRole
from tests.signaling.support import Client, Consult, ServerProcess, admitted_pair, seated


async def test_first_message_carries_ice_servers_heartbeat_presence_and_room_state(
    signaling: ServerProcess, consult: Consult
) -> None:
    patient, joined = await seated(signaling.url, consult, "patient")
    assert joined == {
        "type": "joined",
        "protocol": 1,
        "consult_id": str(consult.id),
        "role": "patient",
        "iceServers": [],  # no public STUN server, and this instance has no TURN configured
        "heartbeat_interval_ms": 1000,
        "heartbeat_timeout_ms": 5000,
        "peer": {"role": "psychiatrist", "present": False},
        "room": "waiting",
        "resumed": False,
        "limits": {"max_frame_bytes": 65536, "rate_per_second": 50.0, "rate_burst": 200},
    }
    assert patient.seen[0]["type"] == "joined", "`joined` must be the first server message"
    await patient.close()


async def test_patient_waits_until_the_psychiatrist_admits(signaling: ServerProcess, consult: Consult) -> None:
    patient, _ = await seated(signaling.url, consult, "patient")
    await patient.send({"type": "offer", "sdp": "v=0"})
    refused = await patient.expect("error")
    assert refused["code"] == "not_admitted"
    assert refused["close_code"] is None

    psychiatrist, joined = await seated(signaling.url, consult, "psychiatrist")
    assert joined["peer"] == {"role": "patient", "present": True}
    assert joined["room"] == "waiting"
    arrived = await patient.expect("presence")
    assert arrived == {"type": "presence", "role": "psychiatrist", "present": True, "reason": "joined"}

    await patient.send({"type": "admit"})
    assert (await patient.expect("error"))["code"] == "forbidden"

    await psychiatrist.send({"type": "admit"})
    assert (await patient.expect("room"))["state"] == "admitted"
    assert (await psychiatrist.expect("room"))["state"] == "admitted"
    for client in (patient, psychiatrist):  # a round trip later, nothing was delivered twice
        await client.send({"type": "ping", "ts": 2})
        await client.expect("pong", ts=2)
        assert [m["type"] for m in client.seen].count("room") == 1
    await patient.close()
    await psychiatrist.close()


async def test_offer_answer_and_candidates_reach_only_the_other_seat(
    signaling: ServerProcess, consult: Consult
) -> None:
    patient, psychiatrist = await admitted_pair(signaling.url, consult)
    await psychiatrist.send({"type": "offer", "sdp": "v=0 offer", "iceRestart": True})
    assert await patient.expect("offer") == {
        "type": "offer",
        "sender": "psychiatrist",
        "sdp": "v=0 offer",
        "iceRestart": True,
    }
    await patient.send({"type": "answer", "sdp": "v=0 answer"})
    assert (await psychiatrist.expect("answer"))["sdp"] == "v=0 answer"
    candidate = {
        "type": "candidate",
        "candidate": "candidate:1 1 udp 2130706431 127.0.0.1 50000 typ host",
        "sdpMid": "0",
        "sdpMLineIndex": 0,
        "usernameFragment": "abcd",
    }
    await patient.send(candidate)
    assert await psychiatrist.expect("candidate") == candidate | {"sender": "patient"}
    await patient.send({"type": "candidate", "candidate": "", "sdpMid": "0", "sdpMLineIndex": 0})
    assert (await psychiatrist.expect("candidate"))["candidate"] == ""
    # The sender never hears its own messages back.
    await patient.send({"type": "ping", "ts": 7})
    await patient.expect("pong", ts=7)
    assert not [m for m in patient.seen if m["type"] in ("offer", "answer", "candidate") and m["sender"] == "patient"]
    await patient.close()
    await psychiatrist.close()


async def test_a_second_connection_for_a_seat_replaces_the_first_and_the_other_party_is_told(
    signaling: ServerProcess, consult: Consult
) -> None:
    first, psychiatrist = await admitted_pair(signaling.url, consult)
    second, joined = await seated(signaling.url, consult, "patient")
    assert joined["resumed"] is True
    assert joined["room"] == "admitted"
    assert joined["peer"] == {"role": "psychiatrist", "present": True}

    await first.expect("replaced")
    assert await first.expect_close() == 4409
    told = await psychiatrist.expect("presence")
    assert told == {"type": "presence", "role": "patient", "present": True, "reason": "reconnected"}

    await psychiatrist.send({"type": "offer", "sdp": "v=0 restart", "iceRestart": True})
    assert (await second.expect("offer"))["sdp"] == "v=0 restart"
    await second.send({"type": "answer", "sdp": "v=0 again"})
    assert (await psychiatrist.expect("answer"))["sdp"] == "v=0 again"
    # The replaced connection leaving does not make the patient look absent.
    assert not [m for m in psychiatrist.seen if m["type"] == "presence" and m["present"] is False]
    await second.close()
    await psychiatrist.close()


async def test_a_third_party_is_never_seated(signaling: ServerProcess, consult: Consult) -> None:
    patient, psychiatrist = await admitted_pair(signaling.url, consult)
    stranger = await Client.open(
        signaling.url, f"/ws/consults/{consult.id}", consult.token("patient", user_id=uuid.uuid4())
    )
    error = await stranger.expect("error")
    assert error["code"] == "seat_taken"
    assert error["close_code"] == 4403
    assert await stranger.expect_close() == 4403

    # Not even into an empty seat: the seat stays bound to the patient it first seated.
    await patient.close()
    await psychiatrist.expect("presence", present=False)
    again = await Client.open(
        signaling.url, f"/ws/consults/{consult.id}", consult.token("patient", user_id=uuid.uuid4())
    )
    assert await again.expect_close() == 4403
    assert not [m for m in psychiatrist.seen if m["type"] == "presence" and m["present"] and m["role"] == "patient"][1:]
    back, joined = await seated(signaling.url, consult, "patient")
    assert joined["room"] == "admitted"
    await back.close()
    await psychiatrist.close()


async def test_chat_is_relayed_to_both_parties_with_one_id(signaling: ServerProcess, consult: Consult) -> None:
    patient, _ = await seated(signaling.url, consult, "patient")
    await patient.send({"type": "chat", "text": "hello?"})
    assert (await patient.expect("error"))["code"] == "not_admitted"
    await patient.close()

    patient, psychiatrist = await admitted_pair(signaling.url, consult)
    await patient.send({"type": "chat", "text": "Can you hear me?", "client_id": "c1"})
    mine = await patient.expect("chat")
    theirs = await psychiatrist.expect("chat")
    assert mine == theirs
    assert mine["sender"] == "patient"
    assert mine["text"] == "Can you hear me?"
    assert mine["client_id"] == "c1"
    uuid.UUID(mine["id"])
    await patient.close()
    await psychiatrist.close()


async def test_leaving_tells_the_other_party(signaling: ServerProcess, consult: Consult) -> None:
    patient, psychiatrist = await admitted_pair(signaling.url, consult)
    await patient.send({"type": "leave"})
    assert await patient.expect_close() == 1000
    left = await psychiatrist.expect("presence")
    assert left == {"type": "presence", "role": "patient", "present": False, "reason": "left"}
    await psychiatrist.close()


async def test_the_psychiatrist_ends_the_consult_for_both_and_nobody_rejoins(
    signaling: ServerProcess, consult: Consult
) -> None:
    patient, psychiatrist = await admitted_pair(signaling.url, consult)
    await patient.send({"type": "end"})
    assert (await patient.expect("error"))["code"] == "forbidden"
    await psychiatrist.send({"type": "end"})
    for client in (patient, psychiatrist):
        assert (await client.expect("ended"))["reason"] == "ended_by_psychiatrist"
        assert await client.expect_close() == 4000
    for role in SeatRole:
        late = await Client.open(signaling.url, f"/ws/consults/{consult.id}", consult.token(role))
        assert (await late.expect("error"))["code"] == "consult_ended"
        assert await late.expect_close() == 4410
