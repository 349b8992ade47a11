from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from jobs.progress import command_line_stream
from scheduling.tasks import run_reminders


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
            sent = run_reminders(hours=hours, stream=command_line_stream(self))
        except ImproperlyConfigured as problem:
            raise CommandError(str(problem)) from problem
        self.stdout.write(f"{sent} reminder(s) sent.")
