"""Read-only queries over payments, refunds, bookings, notes and the people on them.

Billing owns no tables: it is a reporting view across the payments, scheduling, notes,
patients and clinicians domains, so its repository reads their tables (never writes them),
joining in one query what a page of rows needs.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from services.api.accounts.models import User
from services.api.clinicians.models import License, PsychiatristProfile
from services.api.notes.models import VisitNote
from services.api.patients.models import Patient
from services.api.payments.models import Payment, Refund
from services.api.scheduling.models import Booking, VisitType

AnySelect = TypeVar("AnySelect", bound="Select[*tuple[Any, ...]]")


@dataclass(frozen=True, slots=True)
class Filters:
    since: datetime | None = None  # inclusive, UTC
    until: datetime | None = None  # exclusive, UTC
    psychiatrist_id: uuid.UUID | None = None
    visit_type_id: uuid.UUID | None = None
    status: str | None = None
    test_mode: bool | None = None


@dataclass(frozen=True, slots=True)
class PaymentLine:
    payment: Payment
    starts_at: datetime
    patient_name: str
    psychiatrist_name: str
    visit_type: str


@dataclass(frozen=True, slots=True)
class RefundLine:
    refund: Refund
    payment: Payment
    starts_at: datetime
    patient_name: str
    psychiatrist_name: str
    visit_type: str
    requested_by_name: str | None


@dataclass(frozen=True, slots=True)
class HoldLine:
    booking: Booking
    patient_name: str
    psychiatrist_name: str
    visit_type: str
    payment_id: uuid.UUID | None
    payment_status: str | None


@dataclass(frozen=True, slots=True)
class Money:
    """One succeeded payment or refund, for the revenue report."""

    at: datetime
    amount_cents: int
    currency: str
    psychiatrist_id: uuid.UUID
    visit_type_id: uuid.UUID


PatientUser = aliased(User, name="patient_user")
Requester = aliased(User, name="requester")
# How billing names a patient: the legal name from the profile, else the account's name.
PATIENT_NAME = func.coalesce(Patient.legal_name, PatientUser.full_name)


def _with_people(stmt: AnySelect) -> AnySelect:
    """Join a statement over payments to its booking, patient, psychiatrist and visit type."""
    return (
        stmt.join(Booking, Booking.id == Payment.booking_id)
        .join(Patient, Patient.user_id == Payment.patient_id)
        .join(PatientUser, PatientUser.id == Patient.user_id)
        .join(PsychiatristProfile, PsychiatristProfile.user_id == Payment.psychiatrist_id)
        .join(VisitType, VisitType.id == Payment.visit_type_id)
    )


def _payment_filters(stmt: AnySelect, f: Filters, at: Any) -> AnySelect:
    if f.since is not None:
        stmt = stmt.where(at >= f.since)
    if f.until is not None:
        stmt = stmt.where(at < f.until)
    if f.psychiatrist_id is not None:
        stmt = stmt.where(Payment.psychiatrist_id == f.psychiatrist_id)
    if f.visit_type_id is not None:
        stmt = stmt.where(Payment.visit_type_id == f.visit_type_id)
    if f.test_mode is not None:
        stmt = stmt.where(Payment.test_mode.is_(f.test_mode))
    return stmt


class BillingRepository:
    # --- superbills -------------------------------------------------------------------------
    async def booking(self, session: AsyncSession, booking_id: uuid.UUID) -> Booking | None:
        return await session.get(Booking, booking_id)

    async def bookings_of_patient(
        self, session: AsyncSession, patient_id: uuid.UUID, *, since: datetime, until: datetime
    ) -> Sequence[Booking]:
        stmt = (
            select(Booking)
            .where(Booking.patient_id == patient_id, Booking.starts_at >= since, Booking.starts_at < until)
            .order_by(Booking.starts_at, Booking.id)
        )
        return (await session.scalars(stmt)).all()

    async def signed_notes(self, session: AsyncSession, booking_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, VisitNote]:
        """The latest signed note of each booking (a note's consult id is its booking's id)."""
        if not booking_ids:
            return {}
        stmt = (
            select(VisitNote)
            .where(VisitNote.consult_id.in_(booking_ids), VisitNote.status == "signed")
            .order_by(VisitNote.signed_at, VisitNote.id)
        )
        out: dict[uuid.UUID, VisitNote] = {}
        for note in (await session.scalars(stmt)).all():
            assert note.consult_id is not None  # noqa: S101 - filtered on above
            out[note.consult_id] = note  # oldest first: the latest signature wins
        return out

    async def has_draft_note(self, session: AsyncSession, booking_id: uuid.UUID) -> bool:
        stmt = select(VisitNote.id).where(VisitNote.consult_id == booking_id, VisitNote.status == "draft").limit(1)
        return (await session.scalar(stmt)) is not None

    async def payments_of(self, session: AsyncSession, booking_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Payment]:
        if not booking_ids:
            return {}
        rows = (await session.scalars(select(Payment).where(Payment.booking_id.in_(booking_ids)))).all()
        return {p.booking_id: p for p in rows}

    async def refunded(self, session: AsyncSession, payment_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
        """Succeeded refunds per payment, in cents."""
        if not payment_ids:
            return {}
        stmt = (
            select(Refund.payment_id, func.sum(Refund.amount_cents))
            .where(Refund.payment_id.in_(payment_ids), Refund.status == "succeeded")
            .group_by(Refund.payment_id)
        )
        return {pid: int(total or 0) for pid, total in (await session.execute(stmt)).all()}

    async def patient_and_name(self, session: AsyncSession, patient_id: uuid.UUID) -> tuple[Patient, str] | None:
        row = (
            await session.execute(
                select(Patient, PATIENT_NAME)
                .join(PatientUser, PatientUser.id == Patient.user_id)
                .where(Patient.user_id == patient_id)
            )
        ).first()
        return (row[0], str(row[1] or "")) if row is not None else None

    async def providers(
        self, session: AsyncSession, psychiatrist_ids: Sequence[uuid.UUID], state: str
    ) -> dict[uuid.UUID, tuple[PsychiatristProfile, License | None]]:
        """Each psychiatrist's profile and their licence in `state` (the patient's), if any."""
        if not psychiatrist_ids:
            return {}
        stmt = (
            select(PsychiatristProfile, License)
            .outerjoin(License, (License.psychiatrist_id == PsychiatristProfile.user_id) & (License.state == state))
            .where(PsychiatristProfile.user_id.in_(psychiatrist_ids))
        )
        return {profile.user_id: (profile, lic) for profile, lic in (await session.execute(stmt)).all()}

    # --- the admin dashboard ----------------------------------------------------------------
    def _payments_stmt(self, f: Filters) -> Select[Payment, datetime, str, str, str]:
        stmt = _with_people(
            select(
                Payment,
                Booking.starts_at,
                PATIENT_NAME,
                PsychiatristProfile.display_name,
                VisitType.name,
            ).select_from(Payment)
        )
        stmt = _payment_filters(stmt, f, Payment.created_at)
        if f.status is not None:
            stmt = stmt.where(Payment.status == f.status)
        return stmt

    async def payments(
        self, session: AsyncSession, f: Filters, *, offset: int | None, limit: int | None
    ) -> tuple[list[PaymentLine], int | None]:
        """A page of payments, newest first, and the total (no total when not paging)."""
        stmt = self._payments_stmt(f)
        total: int | None = None
        if limit is not None:
            counted = _payment_filters(select(func.count(Payment.id)), f, Payment.created_at)
            if f.status is not None:
                counted = counted.where(Payment.status == f.status)
            total = int(await session.scalar(counted) or 0)
        stmt = stmt.order_by(Payment.created_at.desc(), Payment.id.desc()).offset(offset).limit(limit)
        rows = (await session.execute(stmt)).all()
        return [PaymentLine(p, starts, str(name or ""), doc, vt) for p, starts, name, doc, vt in rows], total

    async def refunds(
        self, session: AsyncSession, f: Filters, *, offset: int, limit: int
    ) -> tuple[list[RefundLine], int]:
        stmt = _with_people(
            select(
                Refund,
                Payment,
                Booking.starts_at,
                PATIENT_NAME,
                PsychiatristProfile.display_name,
                VisitType.name,
                Requester.full_name,
            )
            .select_from(Refund)
            .join(Payment, Payment.id == Refund.payment_id)
        ).outerjoin(Requester, Requester.id == Refund.requested_by)
        stmt = _payment_filters(stmt, f, Refund.created_at)
        counted = _payment_filters(
            select(func.count(Refund.id)).select_from(Refund).join(Payment, Payment.id == Refund.payment_id),
            f,
            Refund.created_at,
        )
        if f.status is not None:
            stmt = stmt.where(Refund.status == f.status)
            counted = counted.where(Refund.status == f.status)
        total = int(await session.scalar(counted) or 0)
        rows = (
            await session.execute(stmt.order_by(Refund.created_at.desc(), Refund.id.desc()).offset(offset).limit(limit))
        ).all()
        return [
            RefundLine(r, p, starts, str(name or ""), doc, vt, who) for r, p, starts, name, doc, vt, who in rows
        ], total

    async def succeeded_payments(self, session: AsyncSession, f: Filters) -> list[Money]:
        stmt = select(
            Payment.succeeded_at, Payment.amount_cents, Payment.currency, Payment.psychiatrist_id, Payment.visit_type_id
        ).where(Payment.status == "succeeded", Payment.succeeded_at.is_not(None))
        stmt = _payment_filters(stmt, f, Payment.succeeded_at)
        return [
            Money(at, amount, currency, doc, vt)
            for at, amount, currency, doc, vt in (await session.execute(stmt)).all()
            if at is not None
        ]

    async def succeeded_refunds(self, session: AsyncSession, f: Filters) -> list[Money]:
        stmt = (
            select(
                Refund.created_at, Refund.amount_cents, Refund.currency, Payment.psychiatrist_id, Payment.visit_type_id
            )
            .join(Payment, Payment.id == Refund.payment_id)
            .where(Refund.status == "succeeded")
        )
        stmt = _payment_filters(stmt, f, Refund.created_at)
        return [Money(*row) for row in (await session.execute(stmt)).all()]

    async def psychiatrist_names(self, session: AsyncSession, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]:
        if not ids:
            return {}
        stmt = select(PsychiatristProfile.user_id, PsychiatristProfile.display_name).where(
            PsychiatristProfile.user_id.in_(ids)
        )
        return dict((await session.execute(stmt)).all())

    async def visit_type_names(self, session: AsyncSession, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]:
        if not ids:
            return {}
        stmt = select(VisitType.id, VisitType.name).where(VisitType.id.in_(ids))
        return dict((await session.execute(stmt)).all())

    async def open_holds(
        self,
        session: AsyncSession,
        now: datetime,
        *,
        psychiatrist_id: uuid.UUID | None,
        visit_type_id: uuid.UUID | None,
        offset: int,
        limit: int,
    ) -> tuple[list[HoldLine], int]:
        """Bookings held for payment whose hold has not expired, soonest expiry first."""
        where = [Booking.status == "held", Booking.hold_expires_at > now]
        if psychiatrist_id is not None:
            where.append(Booking.psychiatrist_id == psychiatrist_id)
        if visit_type_id is not None:
            where.append(Booking.visit_type_id == visit_type_id)
        total = int(await session.scalar(select(func.count(Booking.id)).where(*where)) or 0)
        stmt = (
            select(
                Booking,
                PATIENT_NAME,
                PsychiatristProfile.display_name,
                VisitType.name,
                Payment.id,
                Payment.status,
            )
            .select_from(Booking)
            .join(Patient, Patient.user_id == Booking.patient_id)
            .join(PatientUser, PatientUser.id == Patient.user_id)
            .join(PsychiatristProfile, PsychiatristProfile.user_id == Booking.psychiatrist_id)
            .join(VisitType, VisitType.id == Booking.visit_type_id)
            .outerjoin(Payment, Payment.booking_id == Booking.id)
            .where(*where)
            .order_by(Booking.hold_expires_at, Booking.id)
            .offset(offset)
            .limit(limit)
        )
        rows = (await session.execute(stmt)).all()
        return [HoldLine(b, str(name or ""), doc, vt, pid, pstatus) for b, name, doc, vt, pid, pstatus in rows], total


billing_repository = BillingRepository()
