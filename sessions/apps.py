from django.apps import AppConfig


class VisitsConfig(AppConfig):
    """Clinical records: assessments, treatment plans, a session note per visit, addenda, seals.

    One name, "visits", for everything but the folder: the app label (tables visits_*), the
    templates (templates/visits/) and the URL namespace (visits:note_detail). The label
    cannot be "sessions" because django.contrib.sessions owns it, and the folder keeps the
    name of the project's design (sessions/ for session records). Renaming the label would
    rename every table; "visits" reads well for records kept per visit.
    """

    name = "sessions"
    label = "visits"
    verbose_name = "Clinical records"
