from django.core.management.base import BaseCommand, CommandError

from ops.db_logins import grant_app_privileges, use_owner_login


class Command(BaseCommand):
    help = (
        "Give the app's database login (APP_ROLE) what the app needs and nothing more: read and write "
        "records, INSERT and SELECT only on the append-only tables (audit trail, access log, addenda, seals), "
        "no ownership, no TRUNCATE or ALTER. Runs as the owner login (DATABASE_OWNER_URL). Idempotent; "
        "`migrate` runs it again for the app login of DATABASE_URL."
    )

    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("app_role", help="the PostgreSQL role the app connects as (the user in DATABASE_URL)")

    def handle(self, *args, app_role: str, **options):
        use_owner_login()
        try:
            append_only = grant_app_privileges(role=app_role)
        except LookupError:
            raise CommandError(
                f'There is no PostgreSQL role "{app_role}". Create it first, as a superuser: '
                f"CREATE ROLE {app_role} LOGIN PASSWORD '...';"
            ) from None
        self.stdout.write(
            f'Granted "{app_role}" the app\'s privileges; {len(append_only)} append-only tables '
            "(INSERT and SELECT only)."
        )
