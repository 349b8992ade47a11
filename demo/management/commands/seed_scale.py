import time

from django.core.management.base import BaseCommand, CommandError

from clients.models import Client
from demo.scale import seed as seed_scale
from ops.db_logins import use_owner_login


class Command(BaseCommand):
    help = (
        "Fill an EMPTY database with synthetic clients and visits for benchmarks "
        "(e.g. --clients 100000 --visits 1000000). Deterministic with --seed. Never run it on real data."
    )

    def add_arguments(self, parser):
        parser.add_argument("--clients", type=int, default=100_000)
        parser.add_argument("--visits", type=int, default=1_000_000)
        parser.add_argument("--therapists", type=int, default=8)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--batch", type=int, default=20_000)

    def handle(self, *args, clients, visits, therapists, seed: int, batch, **options):
        use_owner_login()  # bulk loading with triggers off is the owner's work
        if Client.objects.exists():
            raise CommandError("This database already has clients: seed_scale only fills an empty database.")
        started = time.monotonic()
        counts = seed_scale(clients=clients, visits=visits, seed=seed, therapists=therapists, batch=batch)
        summary = ", ".join(f"{n} {what}" for what, n in counts.items())
        self.stdout.write(f"Seeded {summary} in {time.monotonic() - started:.0f} s.")
