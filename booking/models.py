"""Online booking: the clinic's rules, therapists' time off, and the visits clients booked themselves.

Each online booking has a private link (its token kept only as a SHA-256) to cancel or move the
visit within the cancellation window.
"""

import hashlib
import secrets
from datetime import time, timedelta

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone

from scheduling.models import Appointment, Service

PROTECT_USER = {"on_delete": models.PROTECT, "related_name": "+"}


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class BookingRules(models.Model):
    """The clinic's rules for online booking: one row (BookingRules.current())."""

    enabled = models.BooleanField("clients may book online", default=False)
    services = models.ManyToManyField(Service, blank=True, related_name="+", verbose_name="services bookable online")
    therapists = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name="therapists bookable online"
    )
    min_notice_hours = models.PositiveSmallIntegerField("minimum notice (hours)", default=12)
    horizon_days = models.PositiveSmallIntegerField("how far ahead (days)", default=60)
    buffer_minutes = models.PositiveSmallIntegerField("buffer between visits (minutes)", default=15)
    step_minutes = models.PositiveSmallIntegerField("times offered every (minutes)", default=30)
    cancel_window_hours = models.PositiveSmallIntegerField(
        "clients may cancel or move online until (hours before)", default=24
    )
    new_clients = models.BooleanField("new clients may book online", default=True)
    max_future_bookings = models.PositiveSmallIntegerField("online bookings ahead per person (at most)", default=3)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "booking rules"
        constraints = [
            models.CheckConstraint(condition=models.Q(step_minutes__gte=5), name="bookingrules_step_at_least_5"),
            models.CheckConstraint(condition=models.Q(horizon_days__lte=366), name="bookingrules_horizon_a_year"),
        ]

    def __str__(self):
        return "Online booking rules"

    @classmethod
    def current(cls) -> "BookingRules":
        rules = cls.objects.order_by("pk").first()
        return rules if rules is not None else cls.objects.get_or_create(pk=1)[0]

    @property
    def cancel_window(self) -> timedelta:
        return timedelta(hours=self.cancel_window_hours)


class TimeOff(models.Model):
    """A therapist away (a day off, a holiday, a course): no online booking then."""

    therapist = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="time_off")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name_plural = "time off"
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["therapist", "ends_at"], name="timeoff_therapist_end")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="timeoff_ends_after_start"
            )
        ]

    def __str__(self):
        return f"Time off {self.starts_at:%Y-%m-%d}"


class OnlineBookingQuerySet(models.QuerySet):
    def ahead(self):
        return self.filter(appointment__starts_at__gt=timezone.now()).exclude(
            appointment__status__in=[Appointment.Status.CANCELLED, Appointment.Status.NO_SHOW]
        )


class OnlineBooking(models.Model):
    """A visit a client booked on the public page, with the contact they gave and their private link."""

    appointment = models.OneToOneField(Appointment, on_delete=models.PROTECT, related_name="online_booking")
    token_hash = models.CharField(max_length=64, unique=True)
    # What the person typed, normalised: the cap of bookings ahead counts per contact, whoever it is.
    contact_email = models.EmailField(max_length=254, db_index=True)
    contact_phone_digits = models.CharField(max_length=20, blank=True, db_index=True)
    new_client = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    moved_at = models.DateTimeField(null=True, blank=True)
    suspicious_at = models.DateTimeField(null=True, blank=True)
    suspicious_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, **PROTECT_USER)

    objects = OnlineBookingQuerySet.as_manager()

    def __str__(self):
        return f"Online booking {self.pk}"

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)

    @classmethod
    def by_token(cls, token: str):
        return cls.objects.select_related(
            "appointment__service", "appointment__therapist", "appointment__client"
        ).filter(token_hash=token_hash(token))

    def can_change_online(self, rules: BookingRules) -> bool:
        appointment = self.appointment
        return appointment.status == Appointment.Status.BOOKED and (
            appointment.starts_at - timezone.now() >= rules.cancel_window
        )


# --- Waitlist ------------------------------------------------------------------------------------------


class WaitlistEntryQuerySet(models.QuerySet):
    def waiting(self):
        return self.filter(status=WaitlistEntry.Status.WAITING, until__gte=timezone.localdate())


class WaitlistEntry(models.Model):
    """Someone who would take an earlier or another time: what, with whom, which days and hours suit."""

    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting"
        BOOKED = "booked", "Booked from the waitlist"
        REMOVED = "removed", "Removed"

    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="waitlist_entries")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+")
    therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty: anyone.",
    )
    weekdays = ArrayField(models.PositiveSmallIntegerField(), default=list, help_text="0 Monday … 6 Sunday")
    earliest = models.TimeField("from", default=time(8))
    latest = models.TimeField("until (time of day)", default=time(20))
    until = models.DateField("waiting until")
    priority = models.SmallIntegerField(default=0, help_text="Higher first (front desk).")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    contact_email = models.EmailField(max_length=254, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, **PROTECT_USER)

    objects = WaitlistEntryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "waitlist entries"
        indexes = [models.Index(fields=["status", "service", "until"], name="waitlist_waiting")]
        constraints = [
            models.CheckConstraint(condition=models.Q(latest__gt=models.F("earliest")), name="waitlist_hours_in_order"),
        ]

    def __str__(self):
        return f"Waitlist entry {self.pk}"

    def suits(self, starts_at, ends_at) -> bool:
        start, end = timezone.localtime(starts_at), timezone.localtime(ends_at)
        return (
            start.weekday() in self.weekdays
            and self.earliest <= start.time()
            and end.time() <= self.latest
            and start.date() <= self.until
        )

    def weekday_labels(self) -> str:
        names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        return ", ".join(names[day] for day in sorted(self.weekdays) if 0 <= day < 7)


class WaitlistOffer(models.Model):
    """A freed time offered to a waitlist entry: the first to accept gets it."""

    class Status(models.TextChoices):
        SENT = "sent", "Offered"
        ACCEPTED = "accepted", "Accepted"
        TAKEN = "taken", "Taken by someone else"
        EXPIRED = "expired", "Expired"

    entry = models.ForeignKey(WaitlistEntry, on_delete=models.CASCADE, related_name="offers")
    therapist = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    starts_at = models.DateTimeField()
    token_hash = models.CharField(max_length=64, unique=True)
    channel = models.CharField(max_length=10, default="email")
    sent_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SENT)
    appointment = models.OneToOneField(
        Appointment, null=True, blank=True, on_delete=models.PROTECT, related_name="waitlist_offer"
    )

    class Meta:
        indexes = [models.Index(fields=["therapist", "starts_at"], name="waitlistoffer_slot")]
        constraints = [
            models.UniqueConstraint(fields=["entry", "therapist", "starts_at"], name="waitlistoffer_once_per_slot"),
        ]

    def __str__(self):
        return f"Offer {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.SENT and timezone.now() < self.expires_at
