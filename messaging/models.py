"""Each client's reminder channel and text opt-out, the log of every message, the texts' wording.

Messages hold names, dates, times, the clinic's name and links, never health data: what the
clinic sends is made from the templates below, whose placeholders are only those.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from clients.models import Client

# Twilio takes up to 1,600 characters (ten segments and more); a reminder is one or two.
MAX_TEXT_LENGTH = 1600
MAX_TEMPLATE_LENGTH = 640


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    TEXT = "text", "Text message"
    BOTH = "both", "Email and text message"
    NONE = "none", "No reminders"


TEXT_CHANNELS = (Channel.TEXT, Channel.BOTH)
EMAIL_CHANNELS = (Channel.EMAIL, Channel.BOTH)


class ContactPreference(models.Model):
    """How a client gets reminders, the mobile number texts go to, and their STOP.

    A client without one gets reminders by email (as before texts existed). The opt-out is
    the client's own (a STOP reply): the desk cannot lift it, only the client's START.
    """

    client = models.OneToOneField(Client, on_delete=models.CASCADE, primary_key=True, related_name="contact_preference")
    reminders = models.CharField("reminders by", max_length=5, choices=Channel.choices, default=Channel.EMAIL)
    # E.164 (+15550102000): replies are matched to clients by it.
    text_number = models.CharField("mobile number for texts", max_length=20, blank=True)
    text_opted_out_at = models.DateTimeField("texts stopped (STOP) at", null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["text_number"], name="contactpref_text_number")]
        constraints = [
            models.CheckConstraint(
                condition=Q(reminders__in=["email", "text", "both", "none"]), name="contactpref_reminders_valid"
            ),
            models.CheckConstraint(
                condition=Q(text_number="") | Q(text_number__regex=r"^\+[1-9][0-9]{6,14}$"),
                name="contactpref_text_number_e164",
            ),
            models.CheckConstraint(
                condition=Q(reminders__in=["email", "none"]) | ~Q(text_number=""),
                name="contactpref_texts_need_a_number",
            ),
        ]

    def __str__(self):
        return f"Reminders by {self.get_reminders_display().lower()}"

    @property
    def wants_texts(self) -> bool:
        return self.reminders in TEXT_CHANNELS

    @property
    def opted_out(self) -> bool:
        return self.text_opted_out_at is not None


class MessageQuerySet(models.QuerySet):
    def for_profile(self, client):
        return self.filter(client=client).order_by("-created_at", "-id")


class Message(models.Model):
    """One message sent to or received from a client: texts both ways, reminder emails."""

    class Direction(models.TextChoices):
        OUT = "out", "Sent"
        IN = "in", "Received"

    class Medium(models.TextChoices):
        TEXT = "text", "Text"
        EMAIL = "email", "Email"

    class Status(models.TextChoices):
        SENT = "sent", "Sent"
        FAILED = "failed", "Not sent"
        RECEIVED = "received", "Received"

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="messages", db_index=False)
    direction = models.CharField(max_length=3, choices=Direction.choices)
    medium = models.CharField(max_length=5, choices=Medium.choices, default=Medium.TEXT)
    # Sent: the template's key (reminder, reply_confirmed...). Received: what the reply was read
    # as (confirm, cancel, stop, start, other).
    kind = models.CharField(max_length=40)
    to = models.CharField(max_length=254)
    sender = models.CharField(max_length=254, blank=True)
    # An email's subject only (its body may hold an intake link's secret); a text's whole body.
    body = models.TextField(max_length=MAX_TEXT_LENGTH, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices)
    error = models.CharField(max_length=200, blank=True)
    provider_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    objects = MessageQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["client", "-created_at", "-id"], name="message_client_recent")]
        constraints = [
            models.CheckConstraint(condition=Q(direction__in=["out", "in"]), name="message_direction_valid"),
            models.CheckConstraint(condition=Q(medium__in=["text", "email"]), name="message_medium_valid"),
            models.CheckConstraint(condition=Q(status__in=["sent", "failed", "received"]), name="message_status_valid"),
            # The provider sends a reply again when we were slow to answer: it is acted on once.
            models.UniqueConstraint(
                fields=["provider_id", "client"],
                condition=Q(direction="in") & ~Q(provider_id=""),
                name="message_inbound_once",
            ),
        ]

    def __str__(self):
        return f"{self.get_direction_display()} {self.get_medium_display().lower()} ({self.kind})"

    @property
    def is_free_text(self) -> bool:
        """A reply that is no keyword: the client's own words, which may be about their health."""
        return self.direction == self.Direction.IN and self.kind == "other"


class MessageTemplate(models.Model):
    """The manager's wording of a text (messaging/texts.py registers them, with their defaults)."""

    key = models.CharField(max_length=40, unique=True)
    body = models.TextField(max_length=MAX_TEMPLATE_LENGTH)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    def __str__(self):
        return self.key
