"""Clinical records: assessments, treatment plans, per-visit session notes, addenda.

The app label is "visits" (django.contrib.sessions owns "sessions"), so the
tables are visits_*. Signed notes and addenda are protected by PostgreSQL
triggers (see migrations), not only by this code.
"""

import hashlib
import json
from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.fields import ArrayField, DateTimeRangeField
from django.db import models
from django.db.models import Func, Q
from django.urls import reverse
from django.utils import timezone

from accounts import access
from bodymap.regions import REGION_CHOICES, Side, area_label, region_label
from clients.models import Client, Pressure
from sessions.vocabulary import (
    Movement,
    Posture,
    RomResult,
    Severity,
    Temperature,
    TestSide,
    Texture,
)

PROTECT_USER = {"on_delete": models.PROTECT, "related_name": "+"}


class TechniqueQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True).order_by("position", "name")


class Technique(models.Model):
    """A massage technique therapists can record. The manager extends the list in the admin."""

    name = models.CharField(max_length=100, unique=True)
    active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=100)

    objects = TechniqueQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name"]

    def __str__(self):
        return self.name


class ClinicalQuerySet(models.QuerySet):
    def for_client(self, client: Client):
        return self.filter(client=client)

    def visible_to(self, user):
        """Clinical records are read by clinicians only (accounts.access.can_read_clinical)."""
        return self if access.can_read_clinical(user) else self.none()


class Assessment(models.Model):
    """Posture, gait, range of motion, palpation and special tests."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="assessments")
    therapist = models.ForeignKey(settings.AUTH_USER_MODEL, **PROTECT_USER)
    assessed_on = models.DateField(default=timezone.localdate)
    created_at = models.DateTimeField(default=timezone.now)
    note = models.ForeignKey("SessionNote", on_delete=models.PROTECT, null=True, blank=True, related_name="assessments")
    posture = ArrayField(models.CharField(max_length=30, choices=Posture.choices), default=list, blank=True)
    posture_other = models.CharField("other posture findings", max_length=300, blank=True)
    gait_notes = models.TextField(blank=True)
    summary = models.TextField("summary of imbalances", blank=True)

    objects = ClinicalQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["client", "-assessed_on"], name="assessment_client_date")]

    def __str__(self):
        return f"Assessment of {self.assessed_on:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("visits:assessment_detail", args=[self.client_id, self.pk])

    def posture_labels(self) -> list[str]:
        labels = dict(Posture.choices)
        found = [labels.get(code, code) for code in self.posture]
        return [*found, self.posture_other] if self.posture_other else found


class RangeOfMotionTest(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="rom_tests")
    movement = models.CharField(max_length=40, choices=Movement.choices)
    side = models.CharField(max_length=10, choices=TestSide.choices)
    result = models.CharField(max_length=10, choices=RomResult.choices)
    degrees = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["movement", "assessment"], name="romtest_movement")]
        constraints = [
            models.CheckConstraint(condition=Q(degrees__lte=360) | Q(degrees__isnull=True), name="romtest_degrees")
        ]

    def __str__(self):
        return f"{self.get_movement_display()} ({self.side}): {self.result}"


class PalpationFinding(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="palpation_findings")
    region = models.CharField(max_length=30, choices=REGION_CHOICES)
    side = models.CharField(max_length=10, choices=Side.choices)
    tension = models.CharField(max_length=10, choices=Severity.choices, default=Severity.NONE)
    tenderness = models.CharField(max_length=10, choices=Severity.choices, default=Severity.NONE)
    texture = models.CharField(max_length=10, choices=Texture.choices, default=Texture.NORMAL)
    temperature = models.CharField(max_length=10, choices=Temperature.choices, default=Temperature.NORMAL)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return area_label(self.region, self.side)

    @property
    def area(self) -> str:
        return area_label(self.region, self.side)


class SpecialTest(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="special_tests")
    name = models.CharField(max_length=100)
    side = models.CharField(max_length=10, choices=TestSide.choices)
    positive = models.BooleanField()

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.name} ({self.side}): {'positive' if self.positive else 'negative'}"


class TreatmentPlanQuerySet(ClinicalQuerySet):
    def active(self):
        return self.filter(status=TreatmentPlan.Status.ACTIVE)


class TreatmentPlan(models.Model):
    """Goals, focus areas and how often to come. One active plan per client; earlier plans are kept."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        COMPLETED = "completed", "Completed"

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="treatment_plans")
    therapist = models.ForeignKey(settings.AUTH_USER_MODEL, **PROTECT_USER)
    created_at = models.DateTimeField(default=timezone.now)
    starts_on = models.DateField(default=timezone.localdate)
    goals = models.TextField()
    focus_regions = ArrayField(models.CharField(max_length=30, choices=REGION_CHOICES), default=list, blank=True)
    visit_interval_days = models.PositiveSmallIntegerField("visit every (days)")
    planned_visits = models.PositiveSmallIntegerField(null=True, blank=True)
    reassess_on = models.DateField("reassessment date", null=True, blank=True)
    home_care = models.TextField("home-care plan", blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    completed_at = models.DateTimeField(null=True, blank=True)

    objects = TreatmentPlanQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["client", "-created_at"], name="plan_client_date")]
        constraints = [
            models.UniqueConstraint(fields=["client"], condition=Q(status="active"), name="plan_one_active_per_client"),
            models.CheckConstraint(condition=Q(visit_interval_days__gte=1), name="plan_interval_positive"),
        ]

    def __str__(self):
        return f"Plan of {self.starts_on:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("visits:plan_detail", args=[self.client_id, self.pk])

    def focus_region_labels(self) -> list[str]:
        return [region_label(code) for code in self.focus_regions]

    @property
    def interval_label(self) -> str:
        days = self.visit_interval_days
        if days % 7 == 0:
            weeks = days // 7
            return "every week" if weeks == 1 else f"every {weeks} weeks"
        return f"every {days} days"

    def complete(self) -> None:
        self.status = self.Status.COMPLETED
        self.completed_at = timezone.now()
        self.save(update_fields=["status", "completed_at"])


