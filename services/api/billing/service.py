"""Billing for the practice: superbills for patients and their insurers, and the admin dashboard
(payments, refunds, revenue, open holds, CSV export).

Admins see amounts, visit types and names, never note contents or diagnoses; a superbill does
carry the codes of the signed note, because that is what an insurer reimburses against.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from services.api.accounts.service import MfaRequired
from services.api.audit import service as audit
from services.api.billing.repository import Filters, Money, PaymentLine, RefundLine
from services.api.billing.repository import billing_repository as repo
from services.api.billing.schemas import (
    Breakdown,
    Grouping,
    HoldRow,
    PaymentRow,
    RefundRow,
    RevenueReport,
    RevenueRow,
    RevenueTotal,
)
from services.api.billing.superbill import (
    BillPatient,
    BillVisit,
    Practice,
    Provider,
    ServiceLine,
    Superbill,
    render_superbill,
)
from services.api.config import Settings
from services.api.core.context import Actor, RequestContext, Role
from services.api.core.errors import Conflict, FieldError, Unprocessable
from services.api.core.pagination import Page, PageParams
from services.api.notes.models import VisitNote
from services.api.notes.service import billing_lines
from services.api.patients.models import Patient
from services.api.patients.service import PatientNotFound, patient_service
from services.api.scheduling.flows import BookingNotFound
from services.api.scheduling.models import Booking
from services.api.scheduling.service import EndBeforeStart, RangeTooLong
from services.common.clock import utcnow

# Until the practice has a time-zone setting of its own, reports default to this zone
# (the default practice address is in Boise, Idaho); every report takes `tz` to override it.
DEFAULT_PRACTICE_ZONE = "America/Boise"
EARLIEST = date(2000, 1, 1)
LATEST = date(2199, 12, 31)
MAX_SUPERBILL_DAYS = 366
MAX_REVENUE_PERIODS = 1000
CSV_COLUMNS = (
    "booking_id",
    "payment_id",
    "date_of_service",
    "patient",
    "psychiatrist",
    "visit_type",
    "amount",
    "refunded",
    "currency",
    "status",
    "outcome",
    "failure_code",
    "created_at",
    "succeeded_at",
    "test_mode",
)


class NoteNotSignedYet(Conflict):
    title = "The visit note must be signed before a superbill can be made"
    type_slug = "superbill-note-unsigned"


class DateOutOfRange(Unprocessable):
    title = "The date is out of range"
    type_slug = "date-out-of-range"


def practice_zone(settings: Settings) -> str:
    """The practice's time zone (`HALCYON_PRACTICE_TIME_ZONE`), else the default above."""
    return settings.practice_time_zone or DEFAULT_PRACTICE_ZONE


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The first instant of a calendar day in a zone (DST-safe: zoneinfo resolves the offset)."""
    return datetime.combine(day, time(0), tzinfo=zone)


def _unprocessable(cls: type[Unprocessable], field: str, message: str, code: str) -> Unprocessable:
    return cls(message, errors=[FieldError(field=field, message=message, code=code)])


def check_range(first: date | None, last: date | None) -> None:
    for name, day in (("query.from", first), ("query.to", last)):
        if day is not None and not EARLIEST <= day <= LATEST:
            raise _unprocessable(
                DateOutOfRange,
                name,
                f"Give a date between {EARLIEST.isoformat()} and {LATEST.isoformat()}.",
                "date_out_of_range",
            )
    if first is not None and last is not None and last < first:
        raise _unprocessable(
            EndBeforeStart,
            "query.to",
            "`to` is before `from`: give a range that ends after it starts.",
            "end_before_start",
        )


def _bounds(first: date | None, last: date | None, zone: ZoneInfo) -> tuple[datetime | None, datetime | None]:
    check_range(first, last)
    since = local_midnight(first, zone) if first is not None else None
    until = local_midnight(last + timedelta(days=1), zone) if last is not None else None
    return since, until


def period_start(day: date, group: Grouping) -> date:
    if group == "day":
        return day
    if group == "week":
        return day - timedelta(days=day.weekday())  # ISO weeks start on Monday
    return day.replace(day=1)


def next_period(start: date, group: Grouping) -> date:
    if group == "day":
        return start + timedelta(days=1)
    if group == "week":
        return start + timedelta(days=7)
    return date(start.year + start.month // 12, start.month % 12 + 1, 1)


def decimal_amount(cents: int) -> str:
    whole, part = divmod(abs(cents), 100)
    return f"{'-' if cents < 0 else ''}{whole}.{part:02d}"


def _cell(text: str) -> str:
    """Text a spreadsheet would run as a formula is quoted with a leading apostrophe (CSV injection)."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@dataclass(frozen=True, slots=True)
