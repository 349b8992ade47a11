from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Made-up data: the demo clinic of `make run` (load_demo) and the benchmark's synthetic
    100,000 clients (seed_scale). Nothing here runs in production or in the tests' fixtures."""

    name = "demo"
    verbose_name = "Demo and benchmark data"
