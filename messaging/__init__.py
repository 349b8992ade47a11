"""Text messages. `messaging.send_text(...)` sends one through the backend SMS_URL names and
logs it (messaging/services.py); with the locmem backend, sent texts collect in
`messaging.outbox` (tests), as emails do in django.core.mail.outbox."""

outbox: list = []


def send_text(**kwargs):
    """See messaging.services.send_text (imported here lazily: settings import this package)."""
    from messaging.services import send_text as _send_text

    return _send_text(**kwargs)
