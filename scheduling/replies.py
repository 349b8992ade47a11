"""Text replies about visits: C confirms and X cancels the client's next reminded visit.

Registered with messaging (messaging/replies.py) from SchedulingConfig.ready(), with the texts
that answer them and the reminder itself (messaging/texts.py).
"""

from django.db.models import F

from messaging import replies, texts
from scheduling import services
from scheduling.models import Appointment
from timekeeping.timeutil import local

CONFIRMED, CANCELLED, NOTHING_TO_CHANGE = "reply_confirmed", "reply_cancelled", "reply_nothing_to_change"
CANCEL_REASON = "Cancelled by the client (text reply X)"

_VISIT = {
    "first_name": ("the client's first name (or preferred name)", "Henrietta"),
    "date": ("the visit's day", "Mon May 5"),
    "time": ("the visit's start time", "11:00"),
}


def register() -> None:
    texts.register(
        "reminder",
        label="Visit reminder",
        default=(
            "Hi $first_name, a reminder of your visit at $clinic on $date at $time with $therapist. "
            "Reply C to confirm or X to cancel."
        ),
        placeholders={**_VISIT, "therapist": ("the therapist's name", "Maya Lindqvist")},
    )
    texts.register(
        CONFIRMED,
        label="Answer to C (confirmed)",
        default="Thank you, $first_name: your visit on $date at $time is confirmed. $clinic",
        placeholders=_VISIT,
    )
    texts.register(
        CANCELLED,
        label="Answer to X (cancelled)",
        default="Your visit on $date at $time is cancelled. To book again, please contact us. $clinic",
        placeholders=_VISIT,
    )
    texts.register(
        NOTHING_TO_CHANGE,
        label="Answer to C or X with no visit to change",
        default="We found no upcoming visit to confirm or cancel. Please contact us. $clinic",
        placeholders={},
    )
    replies.register("confirm", keywords={"C", "CONFIRM"}, act=confirm)
    replies.register("cancel", keywords={"X"}, act=cancel)


def next_reminded_visit(*, clients, now) -> Appointment | None:
    """The clients' next booked visit whose text reminder went out (for its current time)."""
    return (
        Appointment.objects.filter(
            client__in=clients,
            status=Appointment.Status.BOOKED,
            starts_at__gt=now,
            text_reminder_sent_for=F("starts_at"),
        )
        .select_related("client")
        .order_by("starts_at", "pk")
        .first()
    )


def _values(appointment: Appointment) -> dict[str, str]:
    start = local(appointment.starts_at)
    client = appointment.client
    return {
        "first_name": client.preferred_name or client.first_name,
        "date": f"{start:%a %b %-d}",
        "time": f"{start:%H:%M}",
    }


def confirm(*, clients, now) -> replies.Answer:
    appointment = next_reminded_visit(clients=clients, now=now)
    if appointment is None:
        return replies.Answer(NOTHING_TO_CHANGE, {}, clients[0])
    services.appointment_confirm(appointment=appointment, at=now)
    return replies.Answer(CONFIRMED, _values(appointment), appointment.client)


def cancel(*, clients, now) -> replies.Answer:
    appointment = next_reminded_visit(clients=clients, now=now)
    if appointment is None:
        return replies.Answer(NOTHING_TO_CHANGE, {}, clients[0])
    services.appointment_cancel(appointment=appointment, reason=CANCEL_REASON)
    return replies.Answer(CANCELLED, _values(appointment), appointment.client)
