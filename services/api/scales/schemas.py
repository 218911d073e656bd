from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from services.api.core.schemas import RequestBody, ResponseBody
from services.api.patients.fields import Language, Line, Reason
from services.api.safety.schemas import CrisisResources
from services.api.scales.definitions import ScaleCode

ItemNumber = Annotated[str, StringConstraints(pattern=r"^[1-9][0-9]?$")]
AnswerValue = Annotated[int, Field(ge=0, le=10)]


class ScaleAnswers(RequestBody):
    scale: ScaleCode
    language: Language = Field(default="en", description="The language the questions were shown in.")
    answers: dict[ItemNumber, AnswerValue] = Field(
        max_length=30, description='Item number -> answer value, e.g. {"1": 0, "2": 3, ...}: every item, once.'
    )
    assignment_id: uuid.UUID | None = Field(
        default=None, description="The request this answers; without it, the earliest due request of this scale."
    )


class ClinicianScaleEntry(ScaleAnswers):
    """A result a clinician enters (in a visit, during an infusion), or a correction of an earlier one."""

    supersedes_id: uuid.UUID | None = Field(default=None, description="The result this one corrects.")
    correction_reason: Reason | None = None

    @model_validator(mode="after")
    def _reason_with_correction(self) -> ClinicianScaleEntry:
        if self.supersedes_id is not None and self.correction_reason is None:
            raise ValueError("Say why the earlier result is being corrected (correction_reason).")
        if self.supersedes_id is None and self.correction_reason is not None:
            raise ValueError("A correction reason goes with supersedes_id.")
        return self


class ScaleResultRead(ResponseBody):
    id: uuid.UUID
    patient_id: uuid.UUID
    scale: ScaleCode
    scale_version: str
    language: Language
    answers: dict[str, int]
    total: int
    max_total: int
    band: str | None
    band_label: str | None = Field(description="In the result's language.")
    urgent: bool = Field(description="An urgent item was answered above 0 (PHQ-9 item 9): a safety task was opened.")
    entered_by: Literal["patient", "clinician"]
    entered_by_id: uuid.UUID
    entered_at: datetime
    supersedes_id: uuid.UUID | None
    superseded: bool = Field(description="A later result corrects this one; trends leave it out.")
    correction_reason: str | None
    program_entry_threshold: int | None = Field(description="The practice's program-entry score for this scale.")
    meets_program_entry: bool | None


class ScaleSubmitted(ResponseBody):
    result: ScaleResultRead
    crisis_resources: CrisisResources | None = Field(
        description="Present when an answer means the patient may be at risk: show it at once."
    )
    care_team_notified: bool = Field(description="A safety task was opened for the care team.")


class AssignmentCreate(RequestBody):
    scale: ScaleCode
    due_on: date = Field(description="The day it is due (the patient's calendar).")
    note: Line | None = None


class AssignmentRead(ResponseBody):
    id: uuid.UUID
    patient_id: uuid.UUID
    scale: ScaleCode
    scale_name: str
    due_on: date
    note: str | None
    assigned_by: uuid.UUID
    assigned_at: datetime
    status: Literal["due", "overdue", "completed"]
    completed_at: datetime | None
    result_id: uuid.UUID | None


class ItemRead(ResponseBody):
    number: int
    text: str


class ChoiceRead(ResponseBody):
    value: int
    label: str


class BandRead(ResponseBody):
    low: int
    high: int
    code: str
    label: str


class ScaleDefinitionRead(ResponseBody):
    code: ScaleCode
    version: str
    language: Language
    name: str
    instructions: str
    loinc: str | None
    items: list[ItemRead]
    choices: list[ChoiceRead] = Field(description="The answers every item offers.")
    bands: list[BandRead]
    max_total: int
    urgent_items: list[int]
