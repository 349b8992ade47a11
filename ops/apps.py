from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Running the clinic's database: the two logins (owner and app), migrate as the owner,
    backups and restores, and the embedded PostgreSQL of development and tests."""

    name = "ops"
    verbose_name = "Operations"

    def ready(self):
        from ops import checks  # noqa: F401  (registers the database-login deploy check)
