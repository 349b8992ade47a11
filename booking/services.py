"""Booking, moving and cancelling online; the desk's refusal of a suspicious booking.

The page offered a time; the time is checked again here, and PostgreSQL's exclusion constraint
has the last word: of two people choosing the same slot at once, one gets it, the other hears
it was just taken (SlotTaken) and sees fresh times.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from booking.availability import is_available
from booking.calendar import visit_ics
from booking.models import BookingRules, OnlineBooking, token_hash
from clients.models import Client
from clients.search import digits
from intake.services import intake_link_create
from scheduling.models import Appointment
from scheduling.services import BookingConflict, appointment_book, appointment_cancel, appointment_reschedule
from timekeeping.timeutil import local


class SlotTaken(Exception):
    """Someone else booked this time a moment ago."""


class BookingRefused(Exception):
    """Said to the person as it is (a cap reached, online booking closed...)."""


@dataclass(frozen=True)
class Details:
    first_name: str
    last_name: str
    email: str
    phone: str
    date_of_birth: date

    @classmethod
    def from_form(cls, data: dict) -> "Details":
        return cls(
            first_name=data["first_name"].strip(),
            last_name=data["last_name"].strip(),
            email=data["email"].strip(),
            phone=data["phone"],
            date_of_birth=data["date_of_birth"],
        )


@dataclass(frozen=True)
class Outcome:
    booking: OnlineBooking | None  # None: nothing was booked (new clients may not book online)
    token: str = ""


def _same_phone(field: str, typed: str) -> Q:
    """The same number however it was written: the last ten digits (a country code or a leading
    1 added by a browser's autofill aside), as the duplicate check compares them."""
    number = digits(typed)
    if len(number) >= 10:
        return Q(**{f"{field}__endswith": number[-10:]})
    return Q(**{field: number}) if len(number) >= 7 else Q(pk__in=[])


def returning_client(details: Details) -> Client | None:
    """The one client with this date of birth and this email or phone, if exactly one."""
    contact = Q(email__iexact=details.email) | _same_phone("phone_digits", details.phone)
    found = list(Client.objects.filter(contact, date_of_birth=details.date_of_birth).exclude(status="archived")[:2])
    return found[0] if len(found) == 1 else None


def _lock_contact(details: Details) -> None:
    """One booking at a time per contact (its email and its phone, in a fixed order: no
    deadlock): the cap below cannot be passed by two tabs at once."""
    keys = sorted({f"booking:{details.email.lower()}", f"booking-phone:{digits(details.phone)[-10:]}"})
    with connection.cursor() as cursor:
        for key in keys:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [key])


def _bookings_ahead(details: Details) -> int:
    contact = Q(contact_email__iexact=details.email) | _same_phone("contact_phone_digits", details.phone)
    return OnlineBooking.objects.ahead().filter(contact).count()


def book_online(
    *, service, therapist_ids: list[int], starts_at: datetime, details: Details, link_url, manage_url
) -> Outcome:
    """Book the first of `therapist_ids` still free at `starts_at` for the person described.

    The person is recognised by date of birth and email or phone; otherwise a new client is
    added (when the rules allow). What the page says afterwards is the same either way.
    `link_url(token)` and `manage_url(token)` build absolute URLs for the emails.
    """
    rules = BookingRules.current()
    if not rules.enabled:
        raise BookingRefused("Online booking is closed: please call the clinic.")
    with transaction.atomic():
        _lock_contact(details)
        # The time first, for everyone: what the page answers next must not depend on who
        # the person is (a client or not, with bookings or not).
        free = [
            t for t in therapist_ids if is_available(service=service, therapist_id=t, starts_at=starts_at, rules=rules)
        ]
        if not free:
            raise SlotTaken
        if _bookings_ahead(details) >= rules.max_future_bookings:
            # Said by email to the contact given; the page thanks as for any booking.
            transaction.on_commit(lambda: _send_refusal(details, _cap_text(rules)), robust=True)
            return Outcome(None)
        client = returning_client(details)
        new_client = client is None
        if new_client and not rules.new_clients:
            transaction.on_commit(lambda: _send_refusal(details, NOT_FOUND_TEXT), robust=True)
            return Outcome(None)
        if new_client:
            client = Client.objects.create(
                first_name=details.first_name,
                last_name=details.last_name,
                email=details.email,
                phone=details.phone,
                date_of_birth=details.date_of_birth,
                referral_source="Online booking",
            )
        appointment = None
        for therapist_id in free:
            try:
                appointment = appointment_book(
                    client=client,
                    therapist=get_user_model().objects.get(pk=therapist_id),
                    service=service,
                    starts_at=starts_at,
                    desk_notes="Booked online",
                )
                break
            except BookingConflict as conflict:
                # The person already has a visit then: said like any taken time, so the page
                # tells nobody about someone else's visits.
                if conflict.client_busy:
                    raise SlotTaken from None
        if appointment is None:
            raise SlotTaken
        token = OnlineBooking.new_token()
        booking = OnlineBooking.objects.create(
            appointment=appointment,
            token_hash=token_hash(token),
            contact_email=details.email.lower(),
            contact_phone_digits=digits(details.phone)[:20],
            new_client=new_client,
        )
        to = client.email or details.email
        manage = manage_url(token)
        transaction.on_commit(lambda: send_confirmation(appointment=appointment, to=to, manage=manage), robust=True)
        if new_client:
            intake_link_create(client=client, by=None, email=True, link_url=link_url)
    return Outcome(booking, token)


