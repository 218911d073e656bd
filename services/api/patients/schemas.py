from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import Field, model_validator

from services.api.core.schemas import RequestBody, ResponseBody, TimeZoneName, USState
from services.api.patients.fields import Label, Language, Line, Name, Phone

Sex = Literal["female", "male", "intersex", "undisclosed"]


class EmergencyContact(RequestBody):
    name: Name
    phone: Phone
    relationship: Label | None = None


class PrimaryCare(RequestBody):
    name: Name
    phone: Phone | None = None


class Pharmacy(RequestBody):
    name: Name
    phone: Phone | None = None
    address: Line | None = None


_REQUIRED = ("date_of_birth", "state", "time_zone", "language")


class ProfileUpdate(RequestBody):
    """Only the fields sent change; `null` clears an optional field."""

    legal_name: Name | None = None
    preferred_name: Name | None = None
    date_of_birth: date | None = None
    sex: Sex | None = None
    state: USState | None = Field(default=None, description="State of residence.")
    current_state: USState | None = Field(default=None, description="Where the patient is now, when away from home.")
    time_zone: TimeZoneName | None = None
    language: Language | None = None
    phone: Phone | None = None
    emergency_contact: EmergencyContact | None = None
    primary_care: PrimaryCare | None = None
    pharmacy: Pharmacy | None = None

    @model_validator(mode="after")
    def _required_stay_set(self) -> ProfileUpdate:
        cleared = [f for f in _REQUIRED if f in self.model_fields_set and getattr(self, f) is None]
        if cleared:
            raise ValueError(f"These cannot be cleared: {', '.join(cleared)}.")
        return self


class EmergencyContactRead(ResponseBody):
    name: str
    phone: str
    relationship: str | None


class PrimaryCareRead(ResponseBody):
    name: str
    phone: str | None


class PharmacyRead(ResponseBody):
    name: str
    phone: str | None
    address: str | None


class PatientProfile(ResponseBody):
    patient_id: uuid.UUID
    legal_name: str
    preferred_name: str | None
    date_of_birth: date
    sex: Sex | None
    state: str = Field(description="State of residence.")
    current_state: str | None
    time_zone: str
    language: Language
    phone: str | None
    emergency_contact: EmergencyContactRead | None
    primary_care: PrimaryCareRead | None
    pharmacy: PharmacyRead | None
    updated_at: datetime | None


class CareTeamAssign(RequestBody):
    psychiatrist_id: uuid.UUID


class CareTeamMemberRead(ResponseBody):
    patient_id: uuid.UUID
    psychiatrist_id: uuid.UUID
    psychiatrist_name: str
    reason: str
    added_at: datetime


class PatientSummary(ResponseBody):
    """A row of a psychiatrist's patient list."""

    patient_id: uuid.UUID
    name: str
    date_of_birth: date
    state: str
    language: Language
    on_care_team_since: datetime