class BillingQuery:
    """The filters every billing list shares (days are calendar days in `tz`)."""

    first: date | None = None
    last: date | None = None
    tz: str | None = None
    psychiatrist_id: uuid.UUID | None = None
    visit_type_id: uuid.UUID | None = None
    status: str | None = None
    test_mode: bool | None = None


@dataclass(frozen=True, slots=True)
class SuperbillFile:
    content: bytes
    filename: str


def _visit_columns(line: PaymentLine | RefundLine, zone: ZoneInfo, zone_name: str) -> dict[str, Any]:
    """What a payment row and a refund row both show of the payment: the visit, who, when (the
    row models declare and check these fields)."""
    p = line.payment
    return {
        "payment_id": p.id,
        "booking_id": p.booking_id,
        "date_of_service": line.starts_at.astimezone(zone),
        "time_zone": zone_name,
        "patient_id": p.patient_id,
        "patient_name": line.patient_name,
        "psychiatrist_id": p.psychiatrist_id,
        "psychiatrist_name": line.psychiatrist_name,
        "visit_type_id": p.visit_type_id,
        "visit_type": line.visit_type,
        "test_mode": p.test_mode,
    }


class BillingService:
    # --- superbills -------------------------------------------------------------------------
    async def _ensure_may_bill(self, session: AsyncSession, actor: Actor, patient_id: uuid.UUID) -> None:
        """The patient themself, a psychiatrist on their care team, or an admin (billing)."""
        if actor.role == Role.admin:
            if not actor.mfa_verified:
                raise MfaRequired("Set up two-factor sign-in (an authenticator app) to continue.")
            return
        await patient_service.ensure_may_view_chart(session, actor, patient_id)

    async def _patient(self, session: AsyncSession, patient_id: uuid.UUID) -> tuple[Patient, str]:
        found = await repo.patient_and_name(session, patient_id)
        if found is None:
            raise PatientNotFound()
        return found

    async def _visits(
        self, session: AsyncSession, patient: Patient, billed: Sequence[tuple[Booking, VisitNote]]
    ) -> list[BillVisit]:
        bookings = [b for b, _ in billed]
        payments = await repo.payments_of(session, [b.id for b in bookings])
        refunded = await repo.refunded(session, [p.id for p in payments.values()])
        providers = await repo.providers(session, sorted({b.psychiatrist_id for b in bookings}), patient.state)
        visit_types = await repo.visit_type_names(session, sorted({b.visit_type_id for b in bookings}))
        zone = ZoneInfo(patient.time_zone)
        visits: list[BillVisit] = []
        for booking, note in billed:
            profile, lic = providers[booking.psychiatrist_id]
            payment = payments.get(booking.id)
            paid = payment.amount_cents if payment is not None and payment.status == "succeeded" else 0
            visits.append(
                BillVisit(
                    booking_id=booking.id,
                    date_of_service=booking.starts_at.astimezone(zone),
                    visit_type=visit_types.get(booking.visit_type_id, ""),
                    provider=Provider(
                        name=profile.display_name,
                        credentials=profile.credentials,
                        npi=profile.npi,
                        license_state=patient.state,
                        license_number=lic.number if lic is not None else None,
                    ),
                    diagnoses=[(str(d.get("code", "")), str(d.get("description", ""))) for d in note.diagnoses],
                    lines=[
                        ServiceLine(
                            code=line.code,
                            modifiers=list(line.modifiers),
                            place_of_service=line.place_of_service,
                            description=line.description,
                        )
                        for line in billing_lines(note)
                    ],
                    charged_cents=booking.price_cents,
                    paid_cents=paid,
                    refunded_cents=refunded.get(payment.id, 0) if payment is not None else 0,
                    currency=payment.currency if payment is not None else booking.currency,
                )
            )
        return visits

    def _bill(
        self,
        settings: Settings,
        patient: Patient,
        name: str,
        visits: list[BillVisit],
        *,
        period: tuple[date, date] | None = None,
        left_out: int = 0,
    ) -> Superbill:
        return Superbill(
            practice=Practice(
                name=settings.practice_name,
                address=settings.practice_address,
                phone=settings.practice_phone,
                npi=settings.practice_npi,
                tax_id=settings.practice_tax_id,
            ),
            patient=BillPatient(
                patient_id=patient.user_id,
                name=name,
                date_of_birth=patient.date_of_birth,
                state=patient.state,
                time_zone=patient.time_zone,
            ),
            visits=visits,
            issued_on=utcnow().astimezone(ZoneInfo(patient.time_zone)).date(),
            period=period,
            left_out=left_out,
            currencies=sorted({v.currency for v in visits}) or ["usd"],
        )

    async def visit_superbill(
        self, session: AsyncSession, ctx: RequestContext, settings: Settings, actor: Actor, booking_id: uuid.UUID
    ) -> SuperbillFile:
        if actor.role == Role.admin and not actor.mfa_verified:
            raise MfaRequired("Set up two-factor sign-in (an authenticator app) to continue.")
        booking = await repo.booking(session, booking_id)
        if booking is None or (actor.role == Role.patient and booking.patient_id != actor.user_id):
            raise BookingNotFound()  # another patient's visit looks like no visit
        await self._ensure_may_bill(session, actor, booking.patient_id)
        note = (await repo.signed_notes(session, [booking.id])).get(booking.id)
        if note is None:
            draft = await repo.has_draft_note(session, booking.id)
            raise NoteNotSignedYet(
                "The psychiatrist has started this visit's note but not signed it yet; the superbill is available "
                "once it is signed."
                if draft
                else "This visit has no signed note yet; the superbill is available once the psychiatrist signs it."
            )
        patient, name = await self._patient(session, booking.patient_id)
        visits = await self._visits(session, patient, [(booking, note)])
        audit.record(
            session,
            ctx,
            action="superbill.exported",
            subject_type="booking",
            subject_id=booking.id,
            patient_id=booking.patient_id,
            detail={"format": "pdf", "note_id": str(note.id), "billing_codes": list(note.billing_codes)},
        )
        return SuperbillFile(
            render_superbill(self._bill(settings, patient, name, visits)), f"superbill-{booking.id}.pdf"
        )

    async def range_superbill(
        self,
        session: AsyncSession,
        ctx: RequestContext,
        settings: Settings,
        actor: Actor,
        patient_id: uuid.UUID,
        *,
        first: date,
        last: date,
    ) -> SuperbillFile:
        check_range(first, last)
        if (last - first).days + 1 > MAX_SUPERBILL_DAYS:
            raise _unprocessable(
                RangeTooLong, "query.to", f"A superbill covers at most {MAX_SUPERBILL_DAYS} days.", "range_too_long"
            )
        await self._ensure_may_bill(session, actor, patient_id)
        patient, name = await self._patient(session, patient_id)
        zone = ZoneInfo(patient.time_zone)
        bookings = await repo.bookings_of_patient(
            session,
            patient_id,
            since=local_midnight(first, zone),
            until=local_midnight(last + timedelta(days=1), zone),
        )
        notes = await repo.signed_notes(session, [b.id for b in bookings])
        now = utcnow()
        billed = [(b, notes[b.id]) for b in bookings if b.id in notes]
        # Visits that took place but whose note is unsigned; cancelled, expired and future ones never count.
        left_out = sum(1 for b in bookings if b.id not in notes and b.status == "confirmed" and b.starts_at <= now)
        visits = await self._visits(session, patient, billed)
        audit.record(
            session,
            ctx,
            action="superbill.exported",
            subject_type="patient",
            subject_id=patient_id,
            patient_id=patient_id,
            detail={
                "format": "pdf",
                "from": first.isoformat(),
                "to": last.isoformat(),
                "booking_ids": [str(b.id) for b, _ in billed],
                "left_out": left_out,
            },
        )
        bill = self._bill(settings, patient, name, visits, period=(first, last), left_out=left_out)
        return SuperbillFile(render_superbill(bill), f"superbill-{first.isoformat()}-to-{last.isoformat()}.pdf")

    # --- the admin dashboard ----------------------------------------------------------------
    def _payment_row(self, line: PaymentLine, zone: ZoneInfo, zone_name: str) -> PaymentRow:
        p = line.payment
        return PaymentRow(
            **_visit_columns(line, zone, zone_name),
            amount_cents=p.amount_cents,
            refunded_cents=p.refunded_cents,
            currency=p.currency,
            status=p.status,
            outcome=p.outcome,
            failure_code=p.failure_code,
            failure_message=p.failure_message,
            created_at=p.created_at.astimezone(zone),
            succeeded_at=p.succeeded_at.astimezone(zone) if p.succeeded_at else None,
        )

    def _filters(self, settings: Settings, q: BillingQuery) -> tuple[Filters, ZoneInfo, str]:
        zone_name = q.tz or practice_zone(settings)
        zone = ZoneInfo(zone_name)
        since, until = _bounds(q.first, q.last, zone)
        return (
            Filters(
                since=since,
                until=until,
                psychiatrist_id=q.psychiatrist_id,
                visit_type_id=q.visit_type_id,
                status=q.status,
                test_mode=q.test_mode,
            ),
            zone,
            zone_name,
        )

    async def payments(
        self,
        session: AsyncSession,
        ctx: RequestContext,
        settings: Settings,
        page: PageParams,
        q: BillingQuery,
    ) -> Page[PaymentRow]:
        f, zone, zone_name = self._filters(settings, q)
        lines, total = await repo.payments(session, f, offset=page.offset, limit=page.limit)
        for line in lines:
            audit.record(
                session,
                ctx,
                action="billing.payment_listed",
                subject_type="payment",
                subject_id=line.payment.id,
                patient_id=line.payment.patient_id,
            )
        return Page(
            items=[self._payment_row(line, zone, zone_name) for line in lines],
            total=total or 0,
            page=page.page,
            limit=page.limit,
        )

    async def payments_csv(
        self,
        session: AsyncSession,
        ctx: RequestContext,
        settings: Settings,
        q: BillingQuery,
    ) -> Iterator[str]:
        """Every matching payment as CSV lines (RFC 4180), newest first.

        The rows are read (and their reads audited) inside the request's transaction; only the
        encoding is streamed, since the transaction ends before the response body is sent.
        """
        f, zone, _ = self._filters(settings, q)
        lines, _total = await repo.payments(session, f, offset=None, limit=None)
        for line in lines:
            audit.record(
                session,
                ctx,
                action="billing.payment_exported",
                subject_type="payment",
                subject_id=line.payment.id,
                patient_id=line.payment.patient_id,
                detail={"format": "csv"},
            )
        return self._csv_lines(lines, zone)

    def _csv_lines(self, lines: list[PaymentLine], zone: ZoneInfo) -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)

        def flush() -> str:
            text = buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            return text

        writer.writerow(CSV_COLUMNS)
        yield flush()
        for line in lines:
            p = line.payment
            writer.writerow(
                [
                    str(p.booking_id),
                    str(p.id),
                    line.starts_at.astimezone(zone).isoformat(),
                    _cell(line.patient_name),
                    _cell(line.psychiatrist_name),
                    _cell(line.visit_type),
                    decimal_amount(p.amount_cents),
                    decimal_amount(p.refunded_cents),
                    p.currency.upper(),
                    p.status,
                    p.outcome or "",
                    _cell(p.failure_code or ""),
                    p.created_at.astimezone(zone).isoformat(),
                    p.succeeded_at.astimezone(zone).isoformat() if p.succeeded_at else "",
                    "true" if p.test_mode else "false",
                ]
            )
            yield flush()

    async def refunds(
        self,
        session: AsyncSession,
        ctx: RequestContext,
        settings: Settings,
        page: PageParams,
        q: BillingQuery,
    ) -> Page[RefundRow]:
        f, zone, zone_name = self._filters(settings, q)
        lines, total = await repo.refunds(session, f, offset=page.offset, limit=page.limit)
        items: list[RefundRow] = []
        for line in lines:
            r, p = line.refund, line.payment
            audit.record(
                session,
                ctx,
                action="billing.refund_listed",
                subject_type="refund",
                subject_id=r.id,
                patient_id=p.patient_id,
            )
            items.append(
                RefundRow(
                    refund_id=r.id,
                    **_visit_columns(line, zone, zone_name),
                    amount_cents=r.amount_cents,
                    currency=r.currency,
                    status=r.status,
                    kind=r.kind,
                    reason=r.reason,
                    requested_by=r.requested_by,
                    requested_by_name=line.requested_by_name,
                    requested_by_role=r.requested_by_role,
                    created_at=r.created_at.astimezone(zone),
                )
            )
        return Page(items=items, total=total, page=page.page, limit=page.limit)

    async def revenue(
        self,
        session: AsyncSession,
        settings: Settings,
        *,
        group: Grouping,
        by: Breakdown,
        first: date | None,
        last: date | None,
        tz: str | None,
        psychiatrist_id: uuid.UUID | None,
        visit_type_id: uuid.UUID | None,
        test_mode: bool | None,
    ) -> RevenueReport:
        """Net revenue (succeeded payments minus succeeded refunds) per period of the zone's calendar."""
        zone_name = tz or practice_zone(settings)
        zone = ZoneInfo(zone_name)
        check_range(first, last)
        last = last or utcnow().astimezone(zone).date()
        if first is None:  # 30 days, 12 weeks or 12 months up to `to`
            if group == "day":
                first = last - timedelta(days=29)
            elif group == "week":
                first = period_start(last, "week") - timedelta(weeks=11)
            else:
                first = date(last.year - (1 if last.month < 12 else 0), last.month % 12 + 1, 1)
            first = max(first, EARLIEST)
        starts: list[date] = []
        start = period_start(first, group)
        while start <= last:
            starts.append(start)
            if len(starts) > MAX_REVENUE_PERIODS:
                raise _unprocessable(
                    RangeTooLong,
                    "query.to",
                    f"At most {MAX_REVENUE_PERIODS} periods: shorten the range or group by week or month.",
                    "range_too_long",
                )
            start = next_period(start, group)
        f = Filters(
            since=local_midnight(first, zone),
            until=local_midnight(last + timedelta(days=1), zone),
            psychiatrist_id=psychiatrist_id,
            visit_type_id=visit_type_id,
            test_mode=test_mode,
        )
        payments = await repo.succeeded_payments(session, f)
        refunds = await repo.succeeded_refunds(session, f)

        def key(m: Money) -> uuid.UUID | None:
            return {"total": None, "psychiatrist": m.psychiatrist_id, "visit_type": m.visit_type_id}[by]

        # (period, key, currency) -> [gross, refunded, payments, refunds]
        figures: dict[tuple[date, uuid.UUID | None, str], list[int]] = {}
        for sign, items in ((0, payments), (1, refunds)):
            for m in items:
                cell = figures.setdefault(
                    (period_start(m.at.astimezone(zone).date(), group), key(m), m.currency.lower()), [0, 0, 0, 0]
                )
                cell[sign] += m.amount_cents
                cell[2 + sign] += 1
        currencies = sorted({c for _, _, c in figures}) or ["usd"]
        if by == "total":
            for s in starts:
                if not any((s, None, c) in figures for c in currencies):
                    figures[(s, None, currencies[0])] = [0, 0, 0, 0]
        ids = sorted({k for _, k, _ in figures if k is not None})
        labels = (
            await repo.psychiatrist_names(session, ids)
            if by == "psychiatrist"
            else await repo.visit_type_names(session, ids)
            if by == "visit_type"
            else {}
        )
        rows = [
            RevenueRow(
                period_start=s,
                key_id=k,
                label=labels.get(k) if k is not None else None,
                currency=c,
                gross_cents=g,
                refunded_cents=r,
                net_cents=g - r,
                payments=n_p,
                refunds=n_r,
            )
            for (s, k, c), (g, r, n_p, n_r) in figures.items()
        ]
        rows.sort(key=lambda row: (row.period_start, row.label or "", str(row.key_id or ""), row.currency))
        totals = []
        for c in currencies:
            mine = [row for row in rows if row.currency == c]
            gross = sum(row.gross_cents for row in mine)
            refunded = sum(row.refunded_cents for row in mine)
            totals.append(
                RevenueTotal(
                    currency=c,
                    gross_cents=gross,
                    refunded_cents=refunded,
                    net_cents=gross - refunded,
                    payments=sum(row.payments for row in mine),
                    refunds=sum(row.refunds for row in mine),
                )
            )
        return RevenueReport(
            group=group, by=by, time_zone=zone_name, from_date=first, to_date=last, rows=rows, totals=totals
        )

    async def holds(
        self,
        session: AsyncSession,
        ctx: RequestContext,
        settings: Settings,
        page: PageParams,
        *,
        tz: str | None,
        psychiatrist_id: uuid.UUID | None,
        visit_type_id: uuid.UUID | None,
    ) -> Page[HoldRow]:
        zone_name = tz or practice_zone(settings)
        zone = ZoneInfo(zone_name)
        lines, total = await repo.open_holds(
            session,
            utcnow(),
            psychiatrist_id=psychiatrist_id,
            visit_type_id=visit_type_id,
            offset=page.offset,
            limit=page.limit,
        )
        items: list[HoldRow] = []
        for line in lines:
            b = line.booking
            assert b.hold_expires_at is not None  # noqa: S101 - open holds have an expiry by the query
            audit.record(
                session,
                ctx,
                action="billing.hold_listed",
                subject_type="booking",
                subject_id=b.id,
                patient_id=b.patient_id,
            )
            items.append(
                HoldRow(
                    booking_id=b.id,
                    starts_at=b.starts_at.astimezone(zone),
                    time_zone=zone_name,
                    hold_expires_at=b.hold_expires_at.astimezone(zone),
                    patient_id=b.patient_id,
                    patient_name=line.patient_name,
                    psychiatrist_id=b.psychiatrist_id,
                    psychiatrist_name=line.psychiatrist_name,
                    visit_type_id=b.visit_type_id,
                    visit_type=line.visit_type,
                    price_cents=b.price_cents,
                    currency=b.currency,
                    payment_id=line.payment_id,
                    payment_status=line.payment_status,
                )
            )
        return Page(items=items, total=total, page=page.page, limit=page.limit)


billing_service = BillingService()
