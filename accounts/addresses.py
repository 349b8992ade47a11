"""Where a request comes from: the address the lockout, the rate limits and the access log count."""

from django.conf import settings


def client_address(request) -> str:
    """The visitor's address. Behind a reverse proxy set TRUST_X_FORWARDED_FOR=1:
    the proxy appends the address it saw as the last X-Forwarded-For entry."""
    if settings.TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "unknown")
