"""Text-message backends, like Django's email backends: one class per way of sending.

A backend's send(text) hands one text over and returns the provider's id for it (or a local
one); it raises SendError when the text did not go. `messaging.backends.get_backend()` gives
the backend SMS_URL names (messaging/sms_url.py), or None when texting is off.
"""

from django.conf import settings
from django.utils.module_loading import import_string

from messaging.backends.base import BaseBackend, OutgoingText, SendError
from messaging.sms_url import parse_sms_url

__all__ = ["BaseBackend", "OutgoingText", "SendError", "get_backend"]


def get_backend() -> BaseBackend | None:
    config = parse_sms_url(settings.SMS_URL)
    if not config.enabled:
        return None
    return import_string(config.backend)(**config.options)
