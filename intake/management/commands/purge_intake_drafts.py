from django.core.management.base import BaseCommand

from intake.tasks import DRAFT_DAYS, run_purge
from jobs.progress import command_line_stream


class Command(BaseCommand):
    help = (
        "Erase the answers saved on intake links that can no longer be submitted (expired, revoked or "
        "locked) for more than --days days (default 30). A worker does this every night; this command is "
        "for cron instead."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=DRAFT_DAYS)

    def handle(self, *args, days: int, **options):
        erased = run_purge(days=days, stream=command_line_stream(self))
        self.stdout.write(f"Erased unsubmitted answers of {erased} intake link(s).")
