"""The appointment book: services and fees, therapists' working hours, appointments.

The tables keep the names they were created with in the clinical-records app (visits_service,
visits_workinghours, visits_appointment): the models moved here without moving any data
(migration 0001 is state only). PostgreSQL refuses two live appointments that overlap for
one therapist or for one client (exclusion constraints on btree_gist).
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import RangeBoundary, RangeOperators
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from clients.models import Client
from sessions.models import SessionNote, TsTzRange
from timekeeping.timeutil import local, today

PROTECT_USER = {"on_delete": models.PROTECT, "related_name": "+"}


# No visit is longer than this. It lets "visits on a day" read only a day's stretch of the
# start-time index: a visit that overlaps the day started at most this long before it.
LONGEST_VISIT = timedelta(hours=8)
LONGEST_VISIT_MINUTES = LONGEST_VISIT // timedelta(minutes=1)


class ServiceQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True).order_by("position", "duration_minutes", "name")


class Service(models.Model):
    """What the clinic books: a name, a length and a fee. Visits keep the fee they were booked at."""

    name = models.CharField(max_length=100)
    duration_minutes = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(5), MaxValueValidator(LONGEST_VISIT_MINUTES)]
    )
    fee = models.DecimalField(max_digits=8, decimal_places=2)
    active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=100)

    objects = ServiceQuerySet.as_manager()

    class Meta:
        db_table = "visits_service"
        ordering = ["position", "duration_minutes", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(duration_minutes__gte=5), name="service_duration_positive"),
            models.CheckConstraint(
                condition=Q(duration_minutes__lte=LONGEST_VISIT_MINUTES), name="service_duration_at_most_longest"
            ),
            models.CheckConstraint(condition=Q(fee__gte=0), name="service_fee_not_negative"),
        ]

    def __str__(self):
        return f"{self.name} ({self.duration_minutes} min)"


class WorkingHours(models.Model):
    """When a therapist takes clients, per weekday (several blocks a day allowed)."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, "Monday"
        TUESDAY = 1, "Tuesday"
        WEDNESDAY = 2, "Wednesday"
        THURSDAY = 3, "Thursday"
        FRIDAY = 4, "Friday"
        SATURDAY = 5, "Saturday"
        SUNDAY = 6, "Sunday"

    therapist = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="working_hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    starts = models.TimeField()
    ends = models.TimeField()

    class Meta:
        db_table = "visits_workinghours"
        ordering = ["therapist", "weekday", "starts"]
        verbose_name_plural = "working hours"
        constraints = [models.CheckConstraint(condition=Q(ends__gt=F("starts")), name="workinghours_ends_after_start")]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.starts:%H:%M}–{self.ends:%H:%M}"


class AppointmentQuerySet(models.QuerySet):
    def live(self):
        """Appointments that hold their time slot (not cancelled, not a no-show)."""
        return self.exclude(status__in=[Appointment.Status.CANCELLED, Appointment.Status.NO_SHOW])

    def between(self, start, end):
        """Appointments overlapping [start, end). The lower bound on starts_at is implied by
        LONGEST_VISIT; spelled out, it keeps the index scan to the period asked for."""
        return self.filter(starts_at__lt=end, starts_at__gt=start - LONGEST_VISIT, ends_at__gt=start)

    def for_calendar(self):
        return self.select_related("client", "therapist", "service").only(
            "id",
            "starts_at",
            "ends_at",
            "status",
            "desk_notes",
            "fee",
            "note_id",
            "confirmed_at",
            "client__id",
            "client__first_name",
            "client__last_name",
            "client__preferred_name",
            "client__status",
            "therapist__id",
            "therapist__first_name",
            "therapist__last_name",
            "therapist__username",
            "service__id",
            "service__name",
            "service__duration_minutes",
        )


class Appointment(models.Model):
    """A booked visit. PostgreSQL refuses two live appointments that overlap for one therapist
    or for one client."""

    class Status(models.TextChoices):
        BOOKED = "booked", "Booked"
        CHECKED_IN = "checked_in", "Checked in"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"
        NO_SHOW = "no_show", "No-show"

    TRANSITIONS = {
        Status.BOOKED: {Status.CHECKED_IN, Status.CANCELLED, Status.NO_SHOW},
        Status.CHECKED_IN: {Status.COMPLETED},
        Status.COMPLETED: set(),
        Status.CANCELLED: set(),
        Status.NO_SHOW: set(),
    }

    # Indexed by appointment_client_start (client first).
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="appointments", db_index=False)
    therapist = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appointments")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    fee = models.DecimalField(max_digits=8, decimal_places=2)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.BOOKED)
    desk_notes = models.CharField(
        "notes for the desk", max_length=300, blank=True, help_text="Scheduling notes only; no health information."
    )
    cancel_reason = models.CharField(max_length=200, blank=True)
    note = models.OneToOneField(
        SessionNote, on_delete=models.PROTECT, null=True, blank=True, related_name="appointment"
    )
    # The start time a reminder went out for, by email and by text: a rescheduled visit gets new ones.
    reminder_sent_for = models.DateTimeField(null=True, blank=True)
    text_reminder_sent_for = models.DateTimeField(null=True, blank=True)
    # When the client confirmed the visit (a text reply "C"); a move clears it.
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, **PROTECT_USER)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        db_table = "visits_appointment"
        indexes = [
            models.Index(fields=["starts_at"], name="appointment_start"),
            models.Index(fields=["therapist", "starts_at"], name="appointment_therapist_start"),
            models.Index(fields=["client", "-starts_at"], name="appointment_client_start"),
        ]
        constraints = [
            ExclusionConstraint(
                name="appointment_no_double_booking",
                expressions=[
                    ("therapist", RangeOperators.EQUAL),
                    (TsTzRange("starts_at", "ends_at", RangeBoundary()), RangeOperators.OVERLAPS),
                ],
                condition=~Q(status__in=["cancelled", "no_show"]),
                violation_error_message="The therapist already has a visit at that time.",
            ),
            # A client is in one room at a time: no two live visits of one client overlap,
            # whoever the therapists are.
            ExclusionConstraint(
                name="appointment_client_no_overlap",
                expressions=[
                    ("client", RangeOperators.EQUAL),
                    (TsTzRange("starts_at", "ends_at", RangeBoundary()), RangeOperators.OVERLAPS),
                ],
                condition=~Q(status__in=["cancelled", "no_show"]),
                violation_error_message="The client already has a visit at that time.",
            ),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="appointment_ends_after_start"),
            models.CheckConstraint(
                condition=Q(ends_at__lte=F("starts_at") + LONGEST_VISIT), name="appointment_at_most_longest_visit"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["booked", "checked_in", "completed", "cancelled", "no_show"]),
                name="appointment_status_valid",
            ),
        ]

    def __str__(self):
        return f"Appointment {self.pk}"

    def get_absolute_url(self):
        return reverse("scheduling:appointment_detail", args=[self.pk])

    @property
    def is_live(self) -> bool:
        return self.status not in (self.Status.CANCELLED, self.Status.NO_SHOW)

    def can_become(self, status: str) -> bool:
        return status in self.TRANSITIONS[self.status]

    @property
    def day_has_come(self) -> bool:
        """Its clinic day is today or past: the client can be checked in or marked a no-show."""
        return local(self.starts_at).date() <= today()

    @property
    def has_started(self) -> bool:
        """Its start time has passed: it can be completed, and once completed it has a receipt."""
        return self.starts_at <= timezone.now()
