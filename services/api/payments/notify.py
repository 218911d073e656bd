"""Payment e-mails: receipts after a payment and a refund, and the note when a late payment
could not keep its time and went back in full. In the patient's language, through the outbox."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.api.config import Settings
from services.api.notifications.service import notification_service
from services.api.payments.models import Payment, Refund
from services.api.scheduling.notify import format_money, format_when, join_url, visit_name
from services.api.scheduling.repository import scheduling_repository


async def send_payment_mail(
    session: AsyncSession, settings: Settings, payment: Payment, *, template: str, refund: Refund | None = None
) -> None:
    booking = await scheduling_repository.booking(session, payment.booking_id)
    contact = await scheduling_repository.patient_contact(session, payment.patient_id)
    visit_type = await scheduling_repository.visit_type(session, payment.visit_type_id)
    if booking is None or contact is None or visit_type is None:
        return
    patient, user = contact
    language = patient.language
    names = await scheduling_repository.psychiatrist_names(session, [payment.psychiatrist_id])
    await notification_service.enqueue_email(
        session,
        to=user.email,
        template=template,
        language=language,
        name=user.full_name,
        practice=settings.practice_name,
        practice_address=settings.practice_address,
        visit=visit_name(visit_type, language),
        psychiatrist=names.get(payment.psychiatrist_id, ""),
        when=format_when(booking.starts_at, patient.time_zone, language),
        amount=format_money(payment.amount_cents, payment.currency),
        refund=format_money(refund.amount_cents, refund.currency) if refund else "",
        refunded_total=format_money(payment.refunded_cents, payment.currency),
        receipt_number=str(payment.id).split("-")[0].upper(),
        refund_number=str(refund.id).split("-")[0].upper() if refund else "",
        test_mode=payment.test_mode,
        retaken=payment.outcome == "retaken",
        manage_link=join_url(settings, booking),
        book_link=f"{settings.public_url.rstrip('/')}/book",
    )
