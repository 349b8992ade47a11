"""A database outage answers 503 with a page that gives back what the person typed.

When PostgreSQL is down (restarting, failing over, unreachable), any request fails on its
first query, usually in the session or authentication middleware before a view runs. Django
turns such exceptions into a 500 response inside the middleware that raised them, so no
middleware can catch them directly: the ``got_request_exception`` signal marks the request,
and the outermost middleware replaces that 500 with the outage page.

The page is rendered without touching the database: no context processors, no user.
Recovery needs nothing: with ``CONN_HEALTH_CHECKS`` and ``CONN_MAX_AGE`` Django drops a
broken connection at the end of the request (or checks it before reuse) and opens a new one
when the next request comes.
"""

import logging
import sys
from collections.abc import Callable

from csp.utils import build_policy
from django.conf import settings
from django.core.signals import got_request_exception
from django.db import DatabaseError, InterfaceError, OperationalError
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.utils.cache import add_never_cache_headers

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30
_MARK = "_clinic_database_outage"
# Form fields never shown back: secrets, one-time codes, the signature drawing (an image), and
# the hidden bookkeeping fields (keys against double submits, the page to return to).
_SKIP_FIELD_WORDS = ("csrfmiddlewaretoken", "password", "token", "otp", "secret", "key", "signature_drawing")
_SKIP_FIELD_NAMES = {"code", "backup_code", "next"}
# Headers of the replaced response that do not describe the new page.
_REPLACED_HEADERS = {"content-type", "content-length", "content-language"}


def is_outage(exc: BaseException | None) -> bool:
    """The database is unreachable or dropped the connection, as opposed to a bug in a query.

    OperationalError and InterfaceError cover refused, lost and closed connections. A plain
    DatabaseError (not one of its subclasses such as IntegrityError or ProgrammingError) is
    what some drivers raise for a connection lost mid-query.
    """
    return isinstance(exc, OperationalError | InterfaceError) or type(exc) is DatabaseError


@receiver(got_request_exception, dispatch_uid="clinic.outage.mark_database_outage")
def mark_database_outage(sender, request: HttpRequest | None = None, **kwargs) -> None:
    # Sent while the exception is being handled, so sys.exc_info() is the one that broke the request.
    if request is not None and is_outage(sys.exc_info()[1]):
        setattr(request, _MARK, True)


def typed_fields(request: HttpRequest) -> list[dict[str, str]]:
    """The text fields of a POST, to show back read-only (no secrets, no files)."""
    if request.method != "POST":
        return []
    try:
        data = request.POST
    except Exception:  # an unreadable body: show nothing rather than fail again
        return []
    fields = []
    for name in data:
        lowered = name.lower()
        if lowered in _SKIP_FIELD_NAMES or any(word in lowered for word in _SKIP_FIELD_WORDS):
            continue
        values = [value for value in data.getlist(name) if value.strip() and not value.startswith("data:")]
        if values:
            label = name.rsplit("-", 1)[-1].replace("_", " ").strip().capitalize() or name
            fields.append({"label": label, "value": "\n".join(values)})
    return fields


def outage_response(request: HttpRequest, replaced: HttpResponse | None = None) -> HttpResponse:
    """The 503 page. Security headers already set on ``replaced`` (HSTS, CSP, framing) are kept."""
    html = loader.get_template("503.html").render(
        {"CLINIC_NAME": settings.CLINIC_NAME, "CLINIC_PHONE": settings.CLINIC_PHONE, "fields": typed_fields(request)}
    )
    response = HttpResponse(html, status=503)
    if replaced is not None:
        for header, value in replaced.headers.items():
            if header.lower() not in _REPLACED_HEADERS:
                response.headers[header] = value
    # Middleware after the one that failed never saw the response: no framing, whatever failed where.
    response.headers.setdefault("X-Frame-Options", settings.X_FRAME_OPTIONS)
    response.headers.setdefault("Content-Security-Policy", build_policy())
    add_never_cache_headers(response)  # the page may hold what was typed: never cache it
    response.headers["Pragma"] = "no-cache"
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    # django.request has logged the failed request (with its traceback) once already.
    response._has_been_logged = True
    return response


class DatabaseOutageMiddleware:
    """Outermost middleware: a request the database outage broke gets the 503 page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(request, _MARK, False):
            logger.warning("Database unavailable: answered 503 to %s %s", request.method, request.path)
            return outage_response(request, replaced=response)
        return response
