"""The archive's background jobs (Procrastinate; a worker runs them: README, Background jobs)."""

from django.template.defaultfilters import filesizeformat
from procrastinate.contrib.django import app

from archive.passphrase import PassphraseUnavailable
from archive.services import EXPORT, PRUNE, make_archive, prune_archives, take_passphrase
from jobs.progress import Progress


@app.task(name=f"archive.{EXPORT}", queueing_lock=EXPORT, lock=EXPORT)
def export_clinic(run_id: int) -> int | None:
    """The whole clinic as an encrypted archive, asked for on the Clinic archive page (the
    passphrase waits, sealed, in the archive's row: archive/passphrase.py)."""
    return run_export(run_id=run_id)


def run_export(*, run_id: int) -> int | None:
    """One recorded run of the export; returns the archive's id (None when it could not start)."""
    with Progress.begin(EXPORT, run_id=run_id) as progress:
        try:
            archive, passphrase = take_passphrase(run_id=run_id)
        except PassphraseUnavailable as problem:
            progress.fail(str(problem) or "The passphrase could not be read (SECRET_KEY changed?): ask again.")
            return None
        archive = make_archive(archive=archive, passphrase=passphrase, progress=progress)
        progress.finish(
            f"Archive ready: {archive.clients} client{'s' if archive.clients != 1 else ''}, "
            f"{filesizeformat(archive.size)}. Download it from the Clinic archive page."
        )
    return archive.pk


@app.periodic(cron="31 3 * * *", periodic_id=PRUNE)
@app.task(name=f"archive.{PRUNE}", queueing_lock=PRUNE, lock=PRUNE)
def prune_old_archives(timestamp: int | None = None, run_id: int | None = None) -> int:
    """Every night at 03:31 (and when the manager asks): delete archives past ARCHIVE_KEEP_DAYS."""
    return run_prune(run_id=run_id)


def run_prune(*, run_id: int | None = None, days: int | None = None) -> int:
    with Progress.begin(PRUNE, run_id=run_id) as progress:
        deleted = prune_archives(days=days, progress=progress)
        progress.finish(f"Deleted {deleted} old archive{'s' if deleted != 1 else ''}.")
    return deleted
