from django.apps import AppConfig


class JobsConfig(AppConfig):
    """Long work as background jobs (Procrastinate on PostgreSQL) and how far each run has got."""

    name = "jobs"
    default_auto_field = "django.db.models.BigAutoField"
