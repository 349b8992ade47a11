"""Error reports and logs keep health data out: POST and query values, locals, database details."""

import logging
import sys

import pytest
from django.db import IntegrityError
from django.test import Client as HttpClient
from django.test import RequestFactory
from django.urls import reverse
from django.views.debug import get_exception_reporter_class

from clinic.logging import RedactDatabaseDetails, RedactQueryStrings

NAME = "Marisol Vandenberg"
NOTE = "Ropy bands along the left levator scapulae"
DETAIL = 'DETAIL:  Failing row contains (7, Marisol, Vandenberg, 1984-02-29, "").'


@pytest.mark.parametrize("html", [True, False], ids=["debug-page", "email-text"])
def test_error_report_hides_posted_text_query_strings_and_locals(html):
    request = RequestFactory().post(f"/clients/new/?q={NAME.split()[1]}", {"first_name": "Marisol", "notes": NOTE})
    request.META["HTTP_REFERER"] = f"https://clinic.example.com/clients/?q={NAME.split()[0]}"

    report = _report(request, IntegrityError(f"new row violates check constraint\n{DETAIL}"), html=html)

    assert "IntegrityError" in report
    for health_data in ("Marisol", "Vandenberg", NOTE, "1984-02-29"):
        assert health_data not in report
    assert "first_name" in report  # the field names stay, for debugging


def test_error_report_hides_secrets_in_settings(settings):
    settings.BACKUP_ENCRYPTION_KEY = "fernet-key-that-must-stay-secret"
    settings.EMAIL_HOST_PASSWORD = "smtp-password-that-must-stay-secret"

    report = _report(RequestFactory().get("/"), ValueError("boom"), html=True)

    assert "must-stay-secret" not in report
    assert settings.SECRET_KEY not in report


def _record(msg: str, *args, exc: BaseException | None = None) -> logging.LogRecord:
    exc_info = None
    if exc is not None:
        try:
            raise exc
        except type(exc):
            exc_info = sys.exc_info()
    return logging.LogRecord("django.request", logging.ERROR, __file__, 1, msg, args, exc_info)


def test_logged_database_errors_lose_their_detail_line():
    record = _record("Internal Server Error: %s", "/clients/new/", exc=IntegrityError(f"check failed\n{DETAIL}"))

    assert RedactDatabaseDetails().filter(record)
    text = logging.Formatter().format(record)

    assert "IntegrityError: check failed" in text
    assert "DETAIL: [redacted]" in text
    assert "Vandenberg" not in text and "1984-02-29" not in text


def test_logged_request_lines_lose_their_query_string():
    record = _record('"GET /clients/?q=%s HTTP/1.1" 200 512', "Vandenberg")

    RedactQueryStrings().filter(record)

    assert record.getMessage() == '"GET /clients/?[redacted] HTTP/1.1" 200 512'


def test_sql_with_its_parameters_is_never_logged():
    # django.db.backends logs every statement with its parameters at DEBUG, whatever LOG_LEVEL is.
    assert not logging.getLogger("django.db.backends").isEnabledFor(logging.DEBUG)


@pytest.mark.django_db
def test_a_500_logs_no_posted_text(front_desk, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("clients.views.create_client", broken)
    http = HttpClient(raise_request_exception=False)
    http.force_login(front_desk)

    response = http.post(
        reverse("clients:new"),
        {"first_name": "Marisol", "last_name": "Vandenberg", "date_of_birth": "1984-02-29", "confirm_new": "1"},
    )

    assert response.status_code == 500
    assert "Internal Server Error: /clients/new/" in caplog.text
    for health_data in ("Marisol", "Vandenberg", "1984-02-29"):
        assert health_data not in caplog.text
        assert health_data not in response.content.decode()


# At the end of the file: the report quotes the source lines around `raise`, which must not be
# the test data above.
def _report(request, exc: BaseException, *, html: bool) -> str:
    try:
        client_name = NAME  # noqa: F841 (a local variable the report must not show)
        raise exc
    except type(exc):
        reporter = get_exception_reporter_class(request)(request, *sys.exc_info())
    return reporter.get_traceback_html() if html else reporter.get_traceback_text()
