"""Development only: the embedded run's local mailbox, so a user can click e-mailed links."""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from email.utils import parsedate_to_datetime

from fastapi import Request

from services.api.core.errors import NotFound, Unprocessable, responses
from services.api.core.routing import APIRouter
from services.api.core.schemas import ResponseBody
from services.api.notifications.local_smtp import read_mailbox

router = APIRouter(prefix="/api/dev/mailbox", tags=["dev"])


class MailSummary(ResponseBody):
    id: str
    to: str
    subject: str
    received_at: datetime | None


class MailList(ResponseBody):
    items: list[MailSummary]


class MailRead(MailSummary):
    text: str


def _summary(key: str, msg: EmailMessage) -> dict[str, object]:
    date = msg.get("Date")
    return {
        "id": key,
        "to": str(msg.get("To", "")),
        "subject": str(msg.get("Subject", "")),
        "received_at": parsedate_to_datetime(date) if date else None,
    }


@router.get("", response_model=MailList)
async def list_mail(request: Request) -> MailList:
    """Messages the local SMTP server received (development only), newest first."""
    box = request.app.state.settings.var_dir / "mailbox"
    return MailList(items=[MailSummary(**_summary(k, m)) for k, m in read_mailbox(box)[:200]])


@router.get("/{message_id}", response_model=MailRead, responses=responses(NotFound, Unprocessable))
async def read_mail(message_id: str, request: Request) -> MailRead:
    """One received message with its text (development only)."""
    box = request.app.state.settings.var_dir / "mailbox"
    for key, msg in read_mailbox(box):
        if key == message_id:
            body = msg.get_body(preferencelist=("plain",))
            text = body.get_content() if body is not None else ""
            return MailRead(**_summary(key, msg), text=text)
    raise NotFound("No such message in the local mailbox.")
