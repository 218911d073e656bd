"""A real SMTP server (aiosmtpd) on loopback that the tests' outbox worker delivers to."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from tests.support.ports import free_port as free_port  # where the tests have long imported it from


@dataclass
class ReceivedMail:
    to: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def text(self) -> str:
        body = self.message.get_body(preferencelist=("plain",))
        return body.get_content() if body is not None else ""

    def link(self, path: str) -> str:
        match = re.search(rf"https?://\S+{re.escape(path)}\?token=[A-Za-z0-9_\-%]+", self.text)
        assert match, f"no {path} link in mail {self.subject!r}:\n{self.text}"
        return match.group(0)

    def token(self, path: str) -> str:
        return self.link(path).split("token=", 1)[1]


@dataclass
class _Handler:
    received: list[ReceivedMail] = field(default_factory=list)

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        msg = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        assert isinstance(msg, EmailMessage)
        self.received.append(ReceivedMail(to=list(envelope.rcpt_tos), message=msg))
        return "250 OK"


class SmtpSink:
    def __init__(self) -> None:
        self.port = free_port()
        self.handler = _Handler()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()

    def to(self, address: str) -> list[ReceivedMail]:
        return [m for m in self.handler.received if address.lower() in (a.lower() for a in m.to)]
