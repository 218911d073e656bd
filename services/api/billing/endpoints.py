from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

from fastapi import Depends, Query, Response
from fastapi.responses import StreamingResponse

from services.api.accounts.service import MfaRequired
from services.api.billing import service as svc
from services.api.billing.schemas import (
    Breakdown,
    Grouping,
    HoldRow,
    PaymentRow,
    PaymentStatus,
    RefundRow,
    RefundStatus,
    RevenueReport,
)
from services.api.billing.service import billing_service
from services.api.core.errors import Forbidden, Unauthorized, Unprocessable, responses
from services.api.core.pagination import Page, Pagination
from services.api.core.routing import APIRouter
from services.api.core.schemas import TimeZoneName
from services.api.deps import AppSettings, Ctx, CurrentAdmin, CurrentUser, ReadSession
from services.api.patients.service import PatientNotFound
from services.api.scheduling.flows import BookingNotFound
from services.api.scheduling.service import EndBeforeStart, RangeTooLong

superbill_router = APIRouter(prefix="/api", tags=["superbills"])
admin_router = APIRouter(prefix="/api/admin/billing", tags=["billing"])

SIGNED_IN = (Unauthorized, Forbidden, Unprocessable)
RANGE = (svc.DateOutOfRange, EndBeforeStart, RangeTooLong)

PDF_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The superbill as a PDF document.",
        "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
    }
}
CSV_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The payments as CSV (RFC 4180) with a header row; amounts in decimal units (dollars).",
        "content": {"text/csv": {"schema": {"type": "string"}}},
    }
}

From = Annotated[date | None, Query(alias="from", description="First day (inclusive), in `tz`.")]
To = Annotated[date | None, Query(description="Last day (inclusive), in `tz`.")]
Tz = Annotated[TimeZoneName | None, Query(description="IANA time zone for dates and days; default: the practice's.")]
PsychiatristId = Annotated[uuid.UUID | None, Query(description="Only this psychiatrist's visits.")]
VisitTypeId = Annotated[uuid.UUID | None, Query(description="Only this visit type.")]
TestMode = Annotated[
    bool | None, Query(description="Only test payments (true) or only live ones (false); default: both.")
]


def payment_query(
    from_: From = None,
    to: To = None,
    tz: Tz = None,
    psychiatrist_id: PsychiatristId = None,
    visit_type_id: VisitTypeId = None,
    status: Annotated[PaymentStatus | None, Query(description="e.g. `failed` for failed payments.")] = None,
    test_mode: TestMode = None,
) -> svc.BillingQuery:
    return svc.BillingQuery(from_, to, tz, psychiatrist_id, visit_type_id, status, test_mode)


def refund_query(
    from_: From = None,
    to: To = None,
    tz: Tz = None,
    psychiatrist_id: PsychiatristId = None,
    visit_type_id: VisitTypeId = None,
    status: Annotated[RefundStatus | None, Query(description="The refund's status.")] = None,
    test_mode: TestMode = None,
) -> svc.BillingQuery:
    return svc.BillingQuery(from_, to, tz, psychiatrist_id, visit_type_id, status, test_mode)


PaymentQuery = Annotated[svc.BillingQuery, Depends(payment_query)]
RefundQuery = Annotated[svc.BillingQuery, Depends(refund_query)]


def _pdf(file: svc.SuperbillFile) -> Response:
    return Response(
        file.content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{file.filename}"', "Cache-Control": "no-store"},
    )


# --- superbills -------------------------------------------------------------------------------
@superbill_router.get(
    "/bookings/{booking_id}/superbill.pdf",
    response_class=Response,
    responses=PDF_RESPONSE | responses(*SIGNED_IN, MfaRequired, BookingNotFound, PatientNotFound, svc.NoteNotSignedYet),
)
async def get_visit_superbill(
    booking_id: uuid.UUID, session: ReadSession, ctx: Ctx, actor: CurrentUser, settings: AppSettings
) -> Response:
    """A superbill for one visit (its note must be signed): for the patient, their care team and admins."""
    return _pdf(await billing_service.visit_superbill(session, ctx, settings, actor, booking_id))


