from django.core.management.base import BaseCommand

from intake.services import purge_stale_drafts
from intake.tasks import DRAFT_DAYS, PURGE_DRAFTS
from jobs.progress import Progress, command_line_stream


class Command(BaseCommand):
    help = (
        "Erase the answers saved on intake links that can no longer be submitted (expired, revoked or "
        "locked) for more than --days days (default 30). A worker does this every night; this command is "
        "for cron instead."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=DRAFT_DAYS)

    def handle(self, *args, days: int, **options):
        with Progress.begin(PURGE_DRAFTS, stream=command_line_stream(self)) as progress:
            erased = purge_stale_drafts(days=days, progress=progress)
            progress.finish(f"Erased the unsubmitted answers of {erased} intake link(s).")
        self.stdout.write(f"Erased unsubmitted answers of {erased} intake link(s).")
