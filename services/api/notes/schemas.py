"""Request and response bodies of visit notes, addenda and after-visit summaries."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from services.api.core.schemas import RequestBody, ResponseBody
from services.api.notes.codes import CPT, normalise_icd10
from services.api.notes.templates import PromptLanguage, TemplateCode
from services.api.treatment.schemas import ClinicalTime, Label, LongText

Modality = Literal["video", "audio_only", "in_person"]
PlaceOfService = Literal["02", "10", "11"]
Section = Literal["subjective", "objective", "assessment", "plan"]
SummaryPart = Literal["subjective", "objective", "assessment", "plan", "diagnoses"]
NoteStatus = Literal["draft", "signed"]


def _known_cpt(v: str) -> str:
    code = v.removeprefix("+")
    if code not in CPT:
        raise ValueError(f"'{v}' is not a billing code this practice uses ({', '.join(sorted(CPT))}).")
    return code


Icd10Code = Annotated[str, Field(min_length=3, max_length=9), AfterValidator(normalise_icd10)]
CptCode = Annotated[str, Field(min_length=5, max_length=6), AfterValidator(_known_cpt)]


class DiagnosisIn(RequestBody):
    code: Icd10Code = Field(description="ICD-10-CM code, e.g. F33.2.")
    description: Label | None = Field(default=None, description="Empty: the usual name of a common code.")


class Diagnosis(ResponseBody):
    code: str
    description: str


class NoteCreate(RequestBody):
    template: TemplateCode
    consult_id: uuid.UUID | None = Field(default=None, description="The consult or booking this note documents.")
    visit_at: ClinicalTime | None = Field(default=None, description="When the visit took place (default: now).")
    modality: Modality = "video"
    place_of_service: PlaceOfService | None = Field(
        default=None, description="02 telehealth elsewhere, 10 telehealth at home, 11 office; default from modality."
    )
    pull_objective: bool = Field(default=True, description="Put the latest scores and vitals in the objective section.")
    language: PromptLanguage = Field(
        default="en",
        description="The language the psychiatrist writes in: the template's prompts and the scores "
        "and vitals pulled in are written in it.",
    )


class NoteUpdate(RequestBody):
    """Autosave: send the fields that changed; `base_revision` refuses to overwrite newer work."""

    base_revision: int | None = Field(default=None, ge=1, le=1_000_000)
    template: TemplateCode | None = None
    consult_id: uuid.UUID | None = None
    visit_at: ClinicalTime | None = None
    modality: Modality | None = None
    place_of_service: PlaceOfService | None = None
    subjective: LongText | None = None
    objective: LongText | None = None
    assessment: LongText | None = None
    plan: LongText | None = None
    diagnoses: list[DiagnosisIn] | None = Field(default=None, max_length=12)
    billing_codes: list[CptCode] | None = Field(default=None, max_length=6)
    summary_sections: list[SummaryPart] | None = Field(
        default=None, max_length=5, description="What the patient's after-visit summary shows."
    )
    patient_instructions: LongText | None = Field(default=None, description="Always part of the after-visit summary.")


class AddendumCreate(RequestBody):
    text: Annotated[LongText, Field(min_length=1)]
    include_in_summary: bool = Field(default=False, description="Show this addendum in the after-visit summary.")


class AddendumRead(ResponseBody):
    id: uuid.UUID
    author_id: uuid.UUID
    author_name: str
    text: str
    include_in_summary: bool
    signed_at: datetime
    content_hash: str


class BillingLine(ResponseBody):
    code: str
    description: str
    modifiers: list[str]
    place_of_service: str


class SummarySection(ResponseBody):
    section: SummaryPart
    label: str
    text: str


class SummaryAddendum(ResponseBody):
    signed_at: datetime
    text: str


class VisitSummaryRead(ResponseBody):
    """The after-visit summary: only what the psychiatrist chose to share."""

    note_id: uuid.UUID
    title: str
    visit_at: datetime
    psychiatrist: str | None
    signed_at: datetime | None
    sections: list[SummarySection]
    diagnoses: list[Diagnosis]
    patient_instructions: str
    addenda: list[SummaryAddendum]


class NoteRead(ResponseBody):
    id: uuid.UUID
    patient_id: uuid.UUID
    consult_id: uuid.UUID | None
    author_id: uuid.UUID
    template: TemplateCode
    title: str
    status: NoteStatus
    visit_at: datetime
    modality: Modality
    place_of_service: PlaceOfService
    subjective: str
    objective: str
    assessment: str
    plan: str
    diagnoses: list[Diagnosis]
    billing_codes: list[str]
    billing: list[BillingLine] = Field(description="Superbill lines: code, modifiers, place of service.")
    summary_sections: list[SummaryPart]
    patient_instructions: str
    revision: int
    created_at: datetime
    updated_at: datetime
    signed_at: datetime | None
    signed_by: uuid.UUID | None
    signer_name: str | None
    content_hash: str | None
    integrity_ok: bool | None = Field(description="Signed notes: the stored content still matches its hash.")
    addenda: list[AddendumRead]
    after_visit_summary: VisitSummaryRead = Field(description="Exactly what the patient will see.")


class NoteListItem(ResponseBody):
    id: uuid.UUID
    patient_id: uuid.UUID
    consult_id: uuid.UUID | None
    author_id: uuid.UUID
    template: TemplateCode
    title: str
    status: NoteStatus
    visit_at: datetime
    signed_at: datetime | None
    signer_name: str | None
    addenda: int


class TemplateRead(ResponseBody):
    code: TemplateCode
    title: str
    description: str
    prompts: dict[str, str]
    suggested_codes: list[str]