class SessionNoteQuerySet(ClinicalQuerySet):
    def signed(self):
        return self.filter(signed_at__isnull=False)

    def drafts(self):
        return self.filter(signed_at__isnull=True)

    def overdue_drafts(self, *, therapist, hours: int = 24):
        return self.drafts().filter(therapist=therapist, created_at__lt=timezone.now() - timedelta(hours=hours))

    def editable_by(self, user):
        """Drafts this person may edit and sign: their own (accounts.access.is_author)."""
        return self.visible_to(user).drafts().filter(therapist=user)

    def with_details(self):
        """What a note's pages show, seals of the note and its addenda included (no extra query)."""
        addenda = Addendum.objects.select_related("author", "seal")
        return self.select_related("client", "therapist", "signed_by", "seal").prefetch_related(
            "areas", models.Prefetch("addenda", queryset=addenda)
        )


class SessionNote(models.Model):
    """What happened at one visit. Signed notes never change (a database trigger enforces it)."""

    # The columns a signature covers: the trigger refuses to change any of them once signed.
    # What the therapist writes: the note form's fields, and what the benchmark seed fills.
    WRITTEN_FIELDS = (
        "visit_date",
        "update_since_last",
        "health_changed",
        "pain_before",
        "pain_after",
        "techniques",
        "pressure",
        "client_feedback",
        "tissue_response",
        "home_care_stretches",
        "home_care_strengthening",
        "home_care_posture",
        "next_visit_date",
        "next_visit_interval_days",
        "duration_minutes",
    )
    CLINICAL_FIELDS = ("client_id", "therapist_id", *WRITTEN_FIELDS, "signed_at", "signed_by_id", "content_hash")

    # Indexed by note_client_date (client first), which also serves the chart's order.
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="session_notes", db_index=False)
    therapist = models.ForeignKey(settings.AUTH_USER_MODEL, **PROTECT_USER)
    visit_date = models.DateField(default=timezone.localdate)
    update_since_last = models.TextField("client's update since the last visit", blank=True)
    health_changed = models.BooleanField("anything changed in their health?", default=False)
    pain_before = models.PositiveSmallIntegerField("pain before (0–10)", null=True, blank=True)
    pain_after = models.PositiveSmallIntegerField("pain after (0–10)", null=True, blank=True)
    techniques = ArrayField(models.CharField(max_length=100), default=list, blank=True)
    pressure = models.CharField("overall pressure", max_length=20, choices=Pressure.choices, blank=True)
    client_feedback = models.TextField("client feedback during the session", blank=True)
    tissue_response = models.TextField("tissue response and observations", blank=True)
    home_care_stretches = models.TextField("stretches", blank=True)
    home_care_strengthening = models.TextField("strengthening", blank=True)
    home_care_posture = models.TextField("posture", blank=True)
    next_visit_date = models.DateField("next visit on", null=True, blank=True)
    next_visit_interval_days = models.PositiveSmallIntegerField("or next visit in (days)", null=True, blank=True)
    duration_minutes = models.PositiveSmallIntegerField("duration (minutes)", null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    # Optimistic locking: a save from a stale form (another tab) is refused, not merged.
    version = models.PositiveIntegerField(default=1)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, **PROTECT_USER)
    content_hash = models.CharField(max_length=64, blank=True)

    objects = SessionNoteQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["client", "-visit_date", "-id"], name="note_client_date"),
            models.Index(fields=["therapist", "signed_at", "created_at"], name="note_therapist_drafts"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(pain_before__lte=10) | Q(pain_before__isnull=True), name="note_pain_before_0_10"
            ),
            models.CheckConstraint(
                condition=Q(pain_after__lte=10) | Q(pain_after__isnull=True), name="note_pain_after_0_10"
            ),
            models.CheckConstraint(
                condition=Q(signed_at__isnull=True) | (Q(signed_by__isnull=False) & ~Q(content_hash="")),
                name="note_signature_complete",
            ),
        ]

    def __str__(self):
        return f"Session note of {self.visit_date:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("visits:note_detail", args=[self.client_id, self.pk])

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None

    def can_edit(self, user) -> bool:
        """Editing and signing a draft: its author only (the same rule as editable_by)."""
        return not self.is_signed and access.is_author(user, self)

    SIGNED_CONTENT_FIELDS = tuple(f for f in CLINICAL_FIELDS if f not in ("signed_at", "signed_by_id", "content_hash"))

    @classmethod
    def canonical_content(cls, values: dict, areas: list[dict]) -> dict:
        """The signed content as plain JSON-able data, from field values and area dicts."""
        content = {field: values[field] for field in cls.SIGNED_CONTENT_FIELDS}
        content["visit_date"] = values["visit_date"].isoformat()
        content["next_visit_date"] = values["next_visit_date"].isoformat() if values["next_visit_date"] else None
        content["techniques"] = list(values["techniques"])
        content["areas"] = [
            {
                "region": a["region"],
                "side": a["side"],
                "pain": a["pain"],
                "pressure": a["pressure"],
                "techniques": list(a["techniques"]),
            }
            for a in sorted(areas, key=lambda a: (a["region"], a["side"]))
        ]
        return content

    @staticmethod
    def hash_of(content: dict, *, signed_at, signed_by_id) -> str:
        """SHA-256 over the canonical JSON of the content and the signature (who, when)."""
        payload = {
            "content": content,
            "signed_at": signed_at.isoformat() if signed_at else None,
            "signed_by": signed_by_id,
        }
        canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()

    def signed_content(self) -> dict:
        """Everything the signature covers, as plain JSON-able data (areas included)."""
        return self.canonical_content(
            {field: getattr(self, field) for field in self.SIGNED_CONTENT_FIELDS},
            [
                {"region": a.region, "side": a.side, "pain": a.pain, "pressure": a.pressure, "techniques": a.techniques}
                for a in self.areas.all()
            ],
        )

    def compute_hash(self, *, signed_at=None, signed_by_id=None) -> str:
        return self.hash_of(
            self.signed_content(),
            signed_at=signed_at or self.signed_at,
            signed_by_id=signed_by_id or self.signed_by_id,
        )

    def hash_matches(self) -> bool:
        return self.is_signed and self.compute_hash() == self.content_hash

    def seal_check(self):
        """Intact, or what is wrong: the content against its seal (sessions/seals.py)."""
        from sessions.seals import check_note

        return check_note(self)

    @property
    def home_care_given(self) -> bool:
        return bool(self.home_care_stretches or self.home_care_strengthening or self.home_care_posture)


