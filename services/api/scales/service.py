"""Rating scales: scored on the server, kept as answered, never edited (only superseded);
an urgent answer opens a safety task in the same transaction as the result."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from services.api.audit import service as audit
from services.api.config import Settings
from services.api.core.context import Actor, RequestContext, Role
from services.api.core.errors import Conflict, FieldError, NotFound, Unprocessable
from services.api.patients.models import Patient
from services.api.patients.service import patient_service, patient_today
from services.api.safety.service import safety_service
from services.api.scales import definitions
from services.api.scales.definitions import ScaleDefinition
from services.api.scales.models import ScaleAssignment, ScaleResult
from services.api.scales.repository import scale_repository
from services.api.scales.schemas import (
    AssignmentCreate,
    AssignmentRead,
    BandRead,
    ChoiceRead,
    ClinicianScaleEntry,
    ItemRead,
    ScaleAnswers,
    ScaleDefinitionRead,
    ScaleResultRead,
    ScaleSubmitted,
)
from services.common.clock import utcnow

MAX_DUE_DAYS = 366


class ScaleNotFound(NotFound):
    title = "Scale not found"


class ScaleAnswersInvalid(Unprocessable):
    title = "Some answers need attention"
    type_slug = "scale-answers"


class AssignmentNotFound(NotFound):
    title = "Scale request not found"


class AssignmentAlreadyCompleted(Conflict):
    title = "This scale request is already completed"
    type_slug = "assignment-completed"


class ResultNotFound(NotFound):
    title = "Result not found"


class ResultAlreadySuperseded(Conflict):
    title = "This result is already corrected"
    type_slug = "result-superseded"


def definition_read(d: ScaleDefinition, language: str) -> ScaleDefinitionRead:
    return ScaleDefinitionRead(
        code=d.code,
        version=d.version,
        language=language,
        name=d.name[language],
        instructions=d.instructions[language],
        loinc=d.loinc,
        items=[ItemRead(number=i.number, text=i.text[language]) for i in d.items],
        choices=[ChoiceRead(value=c.value, label=c.label[language]) for c in d.choices],
        bands=[BandRead(low=b.low, high=b.high, code=b.code, label=b.label[language]) for b in d.bands],
        max_total=d.max_total,
        urgent_items=list(d.urgent_items),
    )


def score(d: ScaleDefinition, answers: dict[str, int]) -> tuple[int, str | None, bool]:
    """Check every item is answered once within range, then total, band and urgency.

    Raises ScaleAnswersInvalid naming each item that is missing, unknown or out of range.
    """
    problems: list[FieldError] = []
    numbers = {str(i.number): i for i in d.items}
    for key in answers:
        if key not in numbers:
            problems.append(
                FieldError(
                    field=f"body.answers.{key}",
                    message=f"{d.name['en']} has no item {key} (items 1–{len(d.items)}).",
                    code="unknown_item",
                )
            )
    for key, item in numbers.items():
        if key not in answers:
            problems.append(
                FieldError(
                    field=f"body.answers.{key}",
                    message=f"Answer item {key}: “{item.text['en']}”.",
                    code="missing",
                )
            )
        elif not d.min_value <= answers[key] <= d.max_value:
            problems.append(
                FieldError(
                    field=f"body.answers.{key}",
                    message=f"Item {key} takes an answer from {d.min_value} to {d.max_value}.",
                    code="out_of_range",
                )
            )
    if problems:
        raise ScaleAnswersInvalid("; ".join(f"{p.field}: {p.message}" for p in problems[:5]), errors=problems)
    total = sum(answers[k] for k in numbers)
    band = d.band_for(total)
    urgent = any(answers[str(n)] > 0 for n in d.urgent_items)
    return total, band.code if band else None, urgent


class ScaleService:
    # --- definitions ----------------------------------------------------------------------
    def definitions(self, language: str) -> list[ScaleDefinitionRead]:
        return [definition_read(definitions.current(code), language) for code in definitions.SCALES]

    def definition(self, code: str, language: str, version: str | None = None) -> ScaleDefinitionRead:
        d = definitions.version(code, version) if version else definitions.current(code)
        if d is None:
            raise ScaleNotFound(f"{code} has no version {version}.")
        return definition_read(d, language)

    # --- results --------------------------------------------------------------------------
    def _result_read(self, r: ScaleResult, settings: Settings, superseded: bool) -> ScaleResultRead:
        d = definitions.version(r.scale, r.scale_version) or definitions.current(r.scale)
        band = next((b for b in d.bands if b.code == r.band), None)
        threshold: int | None = getattr(settings, d.entry_setting) if d.entry_setting else None
        return ScaleResultRead(
            id=r.id,
            patient_id=r.patient_id,
            scale=r.scale,
            scale_version=r.scale_version,
            language=r.language,
            answers=r.answers,
            total=r.total,
            max_total=d.max_total,
            band=r.band,
            band_label=band.label.get(r.language, band.label["en"]) if band else None,
            urgent=r.urgent,
            entered_by=r.entered_by_role,
            entered_by_id=r.entered_by_id,
            entered_at=r.entered_at,
            supersedes_id=r.supersedes_id,
            superseded=superseded,
            correction_reason=r.correction_reason,
            program_entry_threshold=threshold,
            meets_program_entry=None if threshold is None else r.total >= threshold,
        )

    async def record(
        self,
        session: AsyncSession,
        ctx: RequestContext,
        actor: Actor,
        patient_id: uuid.UUID,
        body: ScaleAnswers,
        settings: Settings,
    ) -> ScaleSubmitted:
        """Score and keep a result; an urgent answer opens a safety task in this same transaction."""
        await patient_service.ensure_may_view_chart(session, actor, patient_id)
        d = definitions.current(body.scale)
        total, band, urgent = score(d, body.answers)
        assignment = await self._assignment_for(session, patient_id, body)
        supersedes: ScaleResult | None = None
        if isinstance(body, ClinicianScaleEntry) and body.supersedes_id is not None:
            supersedes = await self._correctable(session, patient_id, body, body.supersedes_id)
        now = utcnow()
        result = ScaleResult(
            patient_id=patient_id,
            scale=d.code,
            scale_version=d.version,
            language=body.language,
            answers={str(i.number): body.answers[str(i.number)] for i in d.items},
            total=total,
            band=band,
            urgent=urgent,
            entered_by_role="patient" if actor.role == Role.patient else "clinician",
            entered_by_id=actor.user_id,
            entered_at=now,
            supersedes_id=supersedes.id if supersedes else None,
            correction_reason=body.correction_reason if isinstance(body, ClinicianScaleEntry) else None,
        )
        await scale_repository.add(session, result)
        if assignment is not None and not await scale_repository.complete_assignment(
            session, assignment.id, result_id=result.id, at=now
        ):
            if body.assignment_id is not None:
                raise AssignmentAlreadyCompleted()
            assignment = None  # answered by another result just now; this one stands on its own
        audit.record(
            session,
            ctx,
            action="scale.result_recorded",
            subject_type="scale_result",
            subject_id=result.id,
            patient_id=patient_id,
            detail={
                "scale": d.code,
                "version": d.version,
                "urgent": urgent,
                "assignment_id": str(assignment.id) if assignment else None,
                "supersedes_id": str(supersedes.id) if supersedes else None,
            },
        )
        crisis = None
        if urgent:
            await safety_service.open_task(
                session,
                ctx,
                settings,
                patient_id=patient_id,
                kind=f"{d.code}_item{d.urgent_items[0]}",
                source_type="scale_result",
                source_id=result.id,
                detail={
                    "scale": d.code,
                    "total": total,
                    "band": band,
                    "items": {str(n): body.answers[str(n)] for n in d.urgent_items},
                },
            )
            crisis = safety_service.crisis_resources(settings, body.language)
        return ScaleSubmitted(
            result=self._result_read(result, settings, superseded=False),
            crisis_resources=crisis,
            care_team_notified=urgent,
        )

    async def _assignment_for(
        self, session: AsyncSession, patient_id: uuid.UUID, body: ScaleAnswers
    ) -> ScaleAssignment | None:
        if body.assignment_id is None:
            return await scale_repository.earliest_open_assignment(session, patient_id, body.scale)
        assignment = await scale_repository.assignment(session, body.assignment_id)
        if assignment is None or assignment.patient_id != patient_id:
            raise AssignmentNotFound()
        if assignment.scale != body.scale:
            raise Unprocessable.on_field(
                "body.assignment_id", f"That request is for {assignment.scale}, not {body.scale}."
            )
        if assignment.completed_at is not None:
            raise AssignmentAlreadyCompleted()
        return assignment

    async def _correctable(
        self, session: AsyncSession, patient_id: uuid.UUID, body: ClinicianScaleEntry, supersedes_id: uuid.UUID
    ) -> ScaleResult:
        earlier = await scale_repository.result(session, supersedes_id)
        if earlier is None or earlier.patient_id != patient_id:
            raise ResultNotFound("No result of this patient has that id.")
        if earlier.scale != body.scale:
            raise Unprocessable.on_field("body.supersedes_id", f"That result is a {earlier.scale}, not a {body.scale}.")
        if await scale_repository.superseded_among(session, [earlier.id]):
            raise ResultAlreadySuperseded("Correct the latest version of this result instead.")
        return earlier

    async def list_results(
        self,
        session: AsyncSession,
        ctx: RequestContext,
        actor: Actor,
        patient_id: uuid.UUID,
        settings: Settings,
        *,
        scale: str | None,
        include_superseded: bool,
        offset: int,
        limit: int,
    ) -> tuple[list[ScaleResultRead], int]:
        await patient_service.ensure_may_view_chart(session, actor, patient_id)
        rows, total = await scale_repository.results_page(
            session, patient_id, scale, include_superseded=include_superseded, offset=offset, limit=limit
        )
        superseded = await scale_repository.superseded_among(session, [r.id for r in rows])
        audit.record(
            session,
            ctx,
            action="scale.results_read",
            subject_type="scale_result",
            patient_id=patient_id,
            detail={"scale": scale, "count": len(rows)},
        )
        return [self._result_read(r, settings, r.id in superseded) for r in rows], total

    async def results_for(
        self, session: AsyncSession, patient_id: uuid.UUID, scale: str | None = None
    ) -> list[ScaleResult]:
        """A patient's results, oldest first, without those a later result corrects (for trends)."""
        return list(await scale_repository.results(session, patient_id, scale))

    # --- sending a scale to a patient -------------------------------------------------------
    def _assignment_read(self, a: ScaleAssignment, patient: Patient) -> AssignmentRead:
        today = patient_today(patient)
        status = "completed" if a.completed_at else ("overdue" if a.due_on < today else "due")
        return AssignmentRead(
            id=a.id,
            patient_id=a.patient_id,
            scale=a.scale,
            scale_name=definitions.current(a.scale).name.get(patient.language, definitions.current(a.scale).name["en"]),
            due_on=a.due_on,
            note=a.note,
            assigned_by=a.assigned_by,
            assigned_at=a.assigned_at,
            status=status,
            completed_at=a.completed_at,
            result_id=a.result_id,
        )

    async def assign(
        self, session: AsyncSession, ctx: RequestContext, actor: Actor, patient_id: uuid.UUID, body: AssignmentCreate
    ) -> AssignmentRead:
        patient = await patient_service.ensure_may_view_chart(session, actor, patient_id)
        today = patient_today(patient)
        if body.due_on < today:
            raise Unprocessable.on_field("body.due_on", "Choose today or a later day (the patient's calendar).")
        if body.due_on > today + timedelta(days=MAX_DUE_DAYS):
            raise Unprocessable.on_field("body.due_on", "Choose a day within the next year.")
        a = ScaleAssignment(
            patient_id=patient_id,
            scale=body.scale,
            due_on=body.due_on,
            note=body.note,
            assigned_by=actor.user_id,
            assigned_at=utcnow(),
        )
        await scale_repository.add(session, a)
        audit.record(
            session,
            ctx,
            action="scale.assigned",
            subject_type="scale_assignment",
            subject_id=a.id,
            patient_id=patient_id,
            detail={"scale": body.scale, "due_on": body.due_on.isoformat()},
        )
        return self._assignment_read(a, patient)

    async def assignments(
        self, session: AsyncSession, ctx: RequestContext, actor: Actor, patient_id: uuid.UUID, *, open_only: bool
    ) -> list[AssignmentRead]:
        patient = await patient_service.ensure_may_view_chart(session, actor, patient_id)
        rows: Sequence[ScaleAssignment] = await scale_repository.assignments(session, patient_id, open_only=open_only)
        audit.record(
            session,
            ctx,
            action="scale.assignments_read",
            subject_type="scale_assignment",
            patient_id=patient_id,
            detail={"count": len(rows)},
        )
        return [self._assignment_read(a, patient) for a in rows]


scale_service = ScaleService()
