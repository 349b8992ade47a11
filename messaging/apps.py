from django.apps import AppConfig


class MessagingConfig(AppConfig):
    """Text messages: backends like Django's email backends (console, file, memory, a provider),
    each client's channel and opt-out, replies through a signed webhook, the log of every message."""

    name = "messaging"
    verbose_name = "Text messages"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from clients import panels
        from messaging.selectors import profile_panel

        panels.register("messages", position=20, template="messaging/_client_messages.html", context=profile_panel)