class NoteArea(models.Model):
    """An area worked in a session, with its techniques and pressure."""

    note = models.ForeignKey(SessionNote, on_delete=models.CASCADE, related_name="areas")
    region = models.CharField(max_length=30, choices=REGION_CHOICES)
    side = models.CharField(max_length=10, choices=Side.choices)
    pain = models.PositiveSmallIntegerField("pain in this area (0–10)", null=True, blank=True)
    pressure = models.CharField(max_length=20, choices=Pressure.choices, blank=True)
    techniques = ArrayField(models.CharField(max_length=100), default=list, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["region", "note"], name="notearea_region")]
        constraints = [
            models.UniqueConstraint(fields=["note", "region"], name="notearea_one_per_region"),
            models.CheckConstraint(condition=Q(pain__lte=10) | Q(pain__isnull=True), name="notearea_pain_0_10"),
        ]

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        return area_label(self.region, self.side)


class Addendum(models.Model):
    """A correction or addition to a signed note. Append-only (a trigger refuses changes)."""

    note = models.ForeignKey(SessionNote, on_delete=models.PROTECT, related_name="addenda")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, **PROTECT_USER)
    created_at = models.DateTimeField(default=timezone.now)
    reason = models.CharField(max_length=200)
    text = models.TextField()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "addenda"

    def __str__(self):
        return f"Addendum of {self.created_at:%Y-%m-%d}"

    def seal_check(self):
        from sessions.seals import check_addendum

        return check_addendum(self)


