"""The audit log: `record()` in the same transaction as the change; `verify()` the chain.

Entries are queued on the session and written just before it commits (a `before_commit`
hook), which keeps the chain lock held for the shortest time. On PostgreSQL a transaction-
scoped advisory lock orders writers so the chain never forks; SQLite transactions already
hold the single write lock (BEGIN IMMEDIATE).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import event, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from services.api.audit.models import AuditEntry
from services.api.core.context import RequestContext
from services.common.clock import utcnow

GENESIS = "0" * 64
_PENDING = "halcyon_audit_pending"
_ADVISORY_KEY = 0x4A1C0A0D  # arbitrary constant naming "the audit chain"


def _digest(prev_hash: str, row: dict[str, Any]) -> str:
    canonical = json.dumps(row, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()


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


def _write_pending(session: Session) -> None:
    pending: list[AuditEntry] = session.info.pop(_PENDING, [])
    if not pending:
        return
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _ADVISORY_KEY})
    prev = session.execute(select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)).scalar()
    prev = prev or GENESIS
    for entry in pending:
        entry.prev_hash = prev
        entry.hash = _digest(prev, _row_fields(entry))
        prev = entry.hash
        session.add(entry)
    session.flush()


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
            return ChainReport(checked=checked, ok=True)
        for e in rows:
            if e.prev_hash != prev:
                return ChainReport(checked, False, e.id, "previous-hash link broken (row removed or reordered)")
            if _digest(prev, _row_fields(e)) != e.hash:
                return ChainReport(checked, False, e.id, "row content does not match its hash (row altered)")
            prev = e.hash
            checked += 1
            last_id = e.id


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
