"""Reads of messaging for other apps: who gets reminders how, and the profile's panel."""

from django.db.models import Q

from accounts import access
from messaging.models import EMAIL_CHANNELS, TEXT_CHANNELS, Channel, ContactPreference, Message
from messaging.services import texting_enabled

PROFILE_MESSAGES = 5


def reminder_channels(*, prefix: str = "client__") -> tuple[Q, Q | None]:
    """(wants email, wants texts) as conditions on rows that reach the client through `prefix`.

    Texts: the client chose them (text, or email and text), has not texted STOP, and texting is
    on (None when it is off). Email: the client has an address and chose email (or has no
    preference: email is the default), or chose texts only and texts cannot reach them.
    """
    pref = f"{prefix}contact_preference__"
    has_email = ~Q(**{f"{prefix}email": ""})
    text_ok = Q(**{f"{pref}reminders__in": TEXT_CHANNELS, f"{pref}text_opted_out_at__isnull": True})
    texts_cannot_reach = Q(**{f"{pref}reminders": Channel.TEXT})
    if texting_enabled():
        texts_cannot_reach &= Q(**{f"{pref}text_opted_out_at__isnull": False})
    email = has_email & (
        Q(**{f"{pref}reminders__isnull": True}) | Q(**{f"{pref}reminders__in": EMAIL_CHANNELS}) | texts_cannot_reach
    )
    return email, (text_ok if texting_enabled() else None)


def profile_panel(request, client) -> dict | None:
    """How the client gets reminders and their latest messages, for every member of staff: the
    desk sees that a reminder went out. A reply in the client's own words (it may be about their
    health) is shown to clinicians only."""
    if not request.user.has_perm("clients.view_client"):
        return None
    preference = ContactPreference.objects.filter(client=client).first()
    messages = list(Message.objects.for_profile(client)[: PROFILE_MESSAGES + 1])
    return {
        "preference": preference,
        "messages": messages[:PROFILE_MESSAGES],
        "more_messages": len(messages) > PROFILE_MESSAGES,
        "texting_enabled": texting_enabled(),
        "show_free_text": access.can_read_clinical(request.user),
        "can_edit": request.user.has_perm("clients.change_client"),
    }
