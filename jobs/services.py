from django.db import transaction
from procrastinate.exceptions import AlreadyEnqueued

from jobs.models import JobRun
from jobs.registry import RUNNABLE


class AlreadyWaiting(Exception):
    """A run of this kind is already waiting for a worker: a second would do nothing more."""


def job_start(*, kind: str, by) -> JobRun:
    """Queue a run of a registered job for a worker, with the row its page polls. One
    transaction: the job is queued exactly when the row exists."""
    runnable = RUNNABLE[kind]
    try:
        with transaction.atomic():
            run = JobRun.objects.create(kind=kind, started_by=by)
            runnable.task.defer(run_id=run.pk)
    except AlreadyEnqueued as waiting:
        raise AlreadyWaiting(kind) from waiting
    return run
