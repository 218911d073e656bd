"""The audit log: `record()` in the same transaction as the change; `verify()` the chain.

Entries are queued on the session and written just before it commits (a `before_commit`
hook), which keeps the chain locked for the shortest time. The chain's newest hash lives in
one row (`audit_chain_head`); appending updates that row, whose row lock orders writers so the
chain never forks, and holds until commit. On PostgreSQL a single entry (the usual case) is
appended in one statement: the UPDATE of the head computes the new hash with `sha256()` from
the head as it is once the lock is granted (a waiting UPDATE re-reads the committed row), and
the same statement inserts the entry. Several entries take three statements: lock the head
(SELECT ... FOR UPDATE), insert them chained in Python, move the head. SQLite transactions
already hold the single write lock (BEGIN IMMEDIATE) and take the three-statement path.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Uuid, bindparam, event, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from services.api.audit.models import AuditChainHead, AuditEntry
from services.api.core.context import RequestContext
from services.api.core.db import UTCDateTime
from services.common.clock import utcnow

GENESIS = "0" * 64
_PENDING = "halcyon_audit_pending"
_HEAD = 1  # the id of the chain head's only row

# PostgreSQL, one entry, one round trip. In `SET`, `hash` on the right is the head before this
# update; `sha256(prev || canonical)` is `_digest` in SQL (the canonical JSON is ASCII).
_APPEND_ONE = text(
    """
    WITH head AS (
        UPDATE audit_chain_head
           SET prev_hash = hash,
               hash = encode(sha256(convert_to(hash || CAST(:canonical AS TEXT), 'UTF8')), 'hex')
         WHERE id = 1
     RETURNING prev_hash, hash
    )
    INSERT INTO audit_log
        (at, actor_id, actor_role, action, subject_type, subject_id, patient_id, request_id, ip, detail,
         prev_hash, hash)
    SELECT CAST(:at AS TIMESTAMP WITH TIME ZONE), CAST(:actor_id AS UUID), CAST(:actor_role AS VARCHAR),
           CAST(:action AS VARCHAR), CAST(:subject_type AS VARCHAR), CAST(:subject_id AS VARCHAR),
           CAST(:patient_id AS UUID), CAST(:request_id AS VARCHAR), CAST(:ip AS VARCHAR), CAST(:detail AS JSON),
           head.prev_hash, head.hash
      FROM head
    RETURNING id
    """
).bindparams(
    bindparam("at", type_=UTCDateTime()),
    bindparam("actor_id", type_=Uuid()),
    bindparam("patient_id", type_=Uuid()),
    bindparam("detail", type_=JSON()),
)


class ChainHeadMissing(RuntimeError):
    """The audit chain's head row is gone: nothing can be audited, so nothing is written."""


def _digest(prev_hash: str, row: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + _canonical(row)).encode()).hexdigest()


def _row_fields(e: AuditEntry) -> dict[str, Any]:
    return {
        "at": e.at.isoformat(),
        "actor_id": str(e.actor_id) if e.actor_id else None,
        "actor_role": e.actor_role,
        "action": e.action,
        "subject_type": e.subject_type,
        "subject_id": e.subject_id,
        "patient_id": str(e.patient_id) if e.patient_id else None,
        "request_id": e.request_id,
        "ip": e.ip,
        "detail": e.detail or {},
    }


