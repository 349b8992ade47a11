from django.apps import AppConfig


class BookingConfig(AppConfig):
    """Clients book, move and cancel visits themselves on a public page, and wait for freed slots
    on the waitlist."""

    name = "booking"
    default_auto_field = "django.db.models.BigAutoField"
