"""SMS_URL and SMS_QUIET_HOURS, read: which backend sends text messages, and when texts wait.

Plain Python (no models): clinic/settings.py parses both at start-up, so a mistyped
setting stops the app then, not at the first reminder.

    (empty), off://                      texting is off
    console://                           print each text (development)
    locmem://                            keep them in messaging.outbox (tests)
    file:///var/lib/clinic/texts/        one file per text in that folder
    twilio://ACCOUNT_SID:AUTH_TOKEN@api.twilio.com?from=%2B15550001111
                                         Twilio's REST API (or ?messaging_service=MG...)
    twilio+http://SID:TOKEN@127.0.0.1:8765?from=...
                                         the same over plain HTTP, to a stand-in on this
                                         machine only (tests): credentials never go out in clear
"""

import ipaddress
from dataclasses import dataclass, field
from datetime import time
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

BACKENDS = {
    "console": "messaging.backends.console.ConsoleBackend",
    "locmem": "messaging.backends.locmem.LocmemBackend",
    "file": "messaging.backends.filebased.FileBackend",
    "twilio": "messaging.backends.twilio.TwilioBackend",
    "twilio+http": "messaging.backends.twilio.TwilioBackend",
}


@dataclass(frozen=True)
class SmsConfig:
    backend: str  # dotted path of the backend class; "" when texting is off
    options: dict = field(default_factory=dict)

    @property
    def enabled(self) -> bool:
        return bool(self.backend)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_sms_url(url: str) -> SmsConfig:
    """The backend and its options named by an SMS_URL (see the module's docstring)."""
    url = (url or "").strip()
    if not url or url == "off://":
        return SmsConfig("")
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in BACKENDS:
        raise ImproperlyConfigured(
            f"SMS_URL: unknown kind {scheme!r} (use off://, console://, locmem://, file:///folder/ or twilio://...)."
        )
    if scheme == "file":
        if not parts.path or parts.path == "/":
            raise ImproperlyConfigured("SMS_URL: file:// needs a folder, e.g. file:///var/lib/clinic/texts/.")
        return SmsConfig(BACKENDS[scheme], {"path": unquote(parts.path)})
    if not scheme.startswith("twilio"):
        return SmsConfig(BACKENDS[scheme])
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    sid, token = unquote(parts.username or ""), unquote(parts.password or "")
    if not sid or not token:
        raise ImproperlyConfigured("SMS_URL: twilio://ACCOUNT_SID:AUTH_TOKEN@api.twilio.com?from=... needs both.")
    sender, service = query.get("from", ""), query.get("messaging_service", "")
    if not sender and not service:
        raise ImproperlyConfigured(
            "SMS_URL: say which number texts come from (?from=%2B1555...) or ?messaging_service=MG..."
        )
    host = parts.hostname or "api.twilio.com"
    if scheme == "twilio+http" and not _is_loopback(host):
        raise ImproperlyConfigured("SMS_URL: twilio+http:// is for a stand-in on this machine (127.0.0.1) only.")
    netloc = host if parts.port is None else f"{host}:{parts.port}"
    return SmsConfig(
        BACKENDS[scheme],
        {
            "account_sid": sid,
            "auth_token": token,
            "from_number": sender,
            "messaging_service_sid": service,
            "base_url": f"{'http' if scheme == 'twilio+http' else 'https'}://{netloc}",
        },
    )


def parse_quiet_hours(value: str) -> tuple[time, time] | None:
    """'21-8' or '21:30-07:45' (clinic time; may span midnight) as (start, end); '' is None."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        start, end = (_clock(part) for part in value.split("-"))
    except ValueError:
        raise ImproperlyConfigured(
            f"SMS_QUIET_HOURS: {value!r} is not a span of the clock such as 21-8 or 21:30-07:45."
        ) from None
    if start == end:
        raise ImproperlyConfigured("SMS_QUIET_HOURS: the span starts and ends at the same time.")
    return start, end


def _clock(text: str) -> time:
    text = text.strip()
    hours, _, minutes = text.partition(":")
    if not hours.isdigit() or (minutes and not minutes.isdigit()):
        raise ValueError(text)
    hour, minute = int(hours), int(minutes or 0)
    if hour == 24 and minute == 0:
        hour = 0
    return time(hour, minute)
