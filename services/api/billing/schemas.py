"""What the billing reports expose: amounts, visit types and names, never note contents or diagnoses."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import Field

from services.api.core.schemas import ResponseBody

# The same values as services.api.payments.models (a test keeps the two in step).
PaymentStatus = Literal["requires_payment", "requires_action", "processing", "succeeded", "failed", "canceled"]
RefundStatus = Literal["pending", "succeeded", "failed", "canceled"]
Grouping = Literal["day", "week", "month"]
Breakdown = Literal["total", "psychiatrist", "visit_type"]


class PaymentRow(ResponseBody):
    payment_id: uuid.UUID
    booking_id: uuid.UUID
    date_of_service: datetime = Field(description="When the visit starts, in `time_zone`.")
    time_zone: str
    patient_id: uuid.UUID
    patient_name: str
    psychiatrist_id: uuid.UUID
    psychiatrist_name: str
    visit_type_id: uuid.UUID
    visit_type: str
    amount_cents: int
    refunded_cents: int
    currency: str
    status: PaymentStatus
    outcome: str | None = Field(
        description="What became of the booking: confirmed, retaken, refunded_hold_lost, released."
    )
    failure_code: str | None
    failure_message: str | None = Field(description="Stripe's reason for a failed payment.")
    created_at: datetime
    succeeded_at: datetime | None
    test_mode: bool


class RefundRow(ResponseBody):
    refund_id: uuid.UUID
    payment_id: uuid.UUID
    booking_id: uuid.UUID
    date_of_service: datetime = Field(description="When the visit starts, in `time_zone`.")
    time_zone: str
    patient_id: uuid.UUID
    patient_name: str
    psychiatrist_id: uuid.UUID
    psychiatrist_name: str
    visit_type_id: uuid.UUID
    visit_type: str
    amount_cents: int
    currency: str
    status: RefundStatus
    kind: str = Field(description="cancellation_policy, practice_cancelled, admin, hold_lost or stripe.")
    reason: str
    requested_by: uuid.UUID | None
    requested_by_name: str | None
    requested_by_role: str | None
    created_at: datetime
    test_mode: bool


class RevenueRow(ResponseBody):
    period_start: date = Field(description="First day of the period, in `time_zone`.")
    key_id: uuid.UUID | None = Field(description="The psychiatrist or visit type (empty for `by=total`).")
    label: str | None
    currency: str
    gross_cents: int = Field(description="Succeeded payments.")
    refunded_cents: int = Field(description="Succeeded refunds.")
    net_cents: int = Field(description="Gross minus refunds.")
    payments: int = Field(description="How many payments succeeded.")
    refunds: int = Field(description="How many refunds succeeded.")


class RevenueTotal(ResponseBody):
    currency: str
    gross_cents: int
    refunded_cents: int
    net_cents: int
    payments: int
    refunds: int


class RevenueReport(ResponseBody):
    group: Grouping
    by: Breakdown
    time_zone: str
    from_date: date = Field(description="First day of the range, in `time_zone`.")
    to_date: date = Field(description="Last day of the range (inclusive), in `time_zone`.")
    rows: list[RevenueRow] = Field(
        description="One row per period (and psychiatrist or visit type), oldest first; `by=total` lists empty periods too."
    )
    totals: list[RevenueTotal] = Field(description="The whole range, per currency.")


class HoldRow(ResponseBody):
    booking_id: uuid.UUID
    starts_at: datetime = Field(description="In `time_zone`.")
    time_zone: str
    hold_expires_at: datetime
    patient_id: uuid.UUID
    patient_name: str
    psychiatrist_id: uuid.UUID
    psychiatrist_name: str
    visit_type_id: uuid.UUID
    visit_type: str
    price_cents: int
    currency: str
    payment_id: uuid.UUID | None
    payment_status: PaymentStatus | None = Field(description="Empty while no payment has been started.")
