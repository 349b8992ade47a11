from django.apps import AppConfig


class AuditConfig(AppConfig):
    """The audit trail: change history of clinical records (PostgreSQL triggers) and the manager's pages."""

    name = "audit"
    verbose_name = "Audit trail"
