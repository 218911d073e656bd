"""Treatment plans, their infusion sessions and the vitals taken during each session."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.api.core.db import Base, IdMixin


class TreatmentPlan(IdMixin, Base):
    """An IV ketamine plan: indication, induction series, dose per kg, schedule, maintenance."""

    __tablename__ = "treatment_plans"
    __table_args__ = (Index("ix_treatment_plans_patient_id_status", "patient_id", "status"),)

    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.user_id"))
    created_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    indication: Mapped[str] = mapped_column(String(40))
    indication_detail: Mapped[str] = mapped_column(Text, default="")
    induction_infusions: Mapped[int] = mapped_column(Integer)
    dose_mg_per_kg: Mapped[Decimal] = mapped_column(Numeric(5, 3))
    infusion_minutes: Mapped[int] = mapped_column(Integer)
    infusions_per_week: Mapped[int] = mapped_column(Integer)
    schedule_notes: Mapped[str] = mapped_column(Text, default="")
    maintenance_interval_weeks: Mapped[int | None] = mapped_column(Integer)
    maintenance_notes: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12))  # proposed | active | paused | completed
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    activated_at: Mapped[datetime | None]


class TreatmentPlanStatusChange(IdMixin, Base):
    """Who moved a plan between statuses, when, and why."""

    __tablename__ = "treatment_plan_status_changes"

    plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("treatment_plans.id"), index=True)
    from_status: Mapped[str] = mapped_column(String(12))
    to_status: Mapped[str] = mapped_column(String(12))
    changed_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(Text, default="")


class InfusionSession(IdMixin, Base):
    """One infusion of a plan (or one held infusion): dose, lot, times, effects, discharge."""

    __tablename__ = "infusion_sessions"
    __table_args__ = (
        UniqueConstraint("plan_id", "sequence"),
        Index("ix_infusion_sessions_patient_id_started_at", "patient_id", "started_at"),
    )

    plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("treatment_plans.id"))
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.user_id"))
    sequence: Mapped[int] = mapped_column(Integer)
    phase: Mapped[str] = mapped_column(String(12))  # induction | maintenance
    status: Mapped[str] = mapped_column(String(12))  # in_progress | held | completed
    booking_id: Mapped[uuid.UUID | None]
    weight_kg: Mapped[Decimal] = mapped_column(Numeric(5, 1))
    dose_mg_per_kg: Mapped[Decimal] = mapped_column(Numeric(5, 3))
    dose_mg: Mapped[Decimal] = mapped_column(Numeric(6, 1))
    lot_number: Mapped[str | None] = mapped_column(String(40))
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    hold_reason: Mapped[str | None] = mapped_column(Text)
    bp_override_reason: Mapped[str | None] = mapped_column(Text)
    cadss6_items: Mapped[list[int] | None] = mapped_column(JSON)
    cadss6_score: Mapped[int | None] = mapped_column(Integer)
    side_effects: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    interventions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    serious_event: Mapped[bool] = mapped_column(Boolean, default=False)
    discharge_alert: Mapped[bool | None] = mapped_column(Boolean)
    discharge_vitals_near_baseline: Mapped[bool | None] = mapped_column(Boolean)
    discharge_escort_present: Mapped[bool | None] = mapped_column(Boolean)
    discharged_at: Mapped[datetime | None]
    clinician_notes: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class InfusionVitals(IdMixin, Base):
    """Blood pressure, heart rate and SpO2 at one timepoint of a session."""

    __tablename__ = "infusion_vitals"
    __table_args__ = (UniqueConstraint("session_id", "timepoint"),)

    session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("infusion_sessions.id"), index=True)
    timepoint: Mapped[str] = mapped_column(String(10))  # pre | min_15 | min_30 | min_45 | end | discharge
    systolic: Mapped[int] = mapped_column(Integer)
    diastolic: Mapped[int] = mapped_column(Integer)
    heart_rate: Mapped[int] = mapped_column(Integer)
    spo2: Mapped[int] = mapped_column(Integer)
    recorded_at: Mapped[datetime]
    recorded_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
