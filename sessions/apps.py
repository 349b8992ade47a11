from django.apps import AppConfig


class VisitsConfig(AppConfig):
    """Per-visit records (session notes, appointments).

    The label is "visits" because django.contrib.sessions owns "sessions";
    the label prefixes table names (visits_...).
    """

    name = "sessions"
    label = "visits"
    verbose_name = "Visits"
