from django.apps import AppConfig


class ImportsConfig(AppConfig):
    """Bringing a clinic's history in: Jane, Cliniko and any CSV or Excel file, previewed, matched
    to existing clients, run as a background job, and undoable as one batch."""

    name = "imports"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from imports import tasks
        from jobs import registry

        registry.register(
            tasks.IMPORT,
            label="Import records",
            description="Clients, appointments or treatment notes from Jane, Cliniko or a spreadsheet "
            "(upload a file, check the preview, then confirm).",
            task=tasks.import_batch,
            start_url_name="imports:list",
        )
