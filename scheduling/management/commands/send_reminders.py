from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from jobs.progress import Progress, command_line_stream
from scheduling.reminders import send_due_reminders
from scheduling.tasks import REMINDERS


class Command(BaseCommand):
    help = (
        "Email reminders for visits starting within the next N hours (default REMINDER_HOURS_BEFORE). "
        "A worker does this every 15 minutes; this command is for cron instead. Running it twice, or "
        "beside a worker, sends nothing twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=int, default=None, help="look this many hours ahead")

    def handle(self, *args, hours=None, **options):
        try:
            with Progress.begin(REMINDERS, stream=command_line_stream(self)) as progress:
                sent = send_due_reminders(
                    hours=hours if hours is not None else settings.REMINDER_HOURS_BEFORE, progress=progress
                )
                progress.finish(f"{sent} reminder{'s' if sent != 1 else ''} sent.")
        except ImproperlyConfigured as problem:
            raise CommandError(str(problem)) from problem
        self.stdout.write(f"{sent} reminder(s) sent.")
