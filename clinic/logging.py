"""Logging helpers: keep client names (search terms) out of log files."""

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
