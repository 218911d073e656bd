"""Booking e-mails: the text in the patient's language and an .ics in the patient's zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from email.utils import parseaddr
from zoneinfo import ZoneInfo

import icalendar
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.config import Settings
from services.api.notifications.service import Attachment, notification_service
from services.api.scheduling.models import Booking, VisitType
from services.api.scheduling.repository import scheduling_repository
from services.common.clock import utcnow

_MONTHS = {
    "en": "January February March April May June July August September October November December".split(),
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre".split(),
}
_DAYS = {
    "en": "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split(),
    "es": "lunes martes miércoles jueves viernes sábado domingo".split(),
}


def format_when(at: datetime, zone: str, language: str) -> str:
    """`Sunday, March 8, 2026, 8:00 AM PDT (America/Los_Angeles)` or its Spanish form."""
    local = at.astimezone(ZoneInfo(zone))
    abbr = local.tzname() or ""
    if language == "es":
        return (
            f"{_DAYS['es'][local.weekday()]}, {local.day} de {_MONTHS['es'][local.month - 1]} de {local.year}, "
            f"{local:%H:%M} {abbr} ({zone})"
        )
    hour = local.hour % 12 or 12
    ampm = "AM" if local.hour < 12 else "PM"
    return (
        f"{_DAYS['en'][local.weekday()]}, {_MONTHS['en'][local.month - 1]} {local.day}, {local.year}, "
        f"{hour}:{local.minute:02d} {ampm} {abbr} ({zone})"
    )


def format_money(cents: int, currency: str) -> str:
    return f"{cents / 100:.2f} {currency.upper()}"


def lead_time(minutes: int, language: str) -> str:
    """How long before the visit a reminder goes out, as words."""
    if minutes % 1440 == 0:
        n, unit = minutes // 1440, ("day", "days") if language != "es" else ("día", "días")
    elif minutes % 60 == 0:
        n, unit = minutes // 60, ("hour", "hours") if language != "es" else ("hora", "horas")
    else:
        n, unit = minutes, ("minute", "minutes") if language != "es" else ("minuto", "minutos")
    return f"{n} {unit[0] if n == 1 else unit[1]}"


def join_url(settings: Settings, booking: Booking) -> str:
    return f"{settings.public_url.rstrip('/')}/visits/{booking.id}"


def visit_name(visit_type: VisitType, language: str) -> str:
    return visit_type.name_es if language == "es" and visit_type.name_es else visit_type.name


def build_ics(
    settings: Settings,
    booking: Booking,
    visit_type: VisitType,
    *,
    psychiatrist_name: str,
    zone: str,
    language: str,
    cancelled: bool = False,
) -> str:
    """One VEVENT with DTSTART/DTEND in `zone` and that zone's VTIMEZONE."""
    tz = ZoneInfo(zone)
    link = join_url(settings, booking)
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Halcyon//Scheduling//EN")
    cal.add("version", "2.0")
    cal.add("method", "CANCEL" if cancelled else "REQUEST")
    event = icalendar.Event()
    event.add("uid", f"{booking.id}@halcyon")
    event.add("sequence", booking.sequence)
    event.add("dtstamp", utcnow().astimezone(UTC))
    event.add("dtstart", booking.starts_at.astimezone(tz))
    event.add("dtend", booking.ends_at.astimezone(tz))
    name = visit_name(visit_type, language)
    event.add("summary", f"{name} — {psychiatrist_name}")
    event.add("description", f"{settings.practice_name}\n{link}")
    event.add("location", link)
    event.add("url", link)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    _, sender = parseaddr(settings.mail_from)
    if sender:
        organizer = icalendar.vCalAddress(f"mailto:{sender}")
        organizer.params["cn"] = icalendar.vText(settings.practice_name)
        event.add("organizer", organizer)
    cal.add_component(event)
    year = booking.starts_at.astimezone(tz).year
    cal.add_missing_timezones(first_date=date(year - 1, 1, 1), last_date=date(year + 2, 1, 1))
    ics: bytes = cal.to_ical()
    return ics.decode()


async def send_booking_mail(
    session: AsyncSession,
    settings: Settings,
    booking: Booking,
    *,
    template: str,
    previous_start: datetime | None = None,
    reminder_minutes: int | None = None,
) -> None:
    """Queue one booking e-mail to the patient (confirmation, reschedule, cancellation, reminder)."""
    contact = await scheduling_repository.patient_contact(session, booking.patient_id)
    visit_type = await scheduling_repository.visit_type(session, booking.visit_type_id)
    if contact is None or visit_type is None:
        return
    patient, user = contact
    language = patient.language
    zone = patient.time_zone
    names = await scheduling_repository.psychiatrist_names(session, [booking.psychiatrist_id])
    psychiatrist_name = names.get(booking.psychiatrist_id, "")
    cancelled = template == "booking_cancelled"
    attachments = None
    if template != "booking_reminder":
        ics = build_ics(
            settings,
            booking,
            visit_type,
            psychiatrist_name=psychiatrist_name,
            zone=zone,
            language=language,
            cancelled=cancelled,
        )
        method = "CANCEL" if cancelled else "REQUEST"
        attachments = [Attachment("visit.ics", f"text/calendar; method={method}; charset=utf-8", ics)]
    await notification_service.enqueue_email(
        session,
        to=user.email,
        template=template,
        language=language,
        attachments=attachments,
        name=user.full_name,
        practice=settings.practice_name,
        visit=visit_name(visit_type, language),
        psychiatrist=psychiatrist_name,
        when=format_when(booking.starts_at, zone, language),
        previous=format_when(previous_start, zone, language) if previous_start else "",
        minutes=visit_type.duration_minutes,
        join_link=join_url(settings, booking),
        manage_link=f"{settings.public_url.rstrip('/')}/bookings/{booking.id}",
        infusion=visit_type.is_infusion,
        lead=lead_time(reminder_minutes or 0, language),
        refund=format_money(booking.refund_cents or 0, booking.currency),
        fee=format_money(booking.fee_cents or 0, booking.currency),
        has_refund=bool(booking.refund_cents),
        has_fee=bool(booking.fee_cents),
        hold_minutes=settings.booking_hold_minutes,
    )


def reminder_times(settings: Settings, starts_at: datetime, now: datetime) -> list[tuple[int, datetime]]:
    """(offset, due time) of each reminder still ahead; a booking made late gets fewer."""
    return [
        (minutes, starts_at - timedelta(minutes=minutes))
        for minutes in sorted(set(settings.reminder_offsets_minutes), reverse=True)
        if minutes > 0 and starts_at - timedelta(minutes=minutes) > now
    ]
