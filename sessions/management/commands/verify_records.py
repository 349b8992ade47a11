import sys

from django.core.management.base import BaseCommand

from sessions.seals import verify_all


class Command(BaseCommand):
    help = (
        "Check the seal of every signed note and addendum and every client's chain of seals "
        "(sessions/seals.py). Prints each broken record and exits 1 when any is broken; run it "
        "nightly from cron and after a restore."
    )

    def handle(self, *args, **options):
        broken = 0
        for problem in verify_all():
            broken += 1
            self.stdout.write(f"BROKEN {problem}")
        if broken:
            self.stderr.write(f"{broken} broken: signed records were changed or deleted outside the app.")
            sys.exit(1)
        self.stdout.write("All seals and chains are intact.")
