"""Intake (saved part-way, resumed, submitted) and contraindication screening by a versioned rule set."""

from __future__ import annotations

import copy
import uuid
from typing import Any

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.audit import service as audit
from services.api.config import Settings
from services.api.core.context import Actor, RequestContext
from services.api.core.errors import Conflict, FieldError, NotFound, Unprocessable
from services.api.patients.service import age_on, patient_service, patient_today
from services.api.safety.service import safety_service
from services.api.screening.models import Intake, ScreeningFlag
from services.api.screening.repository import screening_repository
from services.api.screening.rules import MISSING, RULE_SET, evaluate, lookup
from services.api.screening.schemas import (
    ClinicianIntakeRead,
    FlagRead,
    FlagReview,
    IntakeAnswers,
    IntakeRead,
    IntakeSubmitted,
    RuleRead,
    RuleSetRead,
)
from services.common.clock import utcnow

FORM_VERSION = "2026.11"

# Answers a submitted intake must have. An empty list is an answer ("none").
REQUIRED: tuple[str, ...] = (
    "reasons_for_care",
    "psychiatric_history.diagnoses",
    "psychiatric_history.hospitalisations",
    "psychiatric_history.prior_treatments",
    "psychiatric_history.antidepressant_trials",
    "psychiatric_history.psychosis",
    "psychiatric_history.mania",
    "psychiatric_history.suicidal_thoughts_now",
    "psychiatric_history.suicide_attempt_history",
    "medical_history.hypertension",
    "medical_history.heart_disease",
    "medical_history.aneurysm_or_vascular_disease",
    "medical_history.arteriovenous_malformation",
    "medical_history.brain_haemorrhage",
    "medical_history.seizures",
    "medical_history.severe_lung_disease",
    "medical_history.severe_liver_disease",
    "medications",
    "substance_use.alcohol_drinks_per_week",
    "substance_use.stimulant_use_current",
    "substance_use.cannabis",
    "substance_use.ketamine_nonmedical_use",
    "substance_use.substance_use_disorder",
    "pregnancy",
)


class IntakeIncomplete(Unprocessable):
    title = "Some answers are missing"
    type_slug = "intake-incomplete"


class NothingToSubmit(Conflict):
    title = "The intake is already submitted"
    type_slug = "intake-already-submitted"


class IntakeNotSubmitted(NotFound):
    title = "No submitted intake yet"


class FlagNotFound(NotFound):
    title = "Screening flag not found"


class FlagAlreadyReviewed(Conflict):
    title = "This flag is already reviewed"
    type_slug = "flag-already-reviewed"


def missing_answers(answers: dict[str, Any]) -> list[str]:
    """Dotted paths of required answers not given yet, in form order."""
    missing: list[str] = []
    for path in REQUIRED:
        if _absent(answers, path):
            missing.append(path)
        if path == "reasons_for_care" and "other" in (answers.get("reasons_for_care") or []):
            if _absent(answers, "reason_other"):
                missing.append("reason_other")
        if path == "medications" and not answers.get("allergies") and answers.get("no_known_allergies") is not True:
            missing.append("allergies")
    return missing


def _absent(answers: dict[str, Any], path: str) -> bool:
    return lookup(answers, path) is MISSING


