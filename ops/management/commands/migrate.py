"""`migrate` as the owner login, then the app login's grants for what the migration made."""

from django.core.management.commands.migrate import Command as DjangoMigrate

from ops.db_logins import grant_app_privileges, separate_app_login, use_owner_login


class Command(DjangoMigrate):
    help = DjangoMigrate.help + " Runs as the owner login (DATABASE_OWNER_URL) and updates the app login's grants."

    def handle(self, *args, **options):
        use_owner_login(options["database"])
        super().handle(*args, **options)
        app_role = separate_app_login()
        if app_role and not options.get("plan") and not options.get("check_unapplied"):
            grant_app_privileges(role=app_role, alias=options["database"])
            if options["verbosity"] >= 1:
                self.stdout.write(f'Grants of the app login "{app_role}" are up to date.')
