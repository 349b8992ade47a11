from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db.models import Q
from django.utils import timezone

from intake.models import IntakeLink


class Command(BaseCommand):
    help = (
        "Erase the answers saved on intake links that can no longer be submitted (expired, revoked or "
        "locked) for more than --days days (default 30). Run nightly from cron."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=30)

    def handle(self, *args, days: int, **options):
        cutoff = timezone.now() - timedelta(days=days)
        dead = (
            IntakeLink.objects.filter(submitted_at__isnull=True)
            .exclude(draft={})
            .filter(Q(expires_at__lt=cutoff) | Q(revoked_at__lt=cutoff))
        )
        erased = dead.update(draft={})
        self.stdout.write(f"Erased unsubmitted answers of {erased} intake link(s).")
