"""Safety tasks: urgent answers (thoughts of self-harm) routed to psychiatrists in the same
transaction as the answer, open until a psychiatrist acknowledges them with a note."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.api.audit import service as audit
from services.api.config import Settings
from services.api.core.context import Actor, RequestContext
from services.api.core.errors import Conflict, Forbidden, NotFound
from services.api.patients.service import patient_service
from services.api.safety.models import SafetyTask
from services.api.safety.repository import safety_repository
from services.api.safety.schemas import CrisisResources, SafetyCounts, SafetyTaskRead
from services.common.clock import utcnow

# Lower comes first in every inbox: a self-harm answer on the PHQ-9 outranks everything.
KIND_PRIORITY: dict[str, int] = {"phq9_item9": 0, "intake_suicidal_ideation": 1}


class SafetyTaskNotFound(NotFound):
    title = "Safety task not found"


class SafetyTaskAlreadyAcknowledged(Conflict):
    title = "This safety task is already acknowledged"
    type_slug = "safety-task-acknowledged"


class SafetyService:
    def crisis_resources(self, settings: Settings, language: str) -> CrisisResources:
        text = settings.crisis_resources_text_es if language == "es" else settings.crisis_resources_text
        return CrisisResources(phone=settings.crisis_line_phone, text=text, language="es" if language == "es" else "en")

    async def open_task(
        self,
        session: AsyncSession,
        ctx: RequestContext | None,
        settings: Settings,
        *,
        patient_id: uuid.UUID,
        kind: str,
        source_type: str,
        source_id: uuid.UUID,
        detail: dict[str, Any],
    ) -> SafetyTask:
        """Open a task for the patient's care team, or every psychiatrist when there is none.

        Runs in the caller's transaction: if the task cannot be written, neither is what triggered it.
        """
        team = await patient_service.care_team_ids(session, patient_id)
        if team:
            assignees = [(pid, "care_team") for pid in team]
        else:
            assignees = [(pid, "no_care_team") for pid in await patient_service.active_psychiatrist_ids(session)]
        now = utcnow()
        task = SafetyTask(
            patient_id=patient_id,
            kind=kind,
            priority=KIND_PRIORITY[kind],
            source_type=source_type,
            source_id=source_id,
            detail=detail,
            status="open",
            created_at=now,
            due_at=now + timedelta(hours=settings.safety_task_due_hours),
        )
        await safety_repository.add(session, task, assignees)
        audit.record(
            session,
            ctx,
            action="safety.task_opened",
            subject_type="safety_task",
            subject_id=task.id,
            patient_id=patient_id,
            detail={"kind": kind, "assignees": len(assignees), "routed": assignees[0][1] if assignees else "nobody"},
        )
        return task

    async def _read(
        self, session: AsyncSession, tasks: Sequence[SafetyTask], actor: Actor | None
    ) -> list[SafetyTaskRead]:
        cards = await patient_service.contact_cards(session, [t.patient_id for t in tasks])
        mine = await safety_repository.assigned_among(session, [t.id for t in tasks], actor.user_id) if actor else set()
        now = utcnow()
        return [
            SafetyTaskRead(
                id=t.id,
                patient_id=t.patient_id,
                patient_name=cards.get(t.patient_id, ("", None))[0],
                patient_phone=cards.get(t.patient_id, ("", None))[1],
                kind=t.kind,
                priority=t.priority,
                source_type=t.source_type,
                source_id=t.source_id,
                detail=t.detail,
                status=t.status,
                created_at=t.created_at,
                due_at=t.due_at,
                overdue=t.status == "open" and t.due_at < now,
                assigned_to_me=t.id in mine,
                acknowledged_by=t.acknowledged_by,
                acknowledged_at=t.acknowledged_at,
                acknowledgement_note=t.acknowledgement_note,
            )
            for t in tasks
        ]

    async def inbox(
        self,
        session: AsyncSession,
        ctx: RequestContext,
        actor: Actor,
        *,
        status: str | None,
        offset: int,
        limit: int,
    ) -> tuple[list[SafetyTaskRead], int]:
        """Tasks routed to me or about my care-team patients: open first, most urgent first, oldest first."""
        tasks, total = await safety_repository.inbox(session, actor.user_id, status=status, offset=offset, limit=limit)
        for patient_id in dict.fromkeys(t.patient_id for t in tasks):
            audit.record(
                session,
                ctx,
                action="safety.tasks_read",
                subject_type="safety_task",
                patient_id=patient_id,
                detail={"tasks": [str(t.id) for t in tasks if t.patient_id == patient_id]},
            )
        return await self._read(session, tasks, actor), total

    async def for_patient(
        self, session: AsyncSession, ctx: RequestContext, actor: Actor, patient_id: uuid.UUID
    ) -> list[SafetyTaskRead]:
        await patient_service.ensure_may_view_chart(session, actor, patient_id)
        tasks = await safety_repository.for_patient(session, patient_id)
        audit.record(
            session, ctx, action="safety.tasks_read", subject_type="safety_task", patient_id=patient_id, detail={}
        )
        return await self._read(session, tasks, actor)

    async def acknowledge(
        self, session: AsyncSession, ctx: RequestContext, actor: Actor, task_id: uuid.UUID, note: str
    ) -> SafetyTaskRead:
        task = await safety_repository.get(session, task_id)
        if task is None:
            raise SafetyTaskNotFound()
        assigned = actor.user_id in await safety_repository.assignee_ids(session, task_id)
        if not assigned and not await patient_service.may_view_chart(session, actor, task.patient_id):
            raise Forbidden("This task is for another care team.")
        if task.status != "open":
            raise SafetyTaskAlreadyAcknowledged()
        if not await patient_service.may_view_chart(session, actor, task.patient_id):
            # Routed to every psychiatrist because the patient had no care team: whoever takes
            # responsibility for the crisis joins the care team, so they can open the chart.
            await patient_service.add_to_care_team(
                session, patient_id=task.patient_id, psychiatrist_id=actor.user_id, reason="safety_task"
            )
        if not await safety_repository.acknowledge(session, task.id, by=actor.user_id, at=utcnow(), note=note):
            raise SafetyTaskAlreadyAcknowledged()
        await session.refresh(task)
        audit.record(
            session,
            ctx,
            action="safety.task_acknowledged",
            subject_type="safety_task",
            subject_id=task.id,
            patient_id=task.patient_id,
            detail={"kind": task.kind},
        )
        return (await self._read(session, [task], actor))[0]

    async def counts(self, session: AsyncSession) -> SafetyCounts:
        """How many tasks are open, overdue and done: for administrators, without any patient."""
        c = await safety_repository.counts(session, utcnow())
        return SafetyCounts(**c, open_by_kind=await safety_repository.open_by_kind(session))

    async def open_tasks(self, session: AsyncSession, patient_id: uuid.UUID) -> list[SafetyTask]:
        """Open tasks of one patient (for other domains that must not hide them)."""
        return list(await safety_repository.for_patient(session, patient_id, status="open"))


safety_service = SafetyService()
