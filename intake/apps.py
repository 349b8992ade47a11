from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "intake"
    verbose_name = "Intake"

    def ready(self):
        from clients import panels
        from intake.selectors import profile_panel

        panels.register("intake", position=20, template="intake/_client_panel.html", context=profile_panel)

        from intake import tasks
        from jobs import registry

        registry.register(
            tasks.PURGE_DRAFTS,
            label="Erase old unsubmitted intake answers",
            description=f"Erase what clients typed on intake links that expired or were revoked over "
            f"{tasks.DRAFT_DAYS} days ago and were never sent (every night).",
            task=tasks.purge_intake_drafts,
        )
