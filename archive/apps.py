from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    """The whole clinic as one encrypted archive ("if we closed tomorrow"), and its restore
    into a fresh install."""

    name = "archive"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from archive import tasks
        from jobs import registry

        registry.register(
            tasks.EXPORT,
            label="Whole-clinic archive",
            description="Every record, a PDF per client and the audit trail in one encrypted file "
            "(it asks for a passphrase first).",
            task=tasks.export_clinic,
            start_url_name="archive:home",
        )
        registry.register(
            tasks.PRUNE,
            label="Delete old clinic archives",
            description="Delete the whole-clinic archives made over ARCHIVE_KEEP_DAYS days ago (every night).",
            task=tasks.prune_old_archives,
        )
