import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from accounts import access
from bodymap.regions import REGION_CHOICES, Side, area_label, region_label
from clients.models import Client, Pressure
from intake.vocabulary import (
    SENSITIVE_AREAS,
    ActivityLevel,
    Allergy,
    Caution,
    Duration,
    HistoryKind,
    WorkPosture,
)

MAX_IDENTITY_ATTEMPTS = 5


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ConsentTextQuerySet(models.QuerySet):
    def current(self) -> "ConsentText | None":
        return self.order_by("-version").first()


class ConsentText(models.Model):
    """The clinic's consent wording. Every edit is a new version; signed versions stay."""

    version = models.PositiveIntegerField(unique=True)
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = ConsentTextQuerySet.as_manager()

    class Meta:
        ordering = ["-version"]

    def __str__(self):
        return f"Consent version {self.version}"


class IntakeLinkQuerySet(models.QuerySet):
    def by_token(self, token: str):
        return self.filter(token_hash=hash_token(token or ""))

    def usable(self):
        """Links a client may still open: not revoked, expired, submitted or locked."""
        return self.filter(
            revoked_at__isnull=True,
            submitted_at__isnull=True,
            expires_at__gt=timezone.now(),
            failed_attempts__lt=MAX_IDENTITY_ATTEMPTS,
        )


class IntakeLink(models.Model):
    """A secret link to fill in the intake form. Only the token's SHA-256 is stored.

    The draft holds the answers saved step by step until the form is submitted;
    it is emptied on submission (the answers then live in the Intake).
    """

    class Purpose(models.TextChoices):
        LINK = "link", "Link sent to a client"
        PUBLIC = "public", "New-client form on the website"
        IN_CLINIC = "in_clinic", "Entered in the clinic"

    client = models.ForeignKey(Client, on_delete=models.PROTECT, null=True, blank=True, related_name="intake_links")
    purpose = models.CharField(max_length=10, choices=Purpose.choices, default=Purpose.LINK)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    expires_at = models.DateTimeField()
    emailed_to = models.EmailField(blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    draft = models.JSONField(default=dict, blank=True)

    objects = IntakeLinkQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["client", "-created_at"], name="intakelink_client_recent")]
        constraints = [
            models.CheckConstraint(
                condition=Q(purpose="public") | Q(client__isnull=False), name="intakelink_client_unless_public"
            ),
        ]

    def __str__(self):
        return f"Intake link {self.pk}"

    @classmethod
    def issue(
        cls, *, client: Client | None, purpose: str, by=None, days: int | None = None
    ) -> tuple["IntakeLink", str]:
        """A new link and its token (the token is shown once and never stored)."""
        token = secrets.token_urlsafe(24)  # 192 bits
        days = days if days is not None else settings.INTAKE_LINK_DAYS
        link = cls.objects.create(
            client=client,
            purpose=purpose,
            token_hash=hash_token(token),
            created_by=by,
            expires_at=timezone.now() + timedelta(days=days),
        )
        return link, token

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_locked(self) -> bool:
        return self.failed_attempts >= MAX_IDENTITY_ATTEMPTS

    @property
    def is_usable(self) -> bool:
        return not (self.revoked_at or self.submitted_at or self.is_expired or self.is_locked)

    @property
    def needs_identity_check(self) -> bool:
        """A client's link, and the website form in any browser but the one that started it."""
        return self.purpose in (self.Purpose.LINK, self.Purpose.PUBLIC)

    @property
    def status(self) -> str:
        """What front desk sees: sent, opened, submitted, accepted, expired, revoked, locked."""
        if self.submitted_at:
            intake = getattr(self, "intake", None)
            return "accepted" if intake and intake.status == Intake.Status.ACCEPTED else "submitted"
        if self.revoked_at:
            return "revoked"
        if self.is_expired:
            return "expired"
        if self.is_locked:
            return "locked"
        if self.opened_at:
            return "opened"
        return "sent" if self.emailed_at else "created"

    @property
    def may_show_health_history(self) -> bool:
        """Whether the form may start from the client's last accepted health history.

        Front desk must not read health answers, and knows a client's last name and date of
        birth: a link whose address was shown to staff for copying could be opened by them.
        Only links the client received by email (never shown in the app) and links a
        clinician opened in the clinic start from the history.
        """
        if self.purpose == self.Purpose.IN_CLINIC:
            return True
        return self.purpose == self.Purpose.LINK and self.emailed_at is not None

    def mark_opened(self) -> None:
        if not self.opened_at:
            self.opened_at = timezone.now()
            IntakeLink.objects.filter(pk=self.pk, opened_at__isnull=True).update(opened_at=self.opened_at)

    def record_failed_attempt(self) -> None:
        IntakeLink.objects.filter(pk=self.pk).update(failed_attempts=F("failed_attempts") + 1)
        self.refresh_from_db(fields=["failed_attempts"])

    def revoke(self, *, by) -> None:
        if not self.revoked_at and not self.submitted_at:
            self.revoked_at = timezone.now()
            self.revoked_by = by
            self.save(update_fields=["revoked_at", "revoked_by"])


class IntakeQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The answers are health records: clinicians only (accounts.access.can_read_clinical).
        Front desk works with links and website submissions' contact details, never these rows' answers."""
        return self if access.can_read_clinical(user) else self.none()

    def accepted(self):
        return self.filter(status=Intake.Status.ACCEPTED)

    def awaiting_review(self):
        return self.filter(status=Intake.Status.AWAITING_REVIEW)

    def unmatched(self):
        return self.filter(status=Intake.Status.UNMATCHED)

    def current_for(self, client: Client) -> "Intake | None":
        """The client's current health history: the newest accepted intake."""
        return self.accepted().filter(client=client).order_by("-submitted_at", "-id").first()

    def with_answers(self):
        return self.select_related("client", "consent", "reviewed_by", "entered_by").prefetch_related(
            "areas", "history_events"
        )


@dataclass(frozen=True)
class Alert:
    kind: str  # "caution" or "do_not_work"
    label: str
    details: str = ""


class Intake(models.Model):
    """One dated version of a client's health history. Never overwritten."""

    class Status(models.TextChoices):
        UNMATCHED = "unmatched", "New client: waiting for front desk to match"
        AWAITING_REVIEW = "awaiting_review", "Awaiting review"
        ACCEPTED = "accepted", "Accepted"

    client = models.ForeignKey(Client, on_delete=models.PROTECT, null=True, blank=True, related_name="intakes")
    link = models.OneToOneField(IntakeLink, on_delete=models.PROTECT, null=True, blank=True, related_name="intake")
    status = models.CharField(max_length=20, choices=Status.choices)
    submitted_at = models.DateTimeField(default=timezone.now)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Contact details as the client gave them (not health data); staff choose on
    # review which of them update the client profile.
    contact = models.JSONField(default=dict, blank=True)

    # Reason for visit
    main_complaint = models.TextField("what brings you in")
    duration = models.CharField("how long has it been going on", max_length=20, choices=Duration.choices)
    onset = models.TextField("how it started", blank=True)
    better = models.TextField("what makes it better", blank=True)
    worse = models.TextField("what makes it worse", blank=True)

    # Health history
    medical_conditions = models.TextField(blank=True)
    medications = models.TextField(blank=True)
    allergies = ArrayField(models.CharField(max_length=20, choices=Allergy.choices), default=list, blank=True)
    allergies_other = models.CharField("other allergies", max_length=300, blank=True)
    cautions = ArrayField(models.CharField(max_length=30, choices=Caution.choices), default=list, blank=True)
    caution_details = models.JSONField(default=dict, blank=True)

    # Lifestyle
    occupation = models.CharField(max_length=200, blank=True)
    work_posture = models.CharField("work and daily posture", max_length=20, choices=WorkPosture.choices)
    activity_level = models.CharField(max_length=20, choices=ActivityLevel.choices)
    sports = models.TextField("sports and activities", blank=True)
    sleep_quality = models.PositiveSmallIntegerField()
    stress_level = models.PositiveSmallIntegerField()

    # Preferences
    goals = models.TextField("goals for treatment")
    pressure = models.CharField("pressure preference", max_length=20, choices=Pressure.choices, blank=True)
    do_not_work = ArrayField(models.CharField(max_length=30), default=list, blank=True)
    do_not_work_other = models.CharField("other areas not to work on", max_length=300, blank=True)
    draping = models.TextField("draping preferences", blank=True)

    # Consent
    consent = models.ForeignKey(ConsentText, on_delete=models.PROTECT, related_name="+")
    consent_gluteals = models.BooleanField()
    consent_chest = models.BooleanField()
    consent_inner_thigh = models.BooleanField()
    consent_abdomen = models.BooleanField()
    signature_name = models.CharField(max_length=200)
    signature_drawing = models.TextField(blank=True)  # optional PNG data URL from the signature pad
    signed_at = models.DateTimeField()

    objects = IntakeQuerySet.as_manager()

    class Meta:
        permissions = [("match_intake", "Can match website intake submissions to clients (contact details only)")]
        indexes = [
            models.Index(fields=["client", "status", "-submitted_at"], name="intake_client_history"),
            models.Index(fields=["status", "submitted_at"], name="intake_queue"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="unmatched") | Q(client__isnull=False), name="intake_client_unless_unmatched"
            ),
            models.CheckConstraint(condition=Q(sleep_quality__range=(1, 5)), name="intake_sleep_quality_1_5"),
            models.CheckConstraint(condition=Q(stress_level__range=(0, 10)), name="intake_stress_level_0_10"),
            models.CheckConstraint(
                condition=Q(status__in=["unmatched", "awaiting_review", "accepted"]), name="intake_status_valid"
            ),
        ]

    def __str__(self):
        return f"Intake of {self.submitted_at:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("intake:detail", args=[self.pk])

    @property
    def contact_name(self) -> str:
        if self.client_id:
            return self.client.display_name
        return f"{self.contact.get('first_name', '')} {self.contact.get('last_name', '')}".strip()

    def sensitive_consents(self) -> list[tuple[str, bool]]:
        return [(label, getattr(self, f"consent_{code}")) for code, label in SENSITIVE_AREAS]

    def alerts(self) -> list[Alert]:
        """Contraindications and areas not to work: shown to therapists on every clinical page."""
        labels = dict(Caution.choices)
        alerts = [
            Alert("caution", labels.get(code, code), self.caution_details.get(code, "")) for code in self.cautions
        ]
        alerts += [Alert("do_not_work", f"Do not work: {region_label(code)}") for code in self.do_not_work]
        if self.do_not_work_other:
            alerts.append(Alert("do_not_work", "Do not work (other)", self.do_not_work_other))
        alerts += [
            Alert("do_not_work", f"No consent to work: {label}")
            for (code, label), (_, given) in zip(SENSITIVE_AREAS, self.sensitive_consents(), strict=True)
            if not given and code not in self.do_not_work
        ]
        return alerts

    def approve(self, *, by) -> None:
        self.status = self.Status.ACCEPTED
        self.reviewed_at = timezone.now()
        self.reviewed_by = by
        self.save(update_fields=["status", "reviewed_at", "reviewed_by"])


class IntakeArea(models.Model):
    """An area of concern on the body map, with the client's pain rating."""

    intake = models.ForeignKey(Intake, on_delete=models.CASCADE, related_name="areas")
    region = models.CharField(max_length=30, choices=REGION_CHOICES)
    side = models.CharField(max_length=10, choices=Side.choices)
    pain = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["intake", "region"], name="intakearea_one_per_region"),
            models.CheckConstraint(condition=Q(pain__range=(0, 10)), name="intakearea_pain_0_10"),
        ]

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        return area_label(self.region, self.side)


class IntakeHistoryEvent(models.Model):
    """A past injury, surgery or accident."""

    intake = models.ForeignKey(Intake, on_delete=models.CASCADE, related_name="history_events")
    kind = models.CharField(max_length=10, choices=HistoryKind.choices)
    year = models.PositiveSmallIntegerField()
    description = models.CharField(max_length=300)

    class Meta:
        ordering = ["-year", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.year}): {self.description}"
