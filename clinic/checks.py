"""Deployment checks of the project's wiring (the database login's check is in ops/checks.py)."""

from django.core.checks import Warning, register


@register(deploy=True)
def check_site_url(app_configs=None, **kwargs):
    """Emails sent by scheduled jobs link to SITE_URL: in production it must be the public https address."""
    from urllib.parse import urlsplit

    from django.conf import settings

    parts = urlsplit(settings.SITE_URL)
    if parts.scheme != "https" or parts.hostname in (None, "localhost", "127.0.0.1", "::1"):
        return [
            Warning(
                f"SITE_URL is {settings.SITE_URL!r}: links in reminder and intake emails would not reach clients.",
                hint="Set SITE_URL to the app's public address, e.g. https://clinic.example.com.",
                id="clinic.W002",
            )
        ]
    return []
