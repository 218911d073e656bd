"""The embedded run's local SMTP server: mail lands in var/mailbox, shown on /dev/mailbox."""

from __future__ import annotations

import mailbox
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller


class _MaildirHandler:
    def __init__(self, path: Path) -> None:
        self.box = mailbox.Maildir(path, create=True)

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        self.box.add(envelope.original_content or envelope.content)
        return "250 Message accepted"


def start_local_smtp(path: Path, host: str, port: int) -> Controller:
    controller = Controller(_MaildirHandler(path), hostname=host, port=port)
    controller.start()
    return controller


def read_mailbox(path: Path) -> list[tuple[str, EmailMessage]]:
    """(key, message) newest first."""
    box = mailbox.Maildir(path, create=True)
    items: list[tuple[str, EmailMessage, float]] = []
    for key in box.keys():
        mdmsg = box.get_message(key)
        parsed = message_from_bytes(mdmsg.as_bytes(), policy=policy.default)
        if not isinstance(parsed, EmailMessage):
            continue
        items.append((key, parsed, mdmsg.get_date()))
    items.sort(key=lambda t: t[2], reverse=True)
    return [(k, m) for k, m, _ in items]