def merge(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """Sections merge field by field; lists and values replace; None removes."""
    out = copy.deepcopy(base)
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return {k: v for k, v in out.items() if v != {}}


def _validation_problem(exc: ValidationError, prefix: str) -> Unprocessable:
    errors = [
        FieldError(
            field=".".join([prefix, *(str(p) for p in e["loc"])]),
            message=str(e["msg"]).removeprefix("Value error, "),
            code=str(e["type"]),
        )
        for e in exc.errors()
    ]
    return Unprocessable("; ".join(f"{e.field}: {e.message}" for e in errors[:5]), errors=errors)


def _read(intake: Intake | None) -> IntakeRead:
    if intake is None:
        return IntakeRead(
            id=None,
            status="not_started",
            form_version=FORM_VERSION,
            answers=IntakeAnswers(),
            missing=missing_answers({}),
            created_at=None,
            updated_at=None,
            submitted_at=None,
        )
    return IntakeRead(
        id=intake.id,
        status=intake.status,
        form_version=intake.form_version,
        answers=IntakeAnswers.model_validate(intake.answers),
        missing=missing_answers(intake.answers),
        created_at=intake.created_at,
        updated_at=intake.updated_at,
        submitted_at=intake.submitted_at,
    )


def adequate_trials(answers: dict[str, Any]) -> int:
    trials = (answers.get("psychiatric_history") or {}).get("antidepressant_trials") or []
    return sum(1 for t in trials if t.get("adequate") is True)


def _flag_read(flag: ScreeningFlag, reviewer_name: str | None, current_intake_id: uuid.UUID | None) -> FlagRead:
    return FlagRead(
        id=flag.id,
        patient_id=flag.patient_id,
        intake_id=flag.intake_id,
        rule_id=flag.rule_id,
        rule_version=flag.rule_version,
        rule_set_version=flag.rule_set_version,
        severity=flag.severity,
        message=flag.message,
        evidence=flag.evidence,
        status=flag.status,
        created_at=flag.created_at,
        reviewed_by=flag.reviewed_by,
        reviewed_by_name=reviewer_name,
        reviewed_at=flag.reviewed_at,
        review_reason=flag.review_reason,
        current=flag.intake_id == current_intake_id,
    )


class ScreeningService:
    rule_set: dict[str, Any] = RULE_SET

    # --- the patient's intake -----------------------------------------------------------------
    async def my_intake(self, session: AsyncSession, ctx: RequestContext, actor: Actor) -> IntakeRead:
        """The draft being filled in, else the last submitted intake, else an empty form."""
        await patient_service.ensure_may_view_chart(session, actor, actor.user_id)
        intake = await screening_repository.draft(session, actor.user_id)
        intake = intake or await screening_repository.latest_submitted(session, actor.user_id)
        audit.record(
            session,
            ctx,
            action="intake.read",
            subject_type="intake",
            subject_id=intake.id if intake else None,
            patient_id=actor.user_id,
        )
        return _read(intake)

    async def save_draft(
        self, session: AsyncSession, ctx: RequestContext, actor: Actor, body: IntakeAnswers
    ) -> IntakeRead:
        """Merge these answers into the draft (started from the last submitted intake if any)."""
        patient_id = actor.user_id
        await patient_service.ensure_may_view_chart(session, actor, patient_id)
        patch = body.model_dump(mode="json", exclude_unset=True)
        draft = await screening_repository.draft(session, patient_id)
        now = utcnow()
        if draft is None:
            draft = await self._new_draft(session, patient_id)
        try:
            merged = IntakeAnswers.model_validate(merge(draft.answers, patch))
        except ValidationError as exc:
            raise _validation_problem(exc, "body") from None
        draft.answers = merged.model_dump(mode="json", exclude_none=True)
        draft.updated_at = now
        await session.flush()
        audit.record(
            session,
            ctx,
            action="intake.draft_saved",
            subject_type="intake",
            subject_id=draft.id,
            patient_id=patient_id,
            detail={"sections": sorted(patch)},
        )
        return _read(draft)

    async def _new_draft(self, session: AsyncSession, patient_id: uuid.UUID) -> Intake:
        """Start a draft from the last submitted intake (or empty); one draft per patient."""
        last = await screening_repository.latest_submitted(session, patient_id)
        now = utcnow()
        draft = Intake(
            patient_id=patient_id,
            status="draft",
            form_version=FORM_VERSION,
            answers=copy.deepcopy(last.answers) if last else {},
            created_at=now,
            updated_at=now,
        )
        try:
            async with session.begin_nested():
                session.add(draft)
                await session.flush()
        except IntegrityError:  # another request of this patient started the draft just now
            existing = await screening_repository.draft(session, patient_id)
            if existing is None:
                raise
            return existing
        return draft

    async def submit(
        self, session: AsyncSession, ctx: RequestContext, actor: Actor, settings: Settings
    ) -> IntakeSubmitted:
        """Check every answer is there, then screen it: flags for the psychiatrist to review."""
        patient = await patient_service.ensure_may_view_chart(session, actor, actor.user_id)
        draft = await screening_repository.draft(session, patient.user_id)
        if draft is None and await screening_repository.latest_submitted(session, patient.user_id):
            raise NothingToSubmit("Change an answer to start an update, then submit it.")
        answers = draft.answers if draft else {}
        missing = missing_answers(answers)
        if missing or draft is None:
            raise IntakeIncomplete(
                f"{len(missing)} answer{'s' if len(missing) != 1 else ''} still needed.",
                errors=[
                    FieldError(field=f"intake.{m}", message="This answer is needed.", code="missing") for m in missing
                ],
            )
        now = utcnow()
        draft.status = "submitted"
        draft.submitted_at = now
        draft.updated_at = now
        draft.rule_set_version = str(self.rule_set["version"])
        await session.flush()

        facts = {**answers, "patient": {"age_years": age_on(patient.date_of_birth, patient_today(patient))}}
        matches = evaluate(self.rule_set, facts, lambda name: getattr(settings, name))
        crisis = None
        for m in matches:
            flag = ScreeningFlag(
                patient_id=patient.user_id,
                intake_id=draft.id,
                rule_id=m.rule["id"],
                rule_version=int(m.rule["version"]),
                rule_set_version=str(self.rule_set["version"]),
                severity=m.rule["severity"],
                message=m.rule["message"],
                evidence=m.evidence,
                status="unreviewed",
                created_at=now,
            )
            session.add(flag)
            await session.flush()
            if m.rule.get("opens_safety_task"):
                await safety_service.open_task(
                    session,
                    ctx,
                    settings,
                    patient_id=patient.user_id,
                    kind="intake_suicidal_ideation",
                    source_type="screening_flag",
                    source_id=flag.id,
                    detail={"rule_id": m.rule["id"], "intake_id": str(draft.id)},
                )
                crisis = safety_service.crisis_resources(settings, patient.language)
        audit.record(
            session,
            ctx,
            action="intake.submitted",
            subject_type="intake",
            subject_id=draft.id,
            patient_id=patient.user_id,
            detail={"rule_set": self.rule_set["version"], "flags": sorted(m.rule["id"] for m in matches)},
        )
        return IntakeSubmitted(intake=_read(draft), crisis_resources=crisis)

    # --- the psychiatrist's view ------------------------------------------------------------
    async def clinician_intake(
        self, session: AsyncSession, ctx: RequestContext, actor: Actor, patient_id: uuid.UUID, settings: Settings
    ) -> ClinicianIntakeRead:
        patient = await patient_service.ensure_may_view_chart(session, actor, patient_id)
        intake = await screening_repository.latest_submitted(session, patient_id)
        if intake is None:
            raise IntakeNotSubmitted("This patient has not submitted an intake yet.")
        audit.record(
            session, ctx, action="intake.read", subject_type="intake", subject_id=intake.id, patient_id=patient_id
        )
        trials = adequate_trials(intake.answers)
        return ClinicianIntakeRead(
            **_read(intake).model_dump(),
            adequate_antidepressant_trials=trials,
            treatment_resistant=trials >= settings.treatment_resistance_min_trials,
            age_years=age_on(patient.date_of_birth, patient_today(patient)),
        )

    async def flags(
        self, session: AsyncSession, ctx: RequestContext, actor: Actor, patient_id: uuid.UUID
    ) -> list[FlagRead]:
        """Every flag, newest intake first; `current` marks those of the latest submitted intake."""
        await patient_service.ensure_may_view_chart(session, actor, patient_id)
        latest = await screening_repository.latest_submitted(session, patient_id)
        rows = await screening_repository.flags(session, patient_id)
        audit.record(session, ctx, action="screening.flags_read", subject_type="screening_flag", patient_id=patient_id)
        return [_flag_read(f, name, latest.id if latest else None) for f, name in rows]

    async def review_flag(
        self,
        session: AsyncSession,
        ctx: RequestContext,
        actor: Actor,
        patient_id: uuid.UUID,
        flag_id: uuid.UUID,
        body: FlagReview,
    ) -> FlagRead:
        """Clear or override a flag with a written reason; the record keeps who, when and why."""
        await patient_service.ensure_may_view_chart(session, actor, patient_id)
        flag = await screening_repository.flag(session, flag_id)
        if flag is None or flag.patient_id != patient_id:
            raise FlagNotFound()
        claimed = flag.status == "unreviewed" and await screening_repository.record_review(
            session,
            flag.id,
            status="cleared" if body.decision == "clear" else "overridden",
            reviewer_id=actor.user_id,
            at=utcnow(),
            reason=body.reason,
        )
        if not claimed:
            raise FlagAlreadyReviewed("A reviewed flag keeps its first review.")
        await session.refresh(flag)
        audit.record(
            session,
            ctx,
            action="screening.flag_reviewed",
            subject_type="screening_flag",
            subject_id=flag.id,
            patient_id=patient_id,
            detail={"rule_id": flag.rule_id, "decision": flag.status},
        )
        latest = await screening_repository.latest_submitted(session, patient_id)
        name = await patient_service.account_name(session, actor.user_id)
        return _flag_read(flag, name, latest.id if latest else None)

    def rules(self) -> RuleSetRead:
        return RuleSetRead(
            version=str(self.rule_set["version"]),
            rules=[
                RuleRead(
                    id=r["id"],
                    version=r["version"],
                    severity=r["severity"],
                    message=r["message"],
                    when=r["when"],
                    opens_safety_task=bool(r.get("opens_safety_task")),
                )
                for r in self.rule_set["rules"]
            ],
        )

    # --- for other domains (treatment plans gate on these) -----------------------------------
    async def unreviewed_flags(self, session: AsyncSession, patient_id: uuid.UUID) -> list[ScreeningFlag]:
        """Flags of the latest submitted intake that no psychiatrist has reviewed yet."""
        latest = await screening_repository.latest_submitted(session, patient_id)
        if latest is None:
            return []
        return list(await screening_repository.flags_of_intake(session, latest.id, status="unreviewed"))

    async def intake_complete(self, session: AsyncSession, patient_id: uuid.UUID) -> bool:
        """Whether the patient has submitted an intake."""
        return await screening_repository.latest_submitted(session, patient_id) is not None

    async def latest_intake(self, session: AsyncSession, patient_id: uuid.UUID) -> Intake | None:
        """The latest submitted intake (its answers hold the patient's reported vitals and medications)."""
        return await screening_repository.latest_submitted(session, patient_id)


screening_service = ScreeningService()
