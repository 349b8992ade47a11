"""Scheduling's background jobs (Procrastinate; a worker runs them: README, Background jobs)."""

from django.conf import settings
from procrastinate.contrib.django import app

from jobs.progress import Progress
from scheduling.reminders import send_due_reminders

REMINDERS = "send_reminders"


@app.periodic(cron="*/15 * * * *", periodic_id=REMINDERS)
@app.task(name=f"scheduling.{REMINDERS}", queueing_lock=REMINDERS, lock=REMINDERS)
def send_reminders(timestamp: int | None = None, run_id: int | None = None) -> int:
    """Every quarter of an hour (and when the manager asks): email the visits coming up.

    Runs one at a time (the lock); a run twice over, or on two workers, sends nothing twice
    (each visit is marked in the transaction that emails it)."""
    return run_reminders(run_id=run_id)


def run_reminders(*, run_id: int | None = None, hours: int | None = None, stream=None) -> int:
    """One recorded run of the reminders (the job's, or `manage.py send_reminders`'s)."""
    with Progress.begin(REMINDERS, run_id=run_id, stream=stream) as progress:
        sent = send_due_reminders(hours=settings.REMINDER_HOURS_BEFORE if hours is None else hours, progress=progress)
        progress.finish(f"{sent} reminder{'s' if sent != 1 else ''} sent.")
    return sent
