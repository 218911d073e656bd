"""Request and response bodies of treatment plans, infusion sessions, series progress and trends."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, Field, ValidationInfo, field_validator

from services.api.core.schemas import RequestBody, ResponseBody

# --- shared input types (the notes domain uses them too) --------------------------------------
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
_LATEST = datetime(2100, 1, 1, tzinfo=UTC)


def _no_control_characters(v: str) -> str:
    # PostgreSQL refuses NUL in text and a PDF cannot show control characters: refuse them here.
    if _CONTROL.search(v):
        raise ValueError("Remove control characters from this text.")
    return v


def _plausible_time(v: datetime) -> datetime:
    try:
        utc = v.astimezone(UTC)
    except (OverflowError, ValueError) as exc:
        raise ValueError("Use a time between the years 2000 and 2100.") from exc
    if not _EARLIEST <= utc < _LATEST:
        raise ValueError("Use a time between the years 2000 and 2100.")
    return utc


Label = Annotated[str, Field(max_length=200), AfterValidator(_no_control_characters)]
ShortNote = Annotated[str, Field(max_length=500), AfterValidator(_no_control_characters)]
MediumText = Annotated[str, Field(max_length=2000), AfterValidator(_no_control_characters)]
LongText = Annotated[str, Field(max_length=20_000), AfterValidator(_no_control_characters)]
ClinicalTime = Annotated[AwareDatetime, AfterValidator(_plausible_time)]
LotNumber = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9 ./\-]*$")]


# --- plans --------------------------------------------------------------------------------------
class PlanStatus(StrEnum):
    proposed = "proposed"
    active = "active"
    paused = "paused"
    completed = "completed"


Indication = Literal["depression", "treatment_resistant_depression", "ptsd", "ocd", "anxiety", "chronic_pain", "other"]


class PlanCreate(RequestBody):
    indication: Indication
    indication_detail: MediumText = ""
    induction_infusions: int = Field(default=6, ge=1, le=12, description="Planned infusions in the induction series.")
    dose_mg_per_kg: float = Field(
        default=0.5, gt=0, le=5, description="Ketamine per kg of body weight; the practice's limits apply."
    )
    infusion_minutes: int = Field(default=40, ge=10, le=240)
    infusions_per_week: int = Field(default=2, ge=1, le=7)
    schedule_notes: MediumText = ""
    maintenance_interval_weeks: int | None = Field(default=None, ge=1, le=52)
    maintenance_notes: MediumText = ""


class PlanUpdate(RequestBody):
    indication: Indication | None = None
    indication_detail: MediumText | None = None
    induction_infusions: int | None = Field(default=None, ge=1, le=12)
    dose_mg_per_kg: float | None = Field(default=None, gt=0, le=5)
    infusion_minutes: int | None = Field(default=None, ge=10, le=240)
    infusions_per_week: int | None = Field(default=None, ge=1, le=7)
    schedule_notes: MediumText | None = None
    maintenance_interval_weeks: int | None = Field(default=None, ge=1, le=52)
    maintenance_notes: MediumText | None = None


PlanTarget = Literal["active", "paused", "completed"]


class PlanStatusChange(RequestBody):
    status: PlanTarget
    reason: MediumText = ""


class StatusChangeRead(ResponseBody):
    from_status: PlanStatus
    to_status: PlanStatus
    changed_by: uuid.UUID
    changed_at: datetime
    reason: str


class PlanRead(ResponseBody):
    id: uuid.UUID
    patient_id: uuid.UUID
    created_by: uuid.UUID
    indication: Indication = Field(description="A code: clients show it in the reader's language.")
    indication_detail: str
    induction_infusions: int
    dose_mg_per_kg: float
    infusion_minutes: int
    infusions_per_week: int
    schedule_notes: str
    maintenance_interval_weeks: int | None
    maintenance_notes: str
    status: PlanStatus
    created_at: datetime
    updated_at: datetime
    activated_at: datetime | None
    induction_done: int = Field(description="Induction infusions given so far.")
    maintenance_done: int
    history: list[StatusChangeRead]
    allowed_transitions: list[PlanTarget] = Field(
        description="The statuses this plan may move to next (activation still waits for the gate: "
        "see the patient's treatment readiness)."
    )


class PatientPlanRead(ResponseBody):
    """What a patient sees of their own plan: the shape of the series and how far along it is."""

    id: uuid.UUID
    indication: Indication
    status: PlanStatus
    induction_infusions: int
    infusions_per_week: int
    maintenance_interval_weeks: int | None
    induction_done: int
    maintenance_done: int
    next_phase: Literal["induction", "maintenance"]


class PlanBlocker(ResponseBody):
    """One thing that keeps a plan from becoming active and an infusion from starting."""

    kind: Literal["unreviewed_flag", "unsigned_consent"]
    code: str = Field(description="The flag's rule id, or the consent's kind: clients translate it.")
    flag_id: uuid.UUID | None = Field(description="The flag to review (unreviewed flags only).")
    severity: Literal["urgent", "high", "moderate"] | None = Field(description="The flag's severity.")
    message: str = Field(description="The same sentence, in English, as in a `plan-blocked` problem.")


class TreatmentReadiness(ResponseBody):
    """What stands between a patient and an infusion series, and the limits a plan keeps to."""

    patient_id: uuid.UUID
    ready: bool = Field(description="No blockers: a plan of this patient may become active.")
    blockers: list[PlanBlocker]
    active_plan_id: uuid.UUID | None = Field(description="The patient's active plan (only one may be active).")
    dose_min_mg_per_kg: float
    dose_max_mg_per_kg: float
    dose_max_mg: float = Field(description="The largest dose one infusion may give, whatever the weight.")


# --- infusion sessions ----------------------------------------------------------------------------
class Timepoint(StrEnum):
    pre = "pre"
    min_15 = "min_15"
    min_30 = "min_30"
    min_45 = "min_45"
    end = "end"
    discharge = "discharge"


class VitalsIn(RequestBody):
    systolic: int = Field(ge=50, le=300, description="Systolic blood pressure, mmHg.")
    diastolic: int = Field(ge=20, le=200, description="Diastolic blood pressure, mmHg; below systolic.")
    heart_rate: int = Field(ge=20, le=250, description="Beats per minute.")
    spo2: int = Field(ge=50, le=100, description="Oxygen saturation, percent (at most 100).")

    @field_validator("diastolic")
    @classmethod
    def _below_systolic(cls, v: int, info: ValidationInfo) -> int:
        systolic = info.data.get("systolic")
        if systolic is not None and v >= systolic:
            raise ValueError("Diastolic pressure must be below systolic pressure.")
        return v


class VitalsRead(ResponseBody):
    timepoint: Timepoint
    systolic: int
    diastolic: int
    heart_rate: int
    spo2: int
    recorded_at: datetime
    recorded_by: uuid.UUID


SideEffectKind = Literal[
    "dissociation",
    "nausea",
    "vomiting",
    "dizziness",
    "headache",
    "elevated_blood_pressure",
    "elevated_heart_rate",
    "hallucinations",
    "anxiety",
    "respiratory_depression",
    "other",
]
SERIOUS_SIDE_EFFECTS = frozenset({"respiratory_depression"})


class SideEffectIn(RequestBody):
    kind: SideEffectKind
    severity: Literal["mild", "moderate", "severe"] = "mild"
    note: ShortNote = ""


class SideEffectRead(ResponseBody):
    kind: str
    severity: str
    note: str
    serious: bool


InterventionKind = Literal[
    "supplemental_oxygen",
    "airway_support",
    "antiemetic",
    "antihypertensive",
    "benzodiazepine",
    "infusion_rate_reduced",
    "infusion_paused",
    "infusion_stopped",
    "reassurance",
    "other",
]


class InterventionIn(RequestBody):
    kind: InterventionKind
    at: ClinicalTime | None = None
    note: ShortNote = ""


class InterventionRead(ResponseBody):
    kind: str
    at: datetime | None
    note: str


Cadss6Items = Annotated[
    list[Annotated[int, Field(ge=0, le=4)]],
    Field(min_length=6, max_length=6, description="CADSS-6 answers (items 1, 2, 6, 7, 15, 22), each 0–4."),
]


class SessionStart(RequestBody):
    weight_kg: float = Field(ge=20, le=400, description="The patient's weight today, kg.")
    dose_mg_per_kg: float | None = Field(default=None, gt=0, le=5, description="Empty: the plan's dose.")
    lot_number: LotNumber | None = None
    pre_vitals: VitalsIn
    hold: bool = Field(default=False, description="Hold today's infusion (nothing is given).")
    hold_reason: MediumText = ""
    bp_override_reason: MediumText = Field(
        default="", description="Required to infuse when the pre-infusion BP is above the hold threshold."
    )
    started_at: ClinicalTime | None = None
    booking_id: uuid.UUID | None = None


class SessionUpdate(RequestBody):
    lot_number: LotNumber | None = None
    started_at: ClinicalTime | None = None
    ended_at: ClinicalTime | None = None
    cadss6_items: Cadss6Items | None = None
    side_effects: list[SideEffectIn] | None = Field(default=None, max_length=30)
    interventions: list[InterventionIn] | None = Field(default=None, max_length=30)
    clinician_notes: LongText | None = None


class Discharge(RequestBody):
    alert: bool = Field(description="The patient is alert and oriented.")
    vitals_near_baseline: bool = Field(description="Vitals are back near the pre-infusion values.")
    escort_present: bool = Field(description="An escort is present to take the patient home (no driving today).")
    ended_at: ClinicalTime | None = Field(default=None, description="End of the infusion, if not recorded yet.")
    discharged_at: ClinicalTime | None = None


class InfusionSessionRead(ResponseBody):
    id: uuid.UUID
    plan_id: uuid.UUID
    patient_id: uuid.UUID
    sequence: int
    phase: Literal["induction", "maintenance"]
    status: Literal["in_progress", "held", "completed"]
    booking_id: uuid.UUID | None
    weight_kg: float
    dose_mg_per_kg: float
    dose_mg: float
    lot_number: str | None
    started_at: datetime
    ended_at: datetime | None
    hold_reason: str | None
    bp_override_reason: str | None
    cadss6_items: list[int] | None
    cadss6_score: int | None
    side_effects: list[SideEffectRead]
    interventions: list[InterventionRead]
    serious_event: bool = Field(description="A serious side effect (respiratory depression) was recorded.")
    discharge_alert: bool | None
    discharge_vitals_near_baseline: bool | None
    discharge_escort_present: bool | None
    discharged_at: datetime | None
    clinician_notes: str
    vitals: list[VitalsRead]
    missing_timepoints: list[Timepoint] = Field(description="Timepoints without vitals yet.")
    created_by: uuid.UUID
    created_at: datetime
    updated_at: datetime


class SessionPrefill(ResponseBody):
    """A new session's form, filled in from the plan and the last session."""

    plan_id: uuid.UUID
    next_sequence: int
    next_phase: Literal["induction", "maintenance"]
    weight_kg: float | None
    dose_mg_per_kg: float
    dose_mg: float | None = Field(description="Computed from the pre-filled weight and dose per kg.")
    lot_number: str | None
    infusion_minutes: int
    last_session_id: uuid.UUID | None
    last_session_at: datetime | None
    last_pre_vitals: VitalsRead | None
    last_side_effects: list[SideEffectRead]
    last_interventions: list[InterventionRead]
    hold_systolic_above: int
    hold_diastolic_above: int


