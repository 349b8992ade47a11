"""The waitlist: a freed time is offered to the entries it suits, best first; the first to accept
gets it, later ones hear it was taken and stay on the list; offers expire.

A time frees when a visit is cancelled, marked a no-show ahead of its time, or moved
(signals.py queues the `offer_freed_time` job after the change commits).
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from booking.availability import booking_window, is_free
from booking.calendar import visit_ics
from booking.models import BookingRules, OnlineBooking, WaitlistEntry, WaitlistOffer, token_hash
from messaging import texts
from messaging.backends.base import SendError
from messaging.services import clinic_values, preference_of, record_email, send_text, texting_enabled
from scheduling.models import Appointment
from scheduling.services import BookingConflict, appointment_book
from timekeeping.timeutil import local

OFFERS_AT_ONCE = 3


class OfferClosed(Exception):
    """The offer was taken by someone else, or expired; the message says which."""


def offer_freed_time(*, therapist_id: int, starts_at: datetime, ends_at: datetime, offer_url) -> list[WaitlistOffer]:
    """Offer [starts_at, ends_at) of a therapist to the best suited waiting entries (priority, then
    age), OFFERS_AT_ONCE of them at once. `offer_url(token)` builds the link in the message."""
    rules = BookingRules.current()
    earliest, _latest = booking_window(rules)
    if starts_at < earliest:
        return []
    candidates = (
        WaitlistEntry.objects.waiting()
        .filter(Q(therapist_id=therapist_id) | Q(therapist__isnull=True))
        .select_related("service", "client")
        .order_by("-priority", "created_at", "id")
    )
    offers = []
    for entry in candidates:
        visit_end = starts_at + timedelta(minutes=entry.service.duration_minutes)
        if visit_end > ends_at or not entry.suits(starts_at, visit_end):
            continue
        if not is_free(therapist_id=therapist_id, starts_at=starts_at, ends_at=visit_end, rules=rules):
            continue
        if Appointment.objects.live().between(starts_at, visit_end).filter(client=entry.client).exists():
            continue  # already has a visit then
        offer = _make_offer(entry, therapist_id=therapist_id, starts_at=starts_at, offer_url=offer_url)
        if offer is not None:
            offers.append(offer)
        if len(offers) >= OFFERS_AT_ONCE:
            break
    return offers


def _make_offer(entry: WaitlistEntry, *, therapist_id: int, starts_at: datetime, offer_url) -> WaitlistOffer | None:
    token = OnlineBooking.new_token()
    expires = min(
        timezone.now() + timedelta(hours=settings.WAITLIST_OFFER_HOURS),
        starts_at - timedelta(hours=1),
    )
    try:
        with transaction.atomic():
            offer = WaitlistOffer.objects.create(
                entry=entry,
                therapist_id=therapist_id,
                starts_at=starts_at,
                token_hash=token_hash(token),
                expires_at=expires,
            )
    except IntegrityError:  # this time was offered to this entry before
        return None
    url = offer_url(token)
    to = entry.client.email or entry.contact_email
    channels = []
    if _wants_text(entry.client):
        channels.append("text")
        transaction.on_commit(lambda: _text_offer(offer=offer, url=url), robust=True)
    if to:
        channels.append("email")
        transaction.on_commit(lambda: _send_offer(offer=offer, to=to, url=url), robust=True)
    offer.channel = "+".join(channels) or "none"
    offer.save(update_fields=["channel"])
    return offer


OFFER_TEXT = "waitlist_offer"


def register_texts() -> None:
    """The text of an offer, worded by the manager like the reminders (messaging.texts)."""
    texts.register(
        OFFER_TEXT,
        label="Waitlist: a time freed up",
        default="$clinic: a time freed up on $date at $time. The first to accept gets it: $link",
        placeholders={
            "first_name": ("the client's first name", "Ana"),
            "date": ("the day of the time offered", "Tue Mar 4"),
            "time": ("its start time", "11:00"),
            "link": ("the private link to accept", "https://clinic.example/book/offer/…/"),
        },
    )


def _wants_text(client) -> bool:
    preference = preference_of(client)
    return texting_enabled() and preference.wants_texts and not preference.opted_out


def _text_offer(*, offer: WaitlistOffer, url: str) -> None:
    client, when = offer.entry.client, local(offer.starts_at)
    body = texts.render(
        OFFER_TEXT,
        {"first_name": client.first_name, "date": f"{when:%a %b %-d}", "time": f"{when:%H:%M}", "link": url},
        clinic=clinic_values(),
    )
    try:
        send_text(to=preference_of(client).text_number, body=body, kind=OFFER_TEXT, client=client)
    except SendError:  # logged on the client's profile; the email (if any) still goes
        pass


def _send_offer(*, offer: WaitlistOffer, to: str, url: str) -> None:
    when = local(offer.starts_at)
    clinic = settings.CLINIC_NAME
    subject = f"A time freed up: {when:%A %B %-d at %H:%M} — {clinic}"
    record_email(client=offer.entry.client, to=to, kind=OFFER_TEXT, subject=subject)
    EmailMessage(
        subject=subject,
        body=(
            f"Hello,\n\nA time you were waiting for is free: {offer.entry.service.name} on "
            f"{when:%A %B %-d at %H:%M}.\n\nThe first to accept gets it: {url}\n\n"
            f"The offer stands until {local(offer.expires_at):%H:%M on %B %-d}. If it is taken, you stay on "
            f"the waitlist.\n\n{clinic}\n"
        ),
        to=[to],
    ).send()


def open_offer(token: str) -> WaitlistOffer | None:
    if len(token) > 100:
        return None
    return (
        WaitlistOffer.objects.select_related("entry__service", "entry__client", "therapist")
        .filter(token_hash=token_hash(token))
        .first()
    )


def accept_offer(*, offer: WaitlistOffer) -> Appointment:
    """Book the offered time for the entry's client, if nobody was faster; OfferClosed otherwise
    (the offer then says taken or expired: written, not rolled back with the refusal)."""
    appointment, refusal = _accept(offer)
    if refusal:
        raise OfferClosed(refusal)
    return appointment


TAKEN = "Someone else took this time first. You are still on the waitlist."


@transaction.atomic
def _accept(offer: WaitlistOffer) -> tuple[Appointment | None, str]:
    # One acceptance of a given time at once: the next waits, then finds it taken. (Without it,
    # each holds its own offer while waiting for the other's visit, and the winner's closing
    # of the other offers deadlocks.)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtext(%s))",
            [f"waitlist:{offer.therapist_id}:{offer.starts_at.isoformat()}"],
        )
    offer = WaitlistOffer.objects.select_for_update().select_related("entry__service", "entry__client").get(pk=offer.pk)
    if offer.status == WaitlistOffer.Status.ACCEPTED:
        return None, "You have accepted this time already."
    if offer.status == WaitlistOffer.Status.TAKEN:
        return None, TAKEN
    if not offer.is_open:
        _close(offer, WaitlistOffer.Status.EXPIRED)
        return None, "This offer has expired. You are still on the waitlist."
    entry = WaitlistEntry.objects.select_for_update().select_related("service", "client").get(pk=offer.entry_id)
    if entry.status != WaitlistEntry.Status.WAITING:  # booked from another offer, or removed by the desk
        _close(offer, WaitlistOffer.Status.EXPIRED)
        return None, "This offer is closed: you are no longer on the waitlist for it. Please call us."
    rules = BookingRules.current()
    ends_at = offer.starts_at + timedelta(minutes=entry.service.duration_minutes)
    if not is_free(therapist_id=offer.therapist_id, starts_at=offer.starts_at, ends_at=ends_at, rules=rules):
        _close(offer, WaitlistOffer.Status.TAKEN)
        return None, TAKEN
    try:
        appointment = appointment_book(
            client=entry.client,
            therapist=offer.therapist,
            service=entry.service,
            starts_at=offer.starts_at,
            desk_notes="Booked from the waitlist",
        )
    except BookingConflict:  # PostgreSQL's word: someone booked it a moment ago
        _close(offer, WaitlistOffer.Status.TAKEN)
        return None, TAKEN
    offer.status, offer.appointment = WaitlistOffer.Status.ACCEPTED, appointment
    offer.save(update_fields=["status", "appointment"])
    entry.status = WaitlistEntry.Status.BOOKED
    entry.save(update_fields=["status"])
    # The others offered this time: taken (they stay on the list). This entry's other offers: closed.
    WaitlistOffer.objects.filter(
        therapist_id=offer.therapist_id, starts_at=offer.starts_at, status=WaitlistOffer.Status.SENT
    ).exclude(pk=offer.pk).update(status=WaitlistOffer.Status.TAKEN)
    WaitlistOffer.objects.filter(entry=entry, status=WaitlistOffer.Status.SENT).exclude(pk=offer.pk).update(
        status=WaitlistOffer.Status.EXPIRED
    )
    to = entry.client.email or entry.contact_email
    if to:
        transaction.on_commit(lambda: _send_booked(appointment=appointment, to=to), robust=True)
    return appointment, ""


def _close(offer: WaitlistOffer, status: str) -> None:
    offer.status = status
    offer.save(update_fields=["status"])


def _send_booked(*, appointment: Appointment, to: str) -> None:
    when = local(appointment.starts_at)
    message = EmailMessage(
        subject=f"Your visit on {when:%A %B %-d at %H:%M} — {settings.CLINIC_NAME}",
        body=f"Hello,\n\nYou have the time: {appointment.service.name} on {when:%A %B %-d, %Y at %H:%M}.\n\n"
        f"To change it, please call{' ' + settings.CLINIC_PHONE if settings.CLINIC_PHONE else ''}.\n\n"
        f"{settings.CLINIC_NAME}\n",
        to=[to],
    )
    message.attach("visit.ics", visit_ics(appointment), "text/calendar")
    message.send()


def remove_entry(entry_pk: int) -> None:
    """The desk takes someone off the list: their open offers close with it."""
    with transaction.atomic():
        removed = WaitlistEntry.objects.filter(pk=entry_pk, status=WaitlistEntry.Status.WAITING).update(
            status=WaitlistEntry.Status.REMOVED
        )
        if removed:
            WaitlistOffer.objects.filter(entry_id=entry_pk, status=WaitlistOffer.Status.SENT).update(
                status=WaitlistOffer.Status.EXPIRED
            )


def expire_offers(now: datetime | None = None) -> int:
    return WaitlistOffer.objects.filter(status=WaitlistOffer.Status.SENT, expires_at__lte=now or timezone.now()).update(
        status=WaitlistOffer.Status.EXPIRED
    )
