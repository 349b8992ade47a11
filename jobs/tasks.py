"""The jobs' own housekeeping: finished jobs and their runs are not kept for ever."""

from datetime import timedelta

from asgiref.sync import sync_to_async
from django.db import connection
from django.utils import timezone
from procrastinate.contrib.django import app

from jobs.models import JobRun

PRUNE = "prune_finished_jobs"
KEEP_DAYS = 90


@app.periodic(cron="43 3 * * *", periodic_id=PRUNE)
@app.task(name=f"jobs.{PRUNE}", queueing_lock=PRUNE, lock=PRUNE, pass_context=True)
async def prune_finished_jobs(context, timestamp: int | None = None) -> int:
    """Every night: forget jobs finished over KEEP_DAYS days ago (the queue's rows and the
    runs on the Background jobs page; reminders alone make 96 a day). Jobs still waiting or
    running are kept whatever their age."""
    await context.app.job_manager.delete_old_jobs(
        nb_hours=KEEP_DAYS * 24, include_failed=True, include_cancelled=True, include_aborted=True
    )
    return await sync_to_async(_delete_old_runs)(timezone.now() - timedelta(days=KEEP_DAYS))


def _delete_old_runs(cutoff) -> int:
    try:
        deleted, _ = JobRun.objects.filter(status__in=JobRun.FINISHED, created_at__lt=cutoff).delete()
        return deleted
    finally:
        connection.close()  # this thread's connection: a nightly job keeps none open between runs
