"""Bodies of the practice endpoints: the public facts and the settings an admin may change."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from services.api.config import ReminderOffsets
from services.api.core.schemas import RequestBody, ResponseBody

Section = Literal["cancellation", "booking", "crisis", "screening", "infusion", "response"]
Kind = Literal["integer", "number", "text", "integer_list"]
Unit = Literal["hours", "minutes", "days", "cents", "mmHg", "years", "points", "percent", "trials", "mg_per_kg", "mg"]
SettingValue = int | float | str | list[int]

CrisisPhone = Annotated[str, StringConstraints(min_length=1, max_length=40)]
CrisisText = Annotated[str, StringConstraints(min_length=1, max_length=2000)]


class PracticeInfo(ResponseBody):
    name: str
    crisis_line_phone: str
    crisis_line_text: str
    crisis_line_text_es: str
    environment: str


class PracticeSettingsPatch(RequestBody):
    """Only the settings given change; `null` puts one back to its default (the environment's).

    The numeric bounds are the ones `services/api/config.py` gives the same settings (a test
    keeps them equal); the crisis texts may not be blank, so no path can hide them.
    """

    cancellation_notice_hours: int | None = Field(default=None, ge=0, le=24 * 14)
    cancellation_fee_cents: int | None = Field(default=None, ge=0)
    booking_hold_minutes: int | None = Field(default=None, ge=1, le=120)
    booking_min_notice_minutes: int | None = Field(default=None, ge=0, le=60 * 24 * 30)
    booking_horizon_days: int | None = Field(default=None, ge=1, le=366)
    reminder_offsets_minutes: ReminderOffsets | None = Field(
        default=None, description="Repeats are dropped and the rest kept longest first; `[]`: no reminders."
    )
    crisis_line_phone: CrisisPhone | None = None
    crisis_resources_text: CrisisText | None = None
    crisis_resources_text_es: CrisisText | None = None
    safety_task_due_hours: int | None = Field(default=None, ge=1, le=168)
    program_entry_phq9_min: int | None = Field(default=None, ge=0, le=27)
    program_entry_gad7_min: int | None = Field(default=None, ge=0, le=21)
    program_entry_pcl5_min: int | None = Field(default=None, ge=0, le=80)
    hypertension_systolic_mmhg: int | None = Field(default=None, ge=90, le=250)
    hypertension_diastolic_mmhg: int | None = Field(default=None, ge=50, le=150)
    screening_min_age_years: int | None = Field(default=None, ge=0, le=120)
    treatment_resistance_min_trials: int | None = Field(default=None, ge=1, le=10)
    infusion_hold_systolic: int | None = Field(default=None, ge=90, le=250)
    infusion_hold_diastolic: int | None = Field(default=None, ge=50, le=160)
    infusion_dose_min_mg_per_kg: float | None = Field(default=None, gt=0, le=5, allow_inf_nan=False)
    infusion_dose_max_mg_per_kg: float | None = Field(default=None, gt=0, le=5, allow_inf_nan=False)
    infusion_dose_max_mg: float | None = Field(default=None, gt=0, le=1000, allow_inf_nan=False)
    phq9_response_drop_percent: int | None = Field(default=None, ge=1, le=100)
    phq9_remission_below: int | None = Field(default=None, ge=1, le=27)


class SettingChange(ResponseBody):
    id: uuid.UUID | None = Field(description="The administrator's user id (none once that account is gone).")
    name: str | None
    at: datetime


class PracticeSettingRead(ResponseBody):
    key: str = Field(description="The setting's name; its environment variable is HALCYON_ + the name in capitals.")
    section: Section
    kind: Kind
    unit: Unit | None
    description: str
    value: SettingValue = Field(description="What the practice uses now.")
    default: SettingValue = Field(description="The environment's value, used when no administrator set one.")
    overridden: bool = Field(description="An administrator's value is in force (false: the default).")
    minimum: int | float | None = Field(default=None, description="For a list: of each of its values.")
    exclusive_minimum: bool = Field(default=False, description="The value must be above `minimum`, not equal to it.")
    maximum: int | float | None = Field(default=None, description="For a list: of each of its values.")
    max_length: int | None = None
    max_items: int | None = Field(default=None, description="For a list: how many values it may hold.")
    changed: SettingChange | None = Field(description="Who last changed (or reset) it in the app, and when.")


class PracticeSettingsRead(ResponseBody):
    settings: list[PracticeSettingRead]
