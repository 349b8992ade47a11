from django.apps import AppConfig


class FeedsConfig(AppConfig):
    """Each therapist's private, revocable calendar feed (iCalendar) of their own visits."""

    name = "feeds"
    default_auto_field = "django.db.models.BigAutoField"
