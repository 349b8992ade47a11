"""The feed as iCalendar (RFC 5545): one event per visit, with the client's initials and the service.

A phone's calendar copies what it fetches to its maker's servers (iCloud, Google) and shows
it on a lock screen: each event holds the client's initials, the service and the times, and
nothing else. No names, no notes for the desk, no cancellation reasons, nothing clinical.

The text depends only on the visits, never on the moment it is made (DTSTAMP is the visit's
last change), so the same book gives the same bytes and the same ETag.
"""

from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event, vDuration

from scheduling.models import Appointment

# How often calendars are asked to fetch again (apps may poll more or less often anyway).
REFRESH_EVERY = timedelta(minutes=15)


def initials(first_name: str, last_name: str) -> str:
    """'J.S.' for Jane Smith; a name without a letter or digit gives no initial."""
    letters = [next((c for c in name if c.isalnum()), "") for name in (first_name, last_name)]
    letters = [letter.upper() for letter in letters if letter]
    return "".join(f"{letter}." for letter in letters) or "Client"


def summary(appointment: Appointment) -> str:
    client = appointment.client
    return f"{initials(client.preferred_name or client.first_name, client.last_name)} – {appointment.service.name}"


def sequence(appointment: Appointment) -> int:
    """The event's revision: whole seconds from the booking to its last change (0 until changed).
    It grows with every change, as RFC 5545 asks, without a counter kept on the visit."""
    return max(0, int((appointment.updated_at - appointment.created_at).total_seconds()))


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def event(appointment: Appointment, *, host: str) -> Event:
    changed = _utc(appointment.updated_at)
    item = Event.new(
        # Stable per visit: a moved visit updates its event instead of adding another.
        uid=f"appointment-{appointment.pk}@{host}",
        start=_utc(appointment.starts_at),
        end=_utc(appointment.ends_at),
        summary=summary(appointment),
        status="CONFIRMED" if appointment.is_live else "CANCELLED",
        sequence=sequence(appointment),
        stamp=changed,
        last_modified=changed,
        created=_utc(appointment.created_at),
    )
    # Shared calendars show "busy", not the event, to others.
    item.add("CLASS", "PRIVATE")
    return item


def calendar(appointments, *, name: str, host: str, user_id: int) -> bytes:
    """The feed's text, events in the order given."""
    cal = Calendar.new(
        prodid="-//Clinic records//Calendar feed//EN",
        name=name,
        uid=f"calendar-feed-{user_id}@{host}",  # given, or icalendar makes a random one each time
        subcomponents=[event(appointment, host=host) for appointment in appointments],
    )
    cal.add("CALSCALE", "GREGORIAN")
    cal.add("METHOD", "PUBLISH")
    cal.add("REFRESH-INTERVAL", REFRESH_EVERY, parameters={"VALUE": "DURATION"})
    cal.add("X-PUBLISHED-TTL", vDuration(REFRESH_EVERY))
    return cal.to_ical()
