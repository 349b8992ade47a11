from django.apps import AppConfig


class BodymapConfig(AppConfig):
    """The body's regions (front and back, left and right) that intake, assessments and notes
    point at, and the clickable figure that shows them (with a plain list that always works)."""

    name = "bodymap"
    verbose_name = "Body map"
