from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from ops.backup import BackupError, Database, fernet_from_key, restore
from ops.db_logins import grant_app_privileges, separate_app_login, use_owner_login


class Command(BaseCommand):
    help = (
        "Restore a file made by `backup` (decrypted with BACKUP_ENCRYPTION_KEY when it is encrypted) into an "
        "empty database: the configured one (DATABASE_URL), or --database-url. Refuses a database with tables."
    )

    # A backup or restore must not wait on unrelated checks (a broken URLconf, a missing setting).
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="the .dump or .dump.enc file")
        parser.add_argument(
            "--database-url",
            help="restore here instead of the configured database (postgres://user:password@host:5432/name). "
            "Other users of the machine can see a command line: prefer DATABASE_URL=... in the environment "
            "when the URL holds a password.",
        )

    def handle(self, *args, file: Path, database_url: str | None, **options):
        try:
            if database_url:
                database = Database.from_url(database_url)
            else:
                use_owner_login()
                database = Database.from_settings(connections[DEFAULT_DB_ALIAS].settings_dict)
            restore(database=database, path=file, fernet=fernet_from_key(settings.BACKUP_ENCRYPTION_KEY))
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Restored {file} into {database}.")
        # The dump carries no grants (pg_restore --no-privileges): give the app login its rights again.
        app_role = separate_app_login()
        if app_role and not database_url:
            grant_app_privileges(role=app_role)
            self.stdout.write(f'Granted the app login "{app_role}" its rights. Now run `manage.py verify_records`.')
