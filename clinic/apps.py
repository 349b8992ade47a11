from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ClinicConfig(AppConfig):
    name = "clinic"
    verbose_name = "Clinic"

    def ready(self):
        from clinic.roles import sync_role_groups

        # Keep the role groups and their permissions in step with roles.py
        # after every migrate (new permissions appear with new models).
        post_migrate.connect(sync_role_groups, dispatch_uid="clinic.sync_role_groups")
