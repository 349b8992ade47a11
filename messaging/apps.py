from django.apps import AppConfig


class MessagingConfig(AppConfig):
    """Text messages: backends like Django's email backends (console, file, memory, a provider),
    each client's channel and opt-out, replies through a signed webhook, the log of every message."""

    name = "messaging"
    default_auto_field = "django.db.models.BigAutoField"
