"""Imports: one uploaded file is one batch, previewed before anything is written, written as a
background job, and undoable as a whole for a while.

Every record an import writes or links keeps where it came from (`ExternalRecord`: the source
software, the kind of record and its id there), so the same file imported again changes
nothing and a newer export of the same source updates what changed. What a batch did to each
record is kept (`BatchChange`) so its undo takes back exactly that, and nothing changed since.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

PROTECT_USER = {"on_delete": models.PROTECT, "related_name": "+"}


class Source(models.TextChoices):
    JANE = "jane", "Jane"
    CLINIKO = "cliniko", "Cliniko"
    CSV = "csv", "Another program (CSV or Excel file)"


class Kind(models.TextChoices):
    CLIENTS = "clients", "Clients (patients)"
    APPOINTMENTS = "appointments", "Appointments"
    NOTES = "notes", "Treatment notes"


class DateOrder(models.TextChoices):
    DAY_FIRST = "dmy", "Day first (23/11/1987)"
    MONTH_FIRST = "mdy", "Month first (11/23/1987)"


class ImportBatch(models.Model):
    class Status(models.TextChoices):
        UPLOADED = "uploaded", "Reading the file"
        PREVIEWED = "previewed", "Waiting for confirmation"
        IMPORTING = "importing", "Importing"
        IMPORTED = "imported", "Imported"
        FAILED = "failed", "Failed (nothing written)"
        UNDONE = "undone", "Undone"
        CANCELLED = "cancelled", "Cancelled"

    source = models.CharField(max_length=10, choices=Source.choices)
    # What a CSV or Excel file from another program is called, to remember its column mapping.
    source_name = models.CharField("program it comes from", max_length=60, blank=True)
    kind = models.CharField(max_length=15, choices=Kind.choices)
    file_name = models.CharField(max_length=255)
    file_size = models.PositiveBigIntegerField()
    file_sha256 = models.CharField(max_length=64)
    # The file itself: in the database, so any web node or worker can read it (no local disk).
    # Emptied once the batch is imported, undone or cancelled.
    content = models.BinaryField(editable=False)
    # {"columns": {header: field}, "date_order": "dmy"|"mdy"|"", "services": {name: id|"new"},
    #  "staff": {name: user id}}
    choices = models.JSONField(default=dict, blank=True)
    # What the last read of the file found: counts, first rows of each outcome, errors, questions.
    preview = models.JSONField(default=dict, blank=True)
    outcome = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.UPLOADED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, **PROTECT_USER)
    created_at = models.DateTimeField(default=timezone.now)
    imported_at = models.DateTimeField(null=True, blank=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, **PROTECT_USER)
    # The background runs of this batch (their progress pages).
    preview_run_id = models.BigIntegerField(null=True, blank=True)
    import_run_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "import batches"

    def __str__(self):
        return f"Import {self.pk} ({self.get_source_display()}, {self.get_kind_display().lower()})"

    def get_absolute_url(self):
        return reverse("imports:detail", args=[self.pk])

    @property
    def system(self) -> str:
        """The namespace of its external ids: the software, or the program named for a CSV."""
        if self.source != Source.CSV:
            return self.source
        return f"csv:{self.source_name.strip().casefold()}" if self.source_name.strip() else "csv"

    @property
    def system_label(self) -> str:
        return self.source_name.strip() or "a spreadsheet" if self.source == Source.CSV else self.get_source_display()

    @property
    def undo_until(self):
        if self.imported_at is None:
            return None
        return self.imported_at + timedelta(days=settings.IMPORT_UNDO_DAYS)

    @property
    def can_undo(self) -> bool:
        return self.status == self.Status.IMPORTED and timezone.now() < self.undo_until

    @property
    def is_open(self) -> bool:
        """Still waiting: the person may change the choices, preview again, confirm or cancel."""
        return self.status in (self.Status.UPLOADED, self.Status.PREVIEWED)


class ExternalRecord(models.Model):
    """A record of ours that came from (or was matched to) a record of another program."""

    system = models.CharField(max_length=80)  # "jane", "cliniko", "csv:clinicsense"
    kind = models.CharField(max_length=15, choices=Kind.choices)
    external_id = models.CharField(max_length=100)
    object_id = models.BigIntegerField()
    # The imported values last written, and their SHA-256: the same again means nothing
    # changed; a newer export changes only the fields that changed at the source.
    values = models.JSONField(default=dict)
    values_hash = models.CharField(max_length=64)
    batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["system", "kind", "external_id"], name="externalrecord_one_per_id"),
        ]
        indexes = [models.Index(fields=["kind", "object_id"], name="externalrecord_object")]

    def __str__(self):
        return f"{self.system} {self.kind} {self.external_id}"


class BatchChange(models.Model):
    """What one batch did to one record, for its undo."""

    class Action(models.TextChoices):
        CREATED = "created", "Created"
        UPDATED = "updated", "Updated"
        LINKED = "linked", "Linked to an existing record"

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=15, choices=Kind.choices)
    object_id = models.BigIntegerField()
    action = models.CharField(max_length=10, choices=Action.choices)
    # For an update: the values before it and the ones it wrote (field: value), for the undo.
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    # The external record the batch created or moved (its previous state, to put back).
    external_record_id = models.BigIntegerField(null=True, blank=True)
    external_before = models.JSONField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["batch", "kind", "action"], name="batchchange_batch")]

    def __str__(self):
        return f"{self.action} {self.kind} {self.object_id}"


class SavedMapping(models.Model):
    """The columns of a program's files, as the manager mapped them: offered again next time."""

    system = models.CharField(max_length=80)
    kind = models.CharField(max_length=15, choices=Kind.choices)
    columns = models.JSONField(default=dict)  # normalised header -> field
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["system", "kind"], name="savedmapping_one_per_source")]

    def __str__(self):
        return f"Columns of {self.system} {self.kind}"