class ImportedNoteQuerySet(ClinicalQuerySet):
    def on_chart(self):
        """Imported notes the chart shows: not withdrawn by the undo of their import."""
        return self.filter(withdrawal__isnull=True)


class ImportedNote(models.Model):
    """A treatment note signed in the software the clinic used before (Cliniko, Jane...), brought
    in by an import: read-only from the moment it is written (a trigger refuses UPDATE and
    DELETE), sealed in the client's chain like a note signed here, its text kept as the
    source's structure (sections of questions and answers)."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="imported_notes")
    source = models.CharField(max_length=40)  # the software it came from, as people name it: "Cliniko"
    external_id = models.CharField(max_length=100)
    title = models.CharField(max_length=200, blank=True)
    author_name = models.CharField("signed by", max_length=200, blank=True)
    signed_at = models.DateTimeField("signed on", null=True, blank=True)
    visit_date = models.DateField(null=True, blank=True)
    # {"sections": [{"name": str, "questions": [{"name": str, "type": str, "answer": str, "answers": [str]}]}]}
    content = models.JSONField()
    content_hash = models.CharField(max_length=64)
    # A later export of the source with this note changed: the new version, the old one kept.
    replaces = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by")
    import_batch_id = models.BigIntegerField()  # imports.ImportBatch (a higher app)
    imported_at = models.DateTimeField(default=timezone.now)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, **PROTECT_USER)

    objects = ImportedNoteQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["client", "-visit_date"], name="importednote_client_date")]

    def __str__(self):
        return f"Imported note {self.pk}"

    def get_absolute_url(self):
        return reverse("visits:imported_note_detail", args=[self.client_id, self.pk])

    @property
    def is_signed(self) -> bool:
        return True

    @staticmethod
    def hash_of(**values) -> str:
        canonical = json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
        return hashlib.sha256(canonical.encode()).hexdigest()

    def compute_hash(self) -> str:
        """SHA-256 of everything the note says and where it came from."""
        return self.hash_of(
            client=self.client_id,
            source=self.source,
            external_id=self.external_id,
            title=self.title,
            author_name=self.author_name,
            signed_at=self.signed_at.isoformat() if self.signed_at else None,
            visit_date=self.visit_date.isoformat() if self.visit_date else None,
            content=self.content,
        )

    def seal_check(self):
        from sessions.seals import check_imported_note

        return check_imported_note(self)

    def sections(self) -> list[dict]:
        return self.content.get("sections", []) if isinstance(self.content, dict) else []


class ImportedNoteWithdrawal(models.Model):
    """The undo of an import took this note off the chart. The note and its seal stay (sealed
    records are never deleted); append-only like them."""

    note = models.OneToOneField(ImportedNote, on_delete=models.PROTECT, related_name="withdrawal")
    withdrawn_at = models.DateTimeField(default=timezone.now)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, **PROTECT_USER)
    reason = models.CharField(max_length=200)

    def __str__(self):
        return f"Withdrawal of imported note {self.note_id}"


# The range of an appointment's times, for its exclusion constraints (scheduling.models). It stays
# here, where it was first defined: migrations refer to it as sessions.models.TsTzRange.
class TsTzRange(Func):
    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


# --- Seals of signed records (sessions/seals.py) ----------------------------------------------


class RecordSeal(models.Model):
    """The seal of a signed note or an addendum: an HMAC (key outside the database) over its
    content hash, its place in the client's chain and the previous seal. Append-only at the
    database; no foreign-key constraints, so a record deleted behind the app's back leaves
    its seal behind to say so."""

    class Kind(models.TextChoices):
        NOTE = "note", "Session note"
        ADDENDUM = "addendum", "Addendum"
        IMPORTED = "imported", "Imported note"

    # Indexed by recordseal_one_per_position (client first).
    client = models.ForeignKey(
        Client, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    position = models.PositiveIntegerField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    note = models.OneToOneField(
        SessionNote, on_delete=models.DO_NOTHING, db_constraint=False, null=True, blank=True, related_name="seal"
    )
    addendum = models.OneToOneField(
        Addendum, on_delete=models.DO_NOTHING, db_constraint=False, null=True, blank=True, related_name="seal"
    )
    imported_note = models.OneToOneField(
        ImportedNote, on_delete=models.DO_NOTHING, db_constraint=False, null=True, blank=True, related_name="seal"
    )
    content_hash = models.CharField(max_length=64)
    previous = models.CharField(max_length=80, blank=True)
    seal = models.CharField(max_length=80)
    sealed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["client", "position"]
        constraints = [
            models.UniqueConstraint(fields=["client", "position"], name="recordseal_one_per_position"),
            models.CheckConstraint(
                condition=(
                    Q(kind="note") & Q(note__isnull=False) & Q(addendum__isnull=True) & Q(imported_note__isnull=True)
                )
                | (
                    Q(kind="addendum")
                    & Q(addendum__isnull=False)
                    & Q(note__isnull=True)
                    & Q(imported_note__isnull=True)
                )
                | (
                    Q(kind="imported")
                    & Q(imported_note__isnull=False)
                    & Q(note__isnull=True)
                    & Q(addendum__isnull=True)
                ),
                name="recordseal_one_record",
            ),
        ]

    def __str__(self):
        return f"Seal {self.position} of client {self.client_id}"

    @property
    def record_id(self) -> int:
        return {self.Kind.NOTE: self.note_id, self.Kind.ADDENDUM: self.addendum_id}.get(
            self.kind, self.imported_note_id
        )

    def payload(self) -> dict:
        from sessions.seals import seal_payload

        return seal_payload(
            client_id=self.client_id,
            position=self.position,
            kind=self.kind,
            record_id=self.record_id,
            content_hash=self.content_hash,
            previous=self.previous,
        )


class RecordChain(models.Model):
    """The head of a client's chain of seals: its length and last seal, under an HMAC, so a
    deleted last record shows too."""

    client = models.OneToOneField(
        Client, on_delete=models.DO_NOTHING, db_constraint=False, primary_key=True, related_name="+"
    )
    length = models.PositiveIntegerField(default=0)
    last_seal = models.CharField(max_length=80, blank=True)
    mac = models.CharField(max_length=80, blank=True)

    def __str__(self):
        return f"Chain of client {self.client_id} ({self.length} records)"
