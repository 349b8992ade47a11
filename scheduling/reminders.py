"""Appointment reminders, by email and by text per client (messaging/). Idempotent: each start
time gets one reminder per channel."""

from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import BooleanField, ExpressionWrapper, F, Q, Value
from django.urls import get_script_prefix, reverse
from django.utils import timezone

from intake.models import Intake, IntakeLink
from messaging import texts
from messaging.backends import SendError
from messaging.selectors import reminder_channels
from messaging.services import clinic_values, in_quiet_hours, record_email, send_text
from scheduling.models import Appointment
from timekeeping.timeutil import local

REMINDER_TEXT = "reminder"


def _not_sent(field: str) -> Q:
    return Q(**{f"{field}__isnull": True}) | ~Q(**{field: F("starts_at")})


def _due_by(*, now) -> tuple[Q, Q | None]:
    """(an email is due, a text is due): the client's channel, and none yet for this start time.
    No text is due in quiet hours (SMS_QUIET_HOURS): it goes at the first run after them."""
    email, text = reminder_channels(prefix="client__")
    email_due = email & _not_sent("reminder_sent_for")
    if text is None or in_quiet_hours(now):
        return email_due, None
    return email_due, text & _not_sent("text_reminder_sent_for")


def due_reminders(*, now=None, hours: int | None = None):
    now = now or timezone.now()
    hours = settings.REMINDER_HOURS_BEFORE if hours is None else hours
    email_due, text_due = _due_by(now=now)
    return (
        Appointment.objects.filter(
            status=Appointment.Status.BOOKED, starts_at__gt=now, starts_at__lte=now + timedelta(hours=hours)
        )
        # An archived client (moved away, asked not to be contacted) gets nothing from the clinic.
        .exclude(client__status="archived")
        .filter(email_due | text_due if text_due is not None else email_due)
        .annotate(
            email_due=ExpressionWrapper(email_due, output_field=BooleanField()),
            text_due=ExpressionWrapper(text_due, output_field=BooleanField()) if text_due is not None else Value(False),
        )
    )


def send_due_reminders(*, now=None, hours: int | None = None, progress=None) -> int:
    """Remind every visit starting within `hours` by the client's channels (email, text or both:
    messaging's ContactPreference) that have no reminder yet for its current start time; the
    number of reminders sent.

    Each visit is locked, reminded and marked in its own transaction: a second run (or a second
    worker running at once) sends nothing twice; a failed email is retried next run, and so is a
    text the provider could not take now (one it refused, such as a landline, is not). A first
    visit with no intake on file also gets an intake link by email.
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


def _remind(pk: int, *, now, hours) -> int:
    """Lock, remind and mark one visit in one transaction; 0 when it is no longer due
    (another run has it, or sent it, or it was moved or cancelled)."""
    with transaction.atomic():
        appointment = (
            due_reminders(now=now, hours=hours)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("client__contact_preference", "therapist", "service")
            .filter(pk=pk)
            .first()
        )
        if appointment is None:
            return 0
        sent, marked = 0, []
        if appointment.email_due:  # first: an email that fails rolls everything back, a text has not gone yet
            _send(appointment)
            appointment.reminder_sent_for = appointment.starts_at
            sent, marked = sent + 1, [*marked, "reminder_sent_for"]
        if appointment.text_due:
            texted, settled = _send_text(appointment)
            if settled:
                appointment.text_reminder_sent_for = appointment.starts_at
                marked.append("text_reminder_sent_for")
            sent += texted
        if marked:
            appointment.save(update_fields=marked)
        return sent


def _send_text(appointment: Appointment) -> tuple[bool, bool]:
    """Text the reminder: (sent, settled). Settled when sent, or when the provider refused it
    for good (logged on the profile as not sent); a failure worth retrying leaves it unsettled."""
    start = local(appointment.starts_at)
    client = appointment.client
    body = texts.render(
        REMINDER_TEXT,
        {
            "first_name": client.preferred_name or client.first_name,
            "date": f"{start:%a %b %-d}",
            "time": f"{start:%H:%M}",
            "therapist": str(appointment.therapist),
        },
        clinic=clinic_values(),
    )
    try:
        send_text(to=client.contact_preference.text_number, body=body, kind=REMINDER_TEXT, client=client)
    except SendError as error:
        return False, error.permanent
    return True, True


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
    subject = f"Reminder: your visit on {start:%a %b %-d at %H:%M}"
    send_mail(subject=subject, message="\n".join(lines), from_email=None, recipient_list=[appointment.client.email])
    record_email(client=appointment.client, to=appointment.client.email, kind=REMINDER_TEXT, subject=subject)