def record(
    session: AsyncSession,
    ctx: RequestContext | None,
    *,
    action: str,
    subject_type: str,
    subject_id: uuid.UUID | str | None = None,
    patient_id: uuid.UUID | None = None,
    actor_id: uuid.UUID | None = None,
    actor_role: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Queue an audit entry; it is written in this transaction or not at all.

    `detail` must hold ids and codes only: no names, answers or free text.
    """
    actor = ctx.actor if ctx else None
    entry = AuditEntry(
        at=utcnow(),
        actor_id=actor_id or (actor.user_id if actor else None),
        actor_role=actor_role or (actor.role.value if actor else None),
        action=action,
        subject_type=subject_type,
        subject_id=str(subject_id) if subject_id is not None else None,
        patient_id=patient_id,
        request_id=ctx.request_id if ctx else None,
        ip=ctx.ip if ctx else None,
        detail=detail or {},
        prev_hash="",
        hash="",
    )
    session.sync_session.info.setdefault(_PENDING, []).append(entry)


def _canonical(row: dict[str, Any]) -> str:
    return json.dumps(row, sort_keys=True, separators=(",", ":"), default=str)


def _write_pending(session: Session) -> None:
    pending: list[AuditEntry] = session.info.pop(_PENDING, [])
    if not pending:
        return
    if len(pending) == 1 and session.get_bind().dialect.name == "postgresql":
        e = pending[0]
        fields = _row_fields(e)
        written = session.execute(
            _APPEND_ONE,
            {
                "canonical": _canonical(fields),
                "at": e.at,
                "actor_id": e.actor_id,
                "actor_role": e.actor_role,
                "action": e.action,
                "subject_type": e.subject_type,
                "subject_id": e.subject_id,
                "patient_id": e.patient_id,
                "request_id": e.request_id,
                "ip": e.ip,
                "detail": fields["detail"],
            },
        ).scalar()
        if written is None:
            raise ChainHeadMissing("audit_chain_head has no row: restore it before writing (see the migration)")
        return
    # Several entries (or SQLite): lock the head, chain the entries from it, move it.
    head = session.execute(select(AuditChainHead.hash).where(AuditChainHead.id == _HEAD).with_for_update()).scalar()
    if head is None:
        raise ChainHeadMissing("audit_chain_head has no row: restore it before writing (see the migration)")
    prev = head
    for entry in pending:
        entry.prev_hash = prev
        entry.hash = _digest(prev, _row_fields(entry))
        prev = entry.hash
        session.add(entry)
    session.flush()
    session.execute(
        update(AuditChainHead).where(AuditChainHead.id == _HEAD).values(hash=prev, prev_hash=pending[-1].prev_hash)
    )


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    _write_pending(session)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


async def flush_pending(session: AsyncSession) -> None:
    """Write queued entries now (used by code that reads the log in the same transaction)."""
    await session.run_sync(_write_pending)


@dataclass(slots=True)
class ChainReport:
    checked: int
    ok: bool
    first_bad_id: int | None = None
    reason: str | None = None


async def verify_chain(session: AsyncSession, *, batch: int = 5000) -> ChainReport:
    """Walk the chain from the genesis; it must link row to row and reach the recorded head.

    The head is read first: entries appended while the walk runs come after it, so the walk
    must pass the head's hash somewhere; if it never does, the newest entries were removed.
    """
    head = await session.scalar(select(AuditChainHead.hash).where(AuditChainHead.id == _HEAD))
    if head is None:
        return ChainReport(0, False, None, "the chain head is missing (audit_chain_head was emptied)")
    reached_head = head == GENESIS
    prev = GENESIS
    checked = 0
    last_id = 0
    while True:
        rows = (
            await session.scalars(
                select(AuditEntry).where(AuditEntry.id > last_id).order_by(AuditEntry.id).limit(batch)
            )
        ).all()
        if not rows:
            if not reached_head:
                return ChainReport(
                    checked, False, None, "the newest entries were removed (the chain ends before its recorded head)"
                )
            return ChainReport(checked=checked, ok=True)
        for e in rows:
            if e.prev_hash != prev:
                return ChainReport(checked, False, e.id, "previous-hash link broken (row removed or reordered)")
            if _digest(prev, _row_fields(e)) != e.hash:
                return ChainReport(checked, False, e.id, "row content does not match its hash (row altered)")
            prev = e.hash
            checked += 1
            last_id = e.id
            reached_head = reached_head or e.hash == head


async def search(
    session: AsyncSession,
    *,
    action: str | None,
    actor_id: uuid.UUID | None,
    patient_id: uuid.UUID | None,
    since: datetime | None,
    until: datetime | None,
    offset: int,
    limit: int,
) -> tuple[Sequence[AuditEntry], int]:
    stmt = select(AuditEntry)
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    if actor_id:
        stmt = stmt.where(AuditEntry.actor_id == actor_id)
    if patient_id:
        stmt = stmt.where(AuditEntry.patient_id == patient_id)
    if since:
        stmt = stmt.where(AuditEntry.at >= since)
    if until:
        stmt = stmt.where(AuditEntry.at < until)
    total = await session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = (await session.scalars(stmt.order_by(AuditEntry.id.desc()).offset(offset).limit(limit))).all()
    return rows, int(total or 0)
