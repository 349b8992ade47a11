from django.apps import AppConfig


class ImportsConfig(AppConfig):
    """Bringing a clinic's history in: Jane, Cliniko and any CSV or Excel file, previewed, matched
    to existing clients, run as a background job, and undoable as one batch."""

    name = "imports"
    default_auto_field = "django.db.models.BigAutoField"
