from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    """The whole clinic as one encrypted archive ("if we closed tomorrow"), and its restore
    into a fresh install."""

    name = "archive"
    default_auto_field = "django.db.models.BigAutoField"
