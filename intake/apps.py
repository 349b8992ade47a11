from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "intake"
    verbose_name = "Intake"

    def ready(self):
        from clients import panels
        from intake.selectors import profile_panel

        panels.register("intake", position=20, template="intake/_client_panel.html", context=profile_panel)
