"""Asking for a whole-clinic archive, making it, keeping it for a while."""

import hashlib
import tempfile
from datetime import timedelta

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from archive import passphrase as sealing
from archive.export import write_archive
from archive.models import ClinicArchive, archive_storage
from jobs.models import JobRun
from jobs.services import job_start

EXPORT = "export_clinic"
PRUNE = "prune_archives"
CHUNK = 1024 * 1024


def archive_request(*, passphrase: str, by) -> JobRun:
    """Queue the export for a worker; returns the run its page follows.

    One transaction: the run, the job and the sealed passphrase exist together or not at
    all. The job's own arguments hold only the run's id (Procrastinate keeps them for months).
    Raises jobs.services.AlreadyWaiting when an export is already waiting for a worker.
    """
    with transaction.atomic():
        run = job_start(kind=EXPORT, by=by)
        ClinicArchive.objects.create(run=run, requested_by=by, sealed_passphrase=sealing.seal(passphrase))
    return run


def take_passphrase(*, run_id: int) -> tuple[ClinicArchive, str]:
    """The archive row of a run and its passphrase, erased from the row as it is read."""
    with transaction.atomic():
        archive = (
            ClinicArchive.objects.select_for_update(of=("self",)).select_related("requested_by").get(run_id=run_id)
        )
        sealed = archive.sealed_passphrase
        archive.sealed_passphrase = ""
        archive.save(update_fields=["sealed_passphrase"])
    if not sealed:
        raise sealing.PassphraseUnavailable("This export was already started once; ask for a new one.")
    return archive, sealing.unseal(sealed)


def make_archive(*, archive: ClinicArchive, passphrase: str, progress=None) -> ClinicArchive:
    """Build the archive in a temporary file on this machine, then store it in the archives
    storage (which every node reaches) and note its name, size and SHA-256 on the row."""
    made_at = timezone.now()
    with tempfile.TemporaryFile(prefix="clinic-archive-") as temporary:
        manifest = write_archive(temporary, passphrase=passphrase, by=archive.requested_by, progress=progress)
        size = temporary.tell()
        temporary.seek(0)
        digest = hashlib.sha256()
        while chunk := temporary.read(CHUNK):
            digest.update(chunk)
        temporary.seek(0)
        name = archive_storage().save(
            f"clinic-archive-{timezone.localtime(made_at):%Y-%m-%d-%H%M%S}.zip", File(temporary)
        )
    archive.file_name, archive.size, archive.sha256 = name, size, digest.hexdigest()
    archive.clients = manifest["counts"]["clients.Client"]
    archive.finished_at = timezone.now()
    archive.save(update_fields=["file_name", "size", "sha256", "clients", "finished_at"])
    return archive


def prune_archives(*, days: int | None = None, progress=None) -> int:
    """Delete the archives made (or asked for and never made) over `days` days ago
    (ARCHIVE_KEEP_DAYS): their files from the storage, then their rows."""
    days = settings.ARCHIVE_KEEP_DAYS if days is None else days
    old = list(ClinicArchive.objects.filter(requested_at__lt=timezone.now() - timedelta(days=days)).order_by("pk"))
    if progress is not None:
        progress.set_total(len(old))
    storage = archive_storage()
    for archive in old:
        if archive.file_name:
            storage.delete(archive.file_name)
        archive.delete()
        if progress is not None:
            progress.advance()
    return len(old)
