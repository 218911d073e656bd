"""The intake form. Every field is optional while a draft is saved (each is still checked as it
arrives); submitting checks that every required answer is there (`service.missing_answers`)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from services.api.core.schemas import RequestBody, ResponseBody
from services.api.patients.fields import Label, Line, Name, Note, Reason
from services.api.safety.schemas import CrisisResources

ReasonForCare = Literal["depression", "chronic_pain", "ptsd", "ocd", "anxiety", "other"]
PriorTreatment = Literal[
    "psychotherapy",
    "antidepressants",
    "augmentation",
    "lithium",
    "ect",
    "tms",
    "ketamine",
    "esketamine",
    "other",
]
Pregnancy = Literal["not_pregnant", "pregnant", "breastfeeding", "planning_pregnancy", "not_applicable"]
CannabisUse = Literal["none", "occasional", "weekly", "daily"]
Severity = Literal["urgent", "high", "moderate"]
FlagStatus = Literal["unreviewed", "cleared", "overridden"]


class AntidepressantTrial(RequestBody):
    medication: Name
    weeks: int | None = Field(default=None, ge=0, le=520, description="How long it was taken.")
    adequate: bool = Field(description="Taken at a therapeutic dose for at least 6 weeks.")


class PsychiatricHistory(RequestBody):
    diagnoses: list[Name] | None = Field(default=None, max_length=30, description="Empty list: none.")
    hospitalisations: int | None = Field(default=None, ge=0, le=100, description="Psychiatric admissions, ever.")
    prior_treatments: list[PriorTreatment] | None = Field(default=None, max_length=9)
    antidepressant_trials: list[AntidepressantTrial] | None = Field(default=None, max_length=30)
    psychosis: bool | None = Field(
        default=None, description="Ever: hearing or seeing things others did not, beliefs others found impossible."
    )
    mania: bool | None = Field(default=None, description="Ever: mania or hypomania, a bipolar diagnosis.")
    suicidal_thoughts_now: bool | None = Field(
        default=None, description="Thoughts of ending one's life now or in the past month."
    )
    suicide_attempt_history: bool | None = None


class MedicalHistory(RequestBody):
    hypertension: bool | None = None
    heart_disease: bool | None = None
    aneurysm_or_vascular_disease: bool | None = None
    arteriovenous_malformation: bool | None = None
    brain_haemorrhage: bool | None = None
    seizures: bool | None = None
    severe_lung_disease: bool | None = None
    severe_liver_disease: bool | None = None
    other: Note | None = None


class Medication(RequestBody):
    name: Name
    dose: Label = Field(description="e.g. 20 mg")
    frequency: Label = Field(description="e.g. once a day")


class Allergy(RequestBody):
    substance: Name
    reaction: Label | None = None


class SubstanceUse(RequestBody):
    alcohol_drinks_per_week: int | None = Field(default=None, ge=0, le=200)
    stimulant_use_current: bool | None = Field(
        default=None, description="Cocaine, methamphetamine, or stimulants not as prescribed."
    )
    cannabis: CannabisUse | None = None
    ketamine_nonmedical_use: bool | None = Field(default=None, description="Ever used ketamine outside medical care.")
    substance_use_disorder: bool | None = Field(
        default=None, description="Ever diagnosed or treated for a substance use disorder."
    )
    details: Note | None = None


class Vitals(RequestBody):
    weight_kg: float | None = Field(default=None, ge=20, le=350)
    bp_systolic: int | None = Field(
        default=None, ge=60, le=300, description="Recent resting blood pressure, upper number."
    )
    bp_diastolic: int | None = Field(default=None, ge=30, le=200, description="Lower number.")
    bp_measured_on: date | None = None

    @model_validator(mode="after")
    def _plausible_pressure(self) -> Vitals:
        if (self.bp_systolic is None) != (self.bp_diastolic is None):
            raise ValueError("Give both blood pressure numbers (upper and lower), or neither.")
        if self.bp_systolic is not None and self.bp_diastolic is not None and self.bp_diastolic >= self.bp_systolic:
            raise ValueError("The lower (diastolic) number must be below the upper (systolic) number.")
        return self


class IntakeAnswers(RequestBody):
    """Answers so far. In a draft save, sections and fields not sent stay as they were; `null` clears one."""

    reasons_for_care: Annotated[list[ReasonForCare], Field(min_length=1, max_length=6)] | None = None
    reason_other: Line | None = Field(default=None, description="Required when reasons include `other`.")
    psychiatric_history: PsychiatricHistory | None = None
    medical_history: MedicalHistory | None = None
    medications: list[Medication] | None = Field(default=None, max_length=50, description="Empty list: none.")
    allergies: list[Allergy] | None = Field(default=None, max_length=50)
    no_known_allergies: bool | None = None
    substance_use: SubstanceUse | None = None
    pregnancy: Pregnancy | None = None
    vitals: Vitals | None = None

    @model_validator(mode="after")
    def _consistent(self) -> IntakeAnswers:
        if self.reasons_for_care and len(set(self.reasons_for_care)) != len(self.reasons_for_care):
            raise ValueError("List each reason for care once.")
        if self.no_known_allergies and self.allergies:
            raise ValueError("List allergies or say there are none, not both.")
        return self


class IntakeRead(ResponseBody):
    id: uuid.UUID | None = Field(description="Null until the first answer is saved.")
    status: Literal["not_started", "draft", "submitted"]
    form_version: str
    answers: IntakeAnswers
    missing: list[str] = Field(description="Answers still needed before the intake can be submitted (dotted paths).")
    created_at: datetime | None
    updated_at: datetime | None
    submitted_at: datetime | None


class IntakeSubmitted(ResponseBody):
    intake: IntakeRead
    crisis_resources: CrisisResources | None = Field(
        description="Present when the answers mention thoughts of suicide: show it at once."
    )


class ClinicianIntakeRead(IntakeRead):
    adequate_antidepressant_trials: int
    treatment_resistant: bool = Field(description="At least the configured number of adequate antidepressant trials.")
    age_years: int


class FlagRead(ResponseBody):
    id: uuid.UUID
    patient_id: uuid.UUID
    intake_id: uuid.UUID
    rule_id: str
    rule_version: int
    rule_set_version: str
    severity: Severity
    message: str
    evidence: dict[str, Any] = Field(description="The answers that matched the rule.")
    status: FlagStatus
    created_at: datetime
    reviewed_by: uuid.UUID | None
    reviewed_by_name: str | None
    reviewed_at: datetime | None
    review_reason: str | None
    current: bool = Field(description="From the latest submitted intake (older ones are history).")


class FlagReview(RequestBody):
    decision: Literal["clear", "override"] = Field(
        description="`clear`: not a concern for this patient. `override`: a concern, and treatment may go ahead."
    )
    reason: Reason


class RuleRead(ResponseBody):
    id: str
    version: int
    severity: Severity
    message: str
    when: dict[str, Any]
    opens_safety_task: bool


class RuleSetRead(ResponseBody):
    version: str
    rules: list[RuleRead]
