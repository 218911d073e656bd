"""Practice settings an administrator changes in the app, over the environment's defaults.

The environment (`services/api/config.py`, prefix HALCYON_) gives every setting its default;
an administrator may override the whitelisted ones in `CATALOGUE`. The services that use them
take a `Settings` object as before: the endpoints hand them `effective()`, the environment's
settings with the overrides in force applied.

Several API instances and the worker share the overrides through the database. Each process
keeps them in a `PracticeSettingsCache` that re-reads them (one small statement) at most every
few seconds, and forgets them at once when this process writes a change, so the instance that
saved a change uses it from the next request on and the others within the cache's lifetime.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from services.api.audit import service as audit
from services.api.config import Settings
from services.api.core.context import RequestContext
from services.api.core.db import UNAVAILABLE_ERRORS
from services.api.core.errors import FieldError, Unprocessable
from services.api.practice.models import PracticeSettingOverride
from services.api.practice.repository import practice_settings_repository as repo
from services.api.practice.schemas import (
    Kind,
    PracticeSettingRead,
    PracticeSettingsPatch,
    PracticeSettingsRead,
    Section,
    SettingChange,
    SettingValue,
    Unit,
)
from services.api.scheduling.flows import booking_flows
from services.common.clock import utcnow

log = logging.getLogger(__name__)

CACHE_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class Spec:
    section: Section
    unit: Unit | None = None


# Every setting an administrator may change, in the order the settings page shows them.
CATALOGUE: dict[str, Spec] = {
    "cancellation_notice_hours": Spec("cancellation", "hours"),
    "cancellation_fee_cents": Spec("cancellation", "cents"),
    "booking_hold_minutes": Spec("booking", "minutes"),
    "booking_min_notice_minutes": Spec("booking", "minutes"),
    "booking_horizon_days": Spec("booking", "days"),
    "reminder_offsets_minutes": Spec("booking", "minutes"),
    "crisis_line_phone": Spec("crisis"),
    "crisis_resources_text": Spec("crisis"),
    "crisis_resources_text_es": Spec("crisis"),
    "safety_task_due_hours": Spec("crisis", "hours"),
    "program_entry_phq9_min": Spec("screening", "points"),
    "program_entry_gad7_min": Spec("screening", "points"),
    "program_entry_pcl5_min": Spec("screening", "points"),
    "hypertension_systolic_mmhg": Spec("screening", "mmHg"),
    "hypertension_diastolic_mmhg": Spec("screening", "mmHg"),
    "screening_min_age_years": Spec("screening", "years"),
    "treatment_resistance_min_trials": Spec("screening", "trials"),
    "infusion_hold_systolic": Spec("infusion", "mmHg"),
    "infusion_hold_diastolic": Spec("infusion", "mmHg"),
    "infusion_dose_min_mg_per_kg": Spec("infusion", "mg_per_kg"),
    "infusion_dose_max_mg_per_kg": Spec("infusion", "mg_per_kg"),
    "infusion_dose_max_mg": Spec("infusion", "mg"),
    "phq9_response_drop_percent": Spec("response", "percent"),
    "phq9_remission_below": Spec("response", "points"),
}


@dataclass(frozen=True, slots=True)
class Pair:
    """Two settings that must keep an order: `low` below `high` (or equal, when `equal_ok`)."""

    low: str
    high: str
    equal_ok: bool
    message: str


PAIRS = (
    Pair(
        "infusion_dose_min_mg_per_kg",
        "infusion_dose_max_mg_per_kg",
        equal_ok=True,
        message="The lowest dose per kg ({low}) must not be above the highest ({high}).",
    ),
    Pair(
        "hypertension_diastolic_mmhg",
        "hypertension_systolic_mmhg",
        equal_ok=False,
        message="The diastolic threshold ({low}) must be below the systolic one ({high}).",
    ),
    Pair(
        "infusion_hold_diastolic",
        "infusion_hold_systolic",
        equal_ok=False,
        message="The diastolic hold threshold ({low}) must be below the systolic one ({high}).",
    ),
)


class InvalidPracticeSettings(Unprocessable):
    title = "These settings do not fit together"
    type_slug = "practice-settings-invalid"


def _bounds() -> dict[str, dict[str, Any]]:
    """Each setting's limits as the PATCH body's JSON schema states them (one source of truth)."""
    out: dict[str, dict[str, Any]] = {}
    for key, prop in PracticeSettingsPatch.model_json_schema()["properties"].items():
        branch: dict[str, Any] = next((b for b in prop.get("anyOf", [prop]) if b.get("type") != "null"), {})
        out[key] = branch
    return out


_SCHEMA = _bounds()


def _kind(key: str) -> Kind:
    kind = _SCHEMA[key].get("type")
    if kind == "array":
        return "integer_list"
    return "integer" if kind == "integer" else "number" if kind == "number" else "text"


def _valid(key: str, value: Any) -> bool:
    """A stored value still within today's rules (a row written by hand, or by an older version
    with wider limits, is ignored rather than trusted)."""
    if key not in CATALOGUE or value is None:
        return False
    try:
        PracticeSettingsPatch.model_validate({key: value})
    except ValidationError:
        log.warning("ignoring an out-of-range practice setting", extra={"event": "practice.setting_ignored"})
        return False
    return True


class PracticeSettingsCache:
    """The overrides in force, per process, re-read from the database at most every `ttl` seconds."""

    def __init__(self, ttl_seconds: float = CACHE_SECONDS) -> None:
        self.ttl = ttl_seconds
        self._values: dict[str, Any] | None = None
        self._read_at = 0.0
        self._generation = 0

    def invalidate(self) -> None:
        self._values = None
        self._generation += 1

    async def values(self, session: AsyncSession) -> dict[str, Any]:
        now = time.monotonic()
        if self._values is not None and now - self._read_at < self.ttl:
            return self._values
        generation = self._generation
        try:
            rows = await repo.in_force(session)
        except UNAVAILABLE_ERRORS:
            # The database did not answer. What the practice shows patients (the crisis line
            # above all) must still show: the values last read, else the environment's. Not
            # kept: the next request asks the database again. Anything that needs the database
            # for more than settings fails on its own (503).
            log.warning("practice settings unreadable: using the last known values", extra={"event": "practice.stale"})
            return self._values if self._values is not None else {}
        values = {k: v for k, v in rows.items() if _valid(k, v)}
        # A write in this process while we read may have made what we read stale: keep it for
        # this request only.
        if generation == self._generation:
            self._values, self._read_at = values, now
        return values


class PracticeSettingsService:
    async def effective(self, session: AsyncSession, base: Settings, cache: PracticeSettingsCache) -> Settings:
        """`base` (the environment's settings) with the administrators' values in force."""
        values = await cache.values(session)
        return base.model_copy(update=values) if values else base

    async def read(self, session: AsyncSession, base: Settings) -> PracticeSettingsRead:
        """Every editable setting: value in force, default, limits, and who changed it last."""
        rows = await repo.rows(session)
        return PracticeSettingsRead(settings=[self._read_one(key, base, rows.get(key)) for key in CATALOGUE])

    def _read_one(
        self, key: str, base: Settings, found: tuple[PracticeSettingOverride, str | None] | None
    ) -> PracticeSettingRead:
        spec = CATALOGUE[key]
        schema = _SCHEMA[key]
        limits = schema.get("items", schema)  # a list's limits are those of each of its values
        default: SettingValue = getattr(base, key)
        row, name = found if found else (None, None)
        overridden = row is not None and _valid(key, row.value)
        field = Settings.model_fields[key]
        return PracticeSettingRead(
            key=key,
            section=spec.section,
            kind=_kind(key),
            unit=spec.unit,
            description=field.description or "",
            value=row.value if row is not None and overridden else default,
            default=default,
            overridden=overridden,
            minimum=limits.get("minimum", limits.get("exclusiveMinimum")),
            exclusive_minimum="exclusiveMinimum" in limits,
            maximum=limits.get("maximum"),
            max_length=schema.get("maxLength"),
            max_items=schema.get("maxItems"),
            changed=SettingChange(id=row.updated_by, name=name, at=row.updated_at) if row is not None else None,
        )

    async def update(
        self,
        session: AsyncSession,
        ctx: RequestContext,
        base: Settings,
        cache: PracticeSettingsCache,
        body: PracticeSettingsPatch,
    ) -> PracticeSettingsRead:
        """Change the settings the body names (null: back to the default), all or none.

        Limits of each value are checked by the body's schema; here, the rules between two
        settings, against what the other one will be after this change.
        """
        asked: dict[str, Any] = {key: getattr(body, key) for key in body.model_fields_set}
        await repo.lock_writers(session)
        rows = await repo.rows(session)
        stored = {key: row.value for key, (row, _) in rows.items() if _valid(key, row.value)}
        before = {key: stored.get(key, getattr(base, key)) for key in CATALOGUE}
        after = before | {key: getattr(base, key) if value is None else value for key, value in asked.items()}
        errors = [
            FieldError(
                field=f"body.{key}",
                message=pair.message.format(low=after[pair.low], high=after[pair.high]),
                code="out_of_order",
            )
            for pair in PAIRS
            if (pair.low in asked or pair.high in asked)
            and (after[pair.low] > after[pair.high] or (after[pair.low] == after[pair.high] and not pair.equal_ok))
            for key in (pair.low, pair.high)
            if key in asked
        ]
        if errors:
            raise InvalidPracticeSettings(
                "; ".join(dict.fromkeys(e.message for e in errors)) + " Nothing was saved.", errors=errors
            )
        changes = {key: value for key, value in asked.items() if stored.get(key) != value}
        if not changes:
            return await self.read(session, base)
        actor = ctx.actor
        await repo.put(
            session,
            {key: row for key, (row, _) in rows.items()},
            changes.items(),
            by=actor.user_id if actor else None,
            at=utcnow(),
        )
        detail: dict[str, Any] = {
            "changes": {
                key: {"old": before[key], "new": after[key], "reset": value is None} for key, value in changes.items()
            }
        }
        if (
            "reminder_offsets_minutes" in changes
            and before["reminder_offsets_minutes"] != after["reminder_offsets_minutes"]
        ):
            # Visits already booked get the new reminders too (the ones not gone out yet).
            with_new = base.model_copy(update={"reminder_offsets_minutes": after["reminder_offsets_minutes"]})
            detail["replanned_bookings"] = await booking_flows.replan_reminders(session, with_new)
        # Practice configuration, not patient data: the old and new values are what an auditor
        # needs to see (the crisis texts included).
        audit.record(
            session,
            ctx,
            action="practice.settings_changed",
            subject_type="practice_settings",
            subject_id="practice",
            detail=detail,
        )
        _forget_after_commit(session, cache)
        return await self.read(session, base)


def _forget_after_commit(session: AsyncSession, cache: PracticeSettingsCache) -> None:
    """Drop this process's cached values now and again once the change commits: a request that
    re-read them in between saw the old ones."""
    cache.invalidate()

    def forget(_session: Session) -> None:
        cache.invalidate()

    event.listen(session.sync_session, "after_commit", forget, once=True)


practice_settings_service = PracticeSettingsService()