@superbill_router.get(
    "/patients/{patient_id:uuid}/superbill.pdf",
    response_class=Response,
    responses=PDF_RESPONSE | responses(*SIGNED_IN, MfaRequired, PatientNotFound, *RANGE),
)
async def get_patient_superbill(
    patient_id: uuid.UUID,
    session: ReadSession,
    ctx: Ctx,
    actor: CurrentUser,
    settings: AppSettings,
    from_: Annotated[date, Query(alias="from", description="First date of service, in the patient's time zone.")],
    to: Annotated[date, Query(description="Last date of service (inclusive); at most 366 days after `from`.")],
) -> Response:
    """A superbill for every visit with a signed note in a date range; it says how many visits were left out."""
    return _pdf(await billing_service.range_superbill(session, ctx, settings, actor, patient_id, first=from_, last=to))


# --- the admin dashboard ------------------------------------------------------------------------
@admin_router.get("/payments", response_model=Page[PaymentRow], responses=responses(*SIGNED_IN, *RANGE))
async def list_payments(
    actor: CurrentAdmin,
    session: ReadSession,
    ctx: Ctx,
    settings: AppSettings,
    pagination: Pagination,
    query: PaymentQuery,
) -> Page[PaymentRow]:
    """Payments, newest first, filtered by the day they were started, psychiatrist, visit type and status."""
    return await billing_service.payments(session, ctx, settings, pagination, query)


@admin_router.get(
    "/payments.csv", response_class=StreamingResponse, responses=CSV_RESPONSE | responses(*SIGNED_IN, *RANGE)
)
async def export_payments_csv(
    actor: CurrentAdmin,
    session: ReadSession,
    ctx: Ctx,
    settings: AppSettings,
    query: PaymentQuery,
) -> StreamingResponse:
    """Every payment the filters select, as a CSV download (the same filters as the list)."""
    lines = await billing_service.payments_csv(session, ctx, settings, query)
    first, last = query.first, query.last
    name = "payments" + (f"-{first.isoformat()}" if first else "") + (f"-to-{last.isoformat()}" if last else "")
    return StreamingResponse(
        lines,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"', "Cache-Control": "no-store"},
    )


@admin_router.get("/refunds", response_model=Page[RefundRow], responses=responses(*SIGNED_IN, *RANGE))
async def list_refunds(
    actor: CurrentAdmin,
    session: ReadSession,
    ctx: Ctx,
    settings: AppSettings,
    pagination: Pagination,
    query: RefundQuery,
) -> Page[RefundRow]:
    """Refunds, newest first (amount, reason, kind, who asked and when), with the payment filters."""
    return await billing_service.refunds(session, ctx, settings, pagination, query)


@admin_router.get("/revenue", response_model=RevenueReport, responses=responses(*SIGNED_IN, *RANGE))
async def get_revenue(
    actor: CurrentAdmin,
    session: ReadSession,
    settings: AppSettings,
    group: Annotated[Grouping, Query(description="Periods: calendar days, ISO weeks (Monday) or months.")] = "month",
    by: Annotated[Breakdown, Query(description="One row per period, or per psychiatrist or visit type.")] = "total",
    from_: Annotated[
        date | None,
        Query(alias="from", description="First day, in `tz`; default: 30 days, 12 weeks or 12 months back."),
    ] = None,
    to: Annotated[date | None, Query(description="Last day (inclusive), in `tz`; default: today.")] = None,
    tz: Tz = None,
    psychiatrist_id: PsychiatristId = None,
    visit_type_id: VisitTypeId = None,
    test_mode: TestMode = None,
) -> RevenueReport:
    """Net revenue (succeeded payments minus succeeded refunds) and counts per day, week or month."""
    return await billing_service.revenue(
        session,
        settings,
        group=group,
        by=by,
        first=from_,
        last=to,
        tz=tz,
        psychiatrist_id=psychiatrist_id,
        visit_type_id=visit_type_id,
        test_mode=test_mode,
    )


@admin_router.get("/holds", response_model=Page[HoldRow], responses=responses(*SIGNED_IN))
async def list_open_holds(
    actor: CurrentAdmin,
    session: ReadSession,
    ctx: Ctx,
    settings: AppSettings,
    pagination: Pagination,
    tz: Tz = None,
    psychiatrist_id: PsychiatristId = None,
    visit_type_id: VisitTypeId = None,
) -> Page[HoldRow]:
    """Visits held for payment right now (hold not yet expired), soonest expiry first, with the payment's status."""
    return await billing_service.holds(
        session, ctx, settings, pagination, tz=tz, psychiatrist_id=psychiatrist_id, visit_type_id=visit_type_id
    )


ROUTERS = [superbill_router, admin_router]
