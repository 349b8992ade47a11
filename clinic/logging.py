"""Logging and error reports: keep health data (client names, notes) out of them."""

import logging
import re

from django.db import DatabaseError
from django.http import HttpRequest

_QUERY_STRING = re.compile(r"\?[^\s\"']*")


class RedactQueryStrings(logging.Filter):
    """Drop the query string from logged request lines.

    Search terms (client names, phone numbers) travel in ``?q=``; request logs
    of runserver and django.request would otherwise keep them.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "?" in message:
            record.msg = _QUERY_STRING.sub("?[redacted]", message)
            record.args = ()
        return True


# A PostgreSQL error's DETAIL line quotes the row or key it refused ("Failing row contains
# (..., Smith, 1984-03-09, ...)"): health data, in the exception text of an error log.
_DATABASE_DETAIL = re.compile(r"^(\s*DETAIL:).*$", re.MULTILINE)


def redact_database_details(text: str) -> str:
    return _DATABASE_DETAIL.sub(r"\1 [redacted]", text)


class RedactDatabaseDetails(logging.Filter):
    """Drop the DETAIL lines of database errors from logged messages and tracebacks."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and not record.exc_text:
            # Formatters reuse exc_text when it is set: format the traceback once, redacted.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text and "DETAIL:" in record.exc_text:
            record.exc_text = redact_database_details(record.exc_text)
        message = record.getMessage()
        if "DETAIL:" in message:
            record.msg = redact_database_details(message)
            record.args = ()
        return True


# Refusals of the role and object checks: "forbidden" (PermissionDenied) and "not found".
REFUSED_STATUSES = {403, 404}


class OneLineRefusals(logging.Filter):
    """A refused request as one line: method, path (no query string), status and user id.

    Django logs a PermissionDenied with its full traceback, which says nothing a reader needs
    (the view refused, as designed) and whose exception text may name what was asked for.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        status = getattr(record, "status_code", None)
        # runserver's request log (django.server) carries its socket handler, not an HttpRequest.
        if status in REFUSED_STATUSES and isinstance(request, HttpRequest):
            record.msg = "Refused %s %s (%s, %s)"
            record.args = (_escaped(request.method), _escaped(request.path), status, _who(request))
            record.exc_info = record.exc_text = record.stack_info = None
        return True


def _escaped(text: str | None) -> str:
    # As Django's own request log: no line breaks or control characters from a URL.
    return (text or "").encode("unicode_escape").decode("ascii")


def _who(request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    try:
        signed_in = user is not None and user.is_authenticated
    except DatabaseError:  # the user could not be loaded: the line is still written
        return "user unknown"
    return f"user {user.pk}" if signed_in else "not signed in"
