from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.api.core.db import Base, IdMixin


class SafetyTask(IdMixin, Base):
    """An urgent item for the care team (e.g. PHQ-9 item 9 above 0); open until a psychiatrist
    acknowledges it with a note. Never deleted."""

    __tablename__ = "safety_tasks"
    __table_args__ = (Index("ix_safety_tasks_status_priority_created_at", "status", "priority", "created_at"),)

    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.user_id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    priority: Mapped[int] = mapped_column(Integer)  # 0 comes first in every inbox
    source_type: Mapped[str] = mapped_column(String(30))
    source_id: Mapped[uuid.UUID]
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[datetime]
    due_at: Mapped[datetime]
    acknowledged_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    acknowledged_at: Mapped[datetime | None]
    acknowledgement_note: Mapped[str | None] = mapped_column(Text)


class SafetyTaskAssignee(IdMixin, Base):
    """Who a task was routed to when it opened: the care team, or every psychiatrist if none."""

    __tablename__ = "safety_task_assignees"
    __table_args__ = (UniqueConstraint("task_id", "psychiatrist_id"),)

    task_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("safety_tasks.id", ondelete="CASCADE"), index=True)
    psychiatrist_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    routed_because: Mapped[str] = mapped_column(String(20))
