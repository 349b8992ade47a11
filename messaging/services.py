"""Sending a text, logging every message, each client's channel, and the replies that come back."""

import logging
import re
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from clients.models import Client
from messaging import replies, texts
from messaging.backends import OutgoingText, SendError, get_backend
from messaging.backends.twilio import UNSUBSCRIBED_RECIPIENT
from messaging.models import MAX_TEXT_LENGTH, Channel, ContactPreference, Message
from messaging.phones import InvalidNumber, to_e164
from messaging.sms_url import parse_quiet_hours, parse_sms_url
from timekeeping.timeutil import local

logger = logging.getLogger(__name__)


class TextNotSent(SendError):
    """The text was not even tried: texting is off, no usable number, or the client texted STOP."""

    def __init__(self, reason: str):
        super().__init__(reason, permanent=True)


def texting_enabled() -> bool:
    return parse_sms_url(settings.SMS_URL).enabled


def in_quiet_hours(moment: datetime | None = None) -> bool:
    """Whether texts wait now: SMS_QUIET_HOURS, in clinic time (a span may cross midnight)."""
    span = parse_quiet_hours(settings.SMS_QUIET_HOURS)
    if span is None:
        return False
    start, end = span
    now = local(moment or timezone.now()).time()
    return start <= now < end if start < end else (now >= start or now < end)


def clinic_values() -> dict[str, str]:
    return {"clinic": settings.CLINIC_NAME, "clinic_phone": settings.CLINIC_PHONE}


def send_text(*, to: str, body: str, kind: str, client: Client | None = None, by=None) -> Message:
    """Send one text through the SMS_URL backend and log it on the client's profile.

    `to` in any format the clinic writes numbers (normalised to E.164). Raises TextNotSent
    before trying when texting is off, the number is no number or the client texted STOP;
    SendError when the backend could not send it (the failure is logged; `permanent` says
    whether trying again could help). A client's STOP that only the provider knew (Twilio's
    error 21610) is recorded on their preference.
    """
    if len(body) > MAX_TEXT_LENGTH:
        raise ValueError(f"A text is at most {MAX_TEXT_LENGTH} characters.")
    backend = get_backend()
    if backend is None:
        raise TextNotSent("Texting is off (SMS_URL).")
    try:
        number = to_e164(to)
    except InvalidNumber as problem:
        raise TextNotSent(str(problem)) from None
    if client is not None and ContactPreference.objects.filter(client=client, text_opted_out_at__isnull=False).exists():
        raise TextNotSent("The client texted STOP.")
    message = Message(
        client=client,
        direction=Message.Direction.OUT,
        medium=Message.Medium.TEXT,
        kind=kind,
        to=number,
        sender=backend.sender,
        body=body,
        by=by,
    )
    try:
        message.provider_id = backend.send(OutgoingText(to=number, body=body))
    except SendError as error:
        message.status, message.error = Message.Status.FAILED, str(error)[:200]
        if client is not None:
            message.save()
            if error.code == str(UNSUBSCRIBED_RECIPIENT):
                ContactPreference.objects.filter(client=client, text_opted_out_at__isnull=True).update(
                    text_opted_out_at=timezone.now()
                )
        logger.warning("A text (%s) was not sent: %s", kind, error)
        raise
    message.status = Message.Status.SENT
    if client is not None:
        message.save()
    return message


def record_email(*, client: Client, to: str, kind: str, subject: str) -> Message:
    """Log an email sent to a client (its subject, never its body: links in it are secrets)."""
    return Message.objects.create(
        client=client,
        direction=Message.Direction.OUT,
        medium=Message.Medium.EMAIL,
        kind=kind,
        to=to,
        sender=settings.DEFAULT_FROM_EMAIL,
        body=subject,
        status=Message.Status.SENT,
    )


def preference_of(client: Client) -> ContactPreference:
    """The client's preference, or the default (reminders by email), unsaved."""
    return ContactPreference.objects.filter(client=client).first() or ContactPreference(client=client)


@transaction.atomic
def preference_set(*, client: Client, reminders: str, text_number: str, by=None) -> ContactPreference:
    """The desk sets how a client gets reminders. A STOP stays: only the client's START lifts it."""
    preference = ContactPreference.objects.select_for_update().filter(client=client).first()
    preference = preference or ContactPreference(client=client)
    preference.reminders = Channel(reminders)
    preference.text_number = to_e164(text_number) if text_number.strip() else ""
    preference.updated_by = by
    preference.full_clean()
    preference.save()
    return preference


# --- Replies ---------------------------------------------------------------------------------


def keyword(body: str) -> str:
    """What a reply says, as a keyword: ' c. ' -> 'C', 'Stop!' -> 'STOP'."""
    return re.sub(r"[^\w]", "", body or "").upper()


def receive_text(*, from_number: str, to_number: str, body: str, provider_id: str) -> None:
    """A text from someone: logged on the profile of each client texts go to at that number,
    and acted on (STOP, START, then the keywords apps registered: C, X). From a number no client
    has, nothing is stored and nothing answered.
    """
    try:
        number = to_e164(from_number)
    except InvalidNumber:
        return
    body = (body or "")[:MAX_TEXT_LENGTH]
    word = keyword(body)
    answer = None
    with transaction.atomic():
        preferences = list(
            ContactPreference.objects.select_for_update()
            .filter(text_number=number)
            .select_related("client")
            .order_by("client_id")
        )
        if not preferences:
            return
        clients = [p.client for p in preferences]
        handler = None
        if word in replies.STOP_WORDS:
            kind = "stop"
            ContactPreference.objects.filter(text_number=number, text_opted_out_at__isnull=True).update(
                text_opted_out_at=timezone.now()
            )
        elif word in replies.START_WORDS:
            kind = "start"
            ContactPreference.objects.filter(text_number=number).update(text_opted_out_at=None)
        elif (handler := replies.handler_for(word)) is not None:
            kind = handler.name
        else:
            kind = "other"
        try:
            with transaction.atomic():
                Message.objects.bulk_create(
                    Message(
                        client=client,
                        direction=Message.Direction.IN,
                        kind=kind,
                        to=to_number[:254],
                        sender=number,
                        body=body,
                        status=Message.Status.RECEIVED,
                        provider_id=provider_id[:64],
                    )
                    for client in clients
                )
        except IntegrityError:
            # The provider sent this reply again (we answered late): it was acted on already.
            transaction.set_rollback(True)
            return
        if handler is not None:
            answer = handler.act(clients=clients, now=timezone.now())
    if answer is not None:
        _answer(answer, number=number)


def _answer(answer: replies.Answer, *, number: str) -> None:
    body = texts.render(answer.template, answer.values, clinic=clinic_values())
    try:
        send_text(to=number, body=body, kind=answer.template, client=answer.client)
    except SendError:
        pass  # logged on the profile (or, not tried, because texting is off or they texted STOP)
