from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.urls import reverse

from jobs.models import JobRun

# Where archive files live (settings.STORAGES): on one machine a folder, on several a shared
# storage (S3 and the like through django-storages): any node may serve the download.
STORAGE = "archives"


def archive_storage():
    return storages[STORAGE]


class ClinicArchiveQuerySet(models.QuerySet):
    def ready(self):
        """Archives whose file is made and kept (newest first)."""
        return self.exclude(file_name="").order_by("-finished_at", "-id")


class ClinicArchive(models.Model):
    """One whole-clinic archive a manager asked for: who, when, and once made, its file.

    Between the request and the worker picking it up, the row holds the passphrase, sealed
    (archive/passphrase.py); the worker erases it before it starts. The file is in the
    archives storage under `file_name` and is deleted with the row after ARCHIVE_KEEP_DAYS.
    """

    run = models.OneToOneField(JobRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    sealed_passphrase = models.TextField(blank=True, help_text="Encrypted; erased once the worker has read it.")
    file_name = models.CharField(max_length=255, blank=True, help_text="Its name in the archives storage.")
    size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    clients = models.PositiveIntegerField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ClinicArchiveQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["-requested_at"], name="clinicarchive_recent")]

    def __str__(self):
        return f"Clinic archive #{self.pk}"

    def get_absolute_url(self):
        return reverse("archive:download", args=[self.pk])

    @property
    def download_name(self) -> str:
        """What the browser saves it as: the date and time it was made, never a name."""
        return self.file_name.rpartition("/")[2]
