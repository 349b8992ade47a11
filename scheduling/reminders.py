"""Appointment reminder emails. Idempotent: each start time gets one reminder."""

from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.urls import get_script_prefix, reverse
from django.utils import timezone

from intake.models import Intake, IntakeLink
from scheduling.models import Appointment
from timekeeping.timeutil import local


def due_reminders(*, now=None, hours: int | None = None):
    now = now or timezone.now()
    hours = settings.REMINDER_HOURS_BEFORE if hours is None else hours
    return (
        Appointment.objects.filter(
            status=Appointment.Status.BOOKED, starts_at__gt=now, starts_at__lte=now + timedelta(hours=hours)
        )
        .filter(Q(reminder_sent_for__isnull=True) | ~Q(reminder_sent_for=F("starts_at")))
        .exclude(client__email="")
        # An archived client (moved away, asked not to be contacted) gets no email from the clinic.
        .exclude(client__status="archived")
    )


def send_due_reminders(*, now=None, hours: int | None = None, progress=None) -> int:
    """Email every visit starting within `hours` that has no reminder for its current start time.

    Each visit is locked, emailed and marked in its own transaction: a second run (or
    a second cron job running at once) sends nothing twice; a failed email is retried
    next run. A first visit with no intake on file also gets an intake link.
    Raises ImproperlyConfigured, before sending anything, when SITE_URL is no web address.
    """
    _site_root()  # a SITE_URL that is no web address stops the run before any email
    sent = 0
    due = list(due_reminders(now=now, hours=hours).values_list("pk", flat=True))
    if progress is not None:
        progress.set_total(len(due))
    for pk in due:
        sent += _remind(pk, now=now, hours=hours)
        if progress is not None:
            progress.advance()
    return sent


def _remind(pk: int, *, now, hours) -> bool:
    """Lock, email and mark one visit in one transaction; False when it is no longer due
    (another run has it, or sent it, or it was moved or cancelled)."""
    with transaction.atomic():
        appointment = (
            due_reminders(now=now, hours=hours)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("client", "therapist", "service")
            .filter(pk=pk)
            .first()
        )
        if appointment is None:
            return False
        _send(appointment)
        appointment.reminder_sent_for = appointment.starts_at
        appointment.save(update_fields=["reminder_sent_for"])
        return True


def _site_root() -> str:
    """SITE_URL, checked: emails are read away from the app, so their links need its full address."""
    parts = urlsplit(settings.SITE_URL)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ImproperlyConfigured(
            f"SITE_URL must be the app's public address, e.g. https://clinic.example.com (it is {settings.SITE_URL!r})."
        )
    return settings.SITE_URL.rstrip("/") + "/"


def site_url(viewname: str, *, args=()) -> str:
    """A page's address on SITE_URL, for emails built outside a request.

    SITE_URL is the app's public address, with any path the app is served under. reverse()
    starts paths with this process's script prefix (FORCE_SCRIPT_NAME, or that of the last
    request it served), which SITE_URL already holds: the path is taken after it.
    """
    return _site_root() + reverse(viewname, args=args).removeprefix(get_script_prefix())


def _needs_intake(appointment: Appointment) -> bool:
    client = appointment.client
    is_first_visit = not Appointment.objects.filter(client=client, status=Appointment.Status.COMPLETED).exists()
    has_intake = Intake.objects.filter(client=client).exclude(status=Intake.Status.UNMATCHED).exists()
    return is_first_visit and not has_intake


def _send(appointment: Appointment) -> None:
    """The reminder holds when, where and with whom; never anything about health."""
    clinic = settings.CLINIC_NAME
    start = local(appointment.starts_at)
    lines = [
        f"Hello {appointment.client.preferred_name or appointment.client.first_name},",
        "",
        f"This is a reminder of your visit at {clinic}:",
        f"{start:%A, %B %-d at %H:%M} with {appointment.therapist} ({appointment.service.name}).",
    ]
    if settings.CLINIC_ADDRESS:
        lines.append(f"Address: {settings.CLINIC_ADDRESS}")
    if _needs_intake(appointment):
        link, token = IntakeLink.issue(client=appointment.client, purpose=IntakeLink.Purpose.LINK)
        link.emailed_to = appointment.client.email
        link.emailed_at = timezone.now()
        link.save(update_fields=["emailed_to", "emailed_at"])
        url = site_url("intake:open", args=[token])
        lines += [
            "",
            "Before your first visit, please fill in our intake form:",
            url,
            "You will be asked for your last name and date of birth.",
        ]
    if settings.CLINIC_PHONE:  # without a number, "please call us" leaves the client nowhere to turn
        lines += ["", f"To change or cancel, please call us at {settings.CLINIC_PHONE}."]
    lines += ["", clinic]
    send_mail(
        subject=f"Reminder: your visit on {start:%a %b %-d at %H:%M}",
        message="\n".join(lines),
        from_email=None,
        recipient_list=[appointment.client.email],
    )
