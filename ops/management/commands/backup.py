from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

from ops.backup import BackupError, Database, backup, fernet_from_key
from ops.db_logins import use_owner_login


class Command(BaseCommand):
    help = (
        "Back up the database with pg_dump (custom format) to BACKUP_DIR/clinic-YYYYmmdd-HHMMSS.dump, or --output. "
        "With BACKUP_ENCRYPTION_KEY set the file is encrypted and named *.enc. Run nightly from cron."
    )

    # A backup or restore must not wait on unrelated checks (a broken URLconf, a missing setting).
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, help="file to write (default: a dated file in BACKUP_DIR)")

    def handle(self, *args, output: Path | None, **options):
        output = output or Path(settings.BACKUP_DIR) / f"clinic-{timezone.localtime():%Y%m%d-%H%M%S}.dump"
        use_owner_login()
        database = Database.from_settings(connections[DEFAULT_DB_ALIAS].settings_dict)
        try:
            written = backup(database=database, output=output, fernet=fernet_from_key(settings.BACKUP_ENCRYPTION_KEY))
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        kind = "encrypted backup" if written.name.endswith(".enc") else "backup (not encrypted)"
        self.stdout.write(f"Wrote {kind} of {database} to {written} ({written.stat().st_size} bytes).")
