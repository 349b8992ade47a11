from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ClinicConfig(AppConfig):
    name = "clinic"
    verbose_name = "Clinic"

    def ready(self):
        from accounts.roles import sync_role_groups
        from clinic import checks  # noqa: F401  (registers the deploy checks)
        from intake.defaults import ensure_consent_text
        from sessions.vocabulary import ensure_techniques

        # After every migrate (and every test-database flush): the role groups and their
        # permissions as in roles.py, and the defaults a clinic starts with.
        post_migrate.connect(sync_role_groups, dispatch_uid="clinic.sync_role_groups")
        post_migrate.connect(ensure_consent_text, dispatch_uid="clinic.ensure_consent_text")
        post_migrate.connect(ensure_techniques, dispatch_uid="clinic.ensure_techniques")