def join_waitlist(*, details: Details, preferences: dict, contact_email: str):
    """The client's own waitlist entry from the booking page: a returning client's, or a new
    client's when the rules allow new clients (else nothing, and the page says the same)."""
    from booking.models import WaitlistEntry

    rules = BookingRules.current()
    with transaction.atomic():
        _lock_contact(details)
        client = returning_client(details)
        if client is None:
            if not rules.new_clients:
                return None
            client = Client.objects.create(
                first_name=details.first_name,
                last_name=details.last_name,
                email=details.email,
                phone=details.phone,
                date_of_birth=details.date_of_birth,
                referral_source="Online booking (waitlist)",
            )
        waiting = WaitlistEntry.objects.waiting().filter(client=client).count()
        if waiting >= rules.max_future_bookings:
            return None
        return WaitlistEntry.objects.create(client=client, contact_email=contact_email, **preferences)


def send_confirmation(*, appointment: Appointment, to: str, manage: str, moved: bool = False) -> None:
    when = local(appointment.starts_at)
    clinic = settings.CLINIC_NAME
    rules = BookingRules.current()
    therapist = appointment.therapist.first_name or appointment.therapist
    message = EmailMessage(
        subject=f"Your visit {'moved to' if moved else 'on'} {when:%A %B %-d at %H:%M} — {clinic}",
        body=(
            f"Hello,\n\nYour visit is booked: {appointment.service.name} with {therapist}"
            f" on {when:%A %B %-d, %Y at %H:%M}.\n\n"
            f"To cancel or move it (until {rules.cancel_window_hours} hours before): {manage}\n"
            f"Closer to the visit, please call{' ' + settings.CLINIC_PHONE if settings.CLINIC_PHONE else ''}.\n\n"
            f"{clinic}\n{settings.CLINIC_ADDRESS}\n"
        ),
        to=[to],
    )
    message.attach("visit.ics", visit_ics(appointment), "text/calendar")
    message.send()


NOT_FOUND_TEXT = (
    "We could not book your visit online: online booking is for clients who have visited us before, "
    "and we could not find your details with this email or phone and date of birth."
)


def _cap_text(rules: BookingRules) -> str:
    return (
        f"We could not book this visit online: {rules.max_future_bookings} visits are already booked online "
        "with these details."
    )


def _send_refusal(details: Details, reason: str) -> None:
    clinic = settings.CLINIC_NAME
    phone = f" at {settings.CLINIC_PHONE}" if settings.CLINIC_PHONE else ""
    EmailMessage(
        subject=f"Your booking request — {clinic}",
        body=f"Hello,\n\n{reason}\nPlease call us{phone} to book.\n\n{clinic}\n",
        to=[details.email],
    ).send()


@transaction.atomic
def cancel_online(*, booking: OnlineBooking) -> None:
    rules = BookingRules.current()
    booking = OnlineBooking.objects.select_for_update().select_related("appointment").get(pk=booking.pk)
    if not booking.can_change_online(rules):
        raise BookingRefused("This visit can no longer be changed online: please call the clinic.")
    appointment_cancel(appointment=booking.appointment, reason="Cancelled by the client online")


@transaction.atomic
def move_online(*, booking: OnlineBooking, starts_at: datetime, manage: str) -> Appointment:
    rules = BookingRules.current()
    booking = OnlineBooking.objects.select_for_update().select_related("appointment__service").get(pk=booking.pk)
    appointment = booking.appointment
    if not booking.can_change_online(rules):
        raise BookingRefused("This visit can no longer be changed online: please call the clinic.")
    if not is_available(
        service=appointment.service,
        therapist_id=appointment.therapist_id,
        starts_at=starts_at,
        rules=rules,
        exclude_pk=appointment.pk,
    ):
        raise SlotTaken
    try:
        appointment_reschedule(appointment=appointment, starts_at=starts_at)
    except BookingConflict as conflict:
        if conflict.client_busy:
            raise BookingRefused("You already have a visit at that time.") from None
        raise SlotTaken from None
    booking.moved_at = timezone.now()
    booking.save(update_fields=["moved_at"])
    to = appointment.client.email or booking.contact_email
    transaction.on_commit(
        lambda: send_confirmation(appointment=appointment, to=to, manage=manage, moved=True), robust=True
    )
    return appointment


@transaction.atomic
def refuse_suspicious(*, booking: OnlineBooking, by, message: str) -> None:
    """The desk marks an online booking as suspicious and cancels it, telling the contact why."""
    booking = OnlineBooking.objects.select_for_update().select_related("appointment").get(pk=booking.pk)
    booking.suspicious_at, booking.suspicious_by = timezone.now(), by
    booking.save(update_fields=["suspicious_at", "suspicious_by"])
    if booking.appointment.status == Appointment.Status.BOOKED:
        appointment_cancel(appointment=booking.appointment, reason="Online booking refused by the clinic", by=by)
    clinic, to = settings.CLINIC_NAME, booking.contact_email
    body = f"Hello,\n\n{message.strip()}\n\n{clinic}\n"
    transaction.on_commit(lambda: EmailMessage(subject=f"Your online booking — {clinic}", body=body, to=[to]).send())
