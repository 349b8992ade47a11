"""Logging and error reports: keep health data (client names, notes) out of them."""

import logging
import re

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
