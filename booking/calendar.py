"""The .ics file sent with a booking confirmation (RFC 5545, through icalendar)."""

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from scheduling.models import Appointment


def visit_ics(appointment: Appointment) -> bytes:
    """One event: the service and the clinic, the times in UTC; the same UID when the visit moves."""
    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.CLINIC_NAME}//Online booking//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"visit-{appointment.pk}@{_host()}")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", appointment.starts_at)
    event.add("dtend", appointment.ends_at)
    event.add("summary", f"{appointment.service.name} — {settings.CLINIC_NAME}")
    if settings.CLINIC_ADDRESS:
        event.add("location", settings.CLINIC_ADDRESS)
    event.add("status", "CANCELLED" if appointment.status == Appointment.Status.CANCELLED else "CONFIRMED")
    calendar.add_component(event)
    return calendar.to_ical()


def _host() -> str:
    from urllib.parse import urlsplit

    return urlsplit(settings.SITE_URL).hostname or "clinic"