# --- progress and trends ----------------------------------------------------------------------------
class InfusionMarker(ResponseBody):
    session_id: uuid.UUID
    plan_id: uuid.UUID
    sequence: int
    phase: Literal["induction", "maintenance"]
    status: Literal["in_progress", "held", "completed"]
    at: datetime
    cadss6_score: int | None


class LocalizedText(ResponseBody):
    """A text the data holds in both of the app's languages."""

    en: str
    es: str


class TrendPoint(ResponseBody):
    at: datetime
    score: int
    band: str | None = Field(description="The band's code, e.g. `moderately_severe`.")
    band_label: LocalizedText | None = Field(
        default=None, description="The band's name in English and Spanish, from the scale version answered."
    )
    baseline: bool = False
    response: bool = Field(default=False, description="PHQ-9 only: at least the response drop from baseline.")
    remission: bool = Field(default=False, description="PHQ-9 only: below the remission score.")


class ScaleTrend(ResponseBody):
    scale: str
    points: list[TrendPoint]


class Phq9Outcome(ResponseBody):
    baseline_score: int | None
    baseline_at: datetime | None
    latest_score: int | None
    latest_at: datetime | None
    change_percent: float | None = Field(description="Drop from baseline in percent (negative: worse).")
    response: bool
    remission: bool
    first_response_at: datetime | None
    first_remission_at: datetime | None
    response_drop_percent: int
    remission_below: int


class TrendsRead(ResponseBody):
    patient_id: uuid.UUID
    scales: list[ScaleTrend]
    infusions: list[InfusionMarker]
    phq9: Phq9Outcome


class SeriesProgress(ResponseBody):
    plan_id: uuid.UUID
    status: PlanStatus
    induction_planned: int
    induction_done: int
    induction_remaining: int
    maintenance_done: int
    held: int
    in_progress: bool
    sessions: list[InfusionMarker]
    scores: list[ScaleTrend]
    phq9: Phq9Outcome
