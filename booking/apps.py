from django.apps import AppConfig


class BookingConfig(AppConfig):
    """Clients book, move and cancel visits themselves on a public page, and wait for freed slots
    on the waitlist."""

    name = "booking"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_save, pre_save

        from booking import signals
        from clients import panels
        from scheduling.models import Appointment

        pre_save.connect(signals.remember_before, sender=Appointment, dispatch_uid="booking.remember_before")
        post_save.connect(signals.offer_freed_time, sender=Appointment, dispatch_uid="booking.offer_freed_time")

        from booking.selectors import waitlist_panel

        panels.register("waitlist", position=15, template="booking/_client_waitlist.html", context=waitlist_panel)

        from booking import waitlist

        waitlist.register_texts()
