from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from scheduling.reminders import send_due_reminders


class Command(BaseCommand):
    help = (
        "Email reminders for visits starting within the next N hours (default REMINDER_HOURS_BEFORE). "
        "Run it from cron, e.g. every 15 minutes; running it twice sends nothing twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=int, default=None, help="look this many hours ahead")

    def handle(self, *args, hours=None, **options):
        try:
            sent = send_due_reminders(hours=hours if hours is not None else settings.REMINDER_HOURS_BEFORE)
        except ImproperlyConfigured as problem:
            raise CommandError(str(problem)) from problem
        self.stdout.write(f"{sent} reminder(s) sent.")
