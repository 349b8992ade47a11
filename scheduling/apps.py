from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    """The appointment book: services and fees, working hours, booking and moving visits, the
    day and week calendar, check-in (which starts the visit's session note), receipts, recalls
    of clients due for a maintenance visit, and reminders."""

    name = "scheduling"
    verbose_name = "Schedule"

    def ready(self):
        from clients import panels
        from scheduling.selectors import profile_panel

        panels.register(
            "upcoming_visits", position=10, template="scheduling/_client_visits.html", context=profile_panel
        )

        # Text reminders and the replies C (confirm) and X (cancel), through messaging.
        from scheduling import replies

        replies.register()

        from jobs import registry
        from scheduling import tasks

        registry.register(
            tasks.REMINDERS,
            label="Send visit reminders",
            description=(
                "Remind the clients whose visit is coming up and who have no reminder yet, by email or text "
                "as each prefers (every 15 minutes)."
            ),
            task=tasks.send_reminders,
        )
