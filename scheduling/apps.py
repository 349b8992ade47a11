from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    """The appointment book: services and fees, working hours, booking and moving visits, the
    day and week calendar, check-in (which starts the visit's session note), receipts, recalls
    of clients due for a maintenance visit, and reminders."""

    name = "scheduling"
    verbose_name = "Schedule"
