from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from services.api.core.schemas import RequestBody, ResponseBody
from services.api.patients.fields import Note

TaskKind = Literal["phq9_item9", "intake_suicidal_ideation"]
TaskStatus = Literal["open", "acknowledged"]


class CrisisResources(ResponseBody):
    """Shown to the patient at once, before anything else on the page."""

    phone: str
    text: str
    language: Literal["en", "es"]


class SafetyTaskRead(ResponseBody):
    id: uuid.UUID
    patient_id: uuid.UUID
    patient_name: str
    patient_phone: str | None = Field(description="So the psychiatrist can call the patient straight away.")
    kind: TaskKind
    priority: int = Field(description="0 is the most urgent; inboxes list it first.")
    source_type: str
    source_id: uuid.UUID
    detail: dict[str, Any] = Field(description="What triggered the task, e.g. the item 9 answer and the total.")
    status: TaskStatus
    created_at: datetime
    due_at: datetime
    overdue: bool
    assigned_to_me: bool
    acknowledged_by: uuid.UUID | None
    acknowledged_at: datetime | None
    acknowledgement_note: str | None


class Acknowledge(RequestBody):
    note: Note = Field(description="What was done: who was contacted, the safety assessment, the plan.")


class SafetyCounts(ResponseBody):
    """Counts for administrators: no patients, no content."""

    open: int
    overdue: int
    acknowledged: int
    open_by_kind: dict[str, int]
