"""Intake's background jobs (Procrastinate; a worker runs them: README, Background jobs)."""

from procrastinate.contrib.django import app

from intake.services import purge_stale_drafts
from jobs.progress import Progress

PURGE_DRAFTS = "purge_intake_drafts"
DRAFT_DAYS = 30


@app.periodic(cron="17 3 * * *", periodic_id=PURGE_DRAFTS)
@app.task(name=f"intake.{PURGE_DRAFTS}", queueing_lock=PURGE_DRAFTS, lock=PURGE_DRAFTS)
def purge_intake_drafts(timestamp: int | None = None, run_id: int | None = None) -> int:
    """Every night at 03:17 (and when the manager asks): erase answers that can no longer be sent."""
    return run_purge(run_id=run_id)


def run_purge(*, run_id: int | None = None, days: int = DRAFT_DAYS, stream=None) -> int:
    """One recorded run of the purge (the job's, or `manage.py purge_intake_drafts`'s)."""
    with Progress.begin(PURGE_DRAFTS, run_id=run_id, stream=stream) as progress:
        erased = purge_stale_drafts(days=days, progress=progress)
        progress.finish(f"Erased the unsubmitted answers of {erased} intake link{'s' if erased != 1 else ''}.")
    return erased
