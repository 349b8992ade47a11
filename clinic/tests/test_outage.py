"""A database outage: a friendly 503 that gives back what was typed, and recovery on its own."""

import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.db import DatabaseError, IntegrityError, InterfaceError, OperationalError, connection, connections
from django.test import Client as HttpClient
from django.test import RequestFactory
from django.urls import reverse

from clients.models import Client
from clients.tests.factories import ClientFactory
from clinic.outage import is_outage

TYPED = {
    "first_name": "Perpetua",
    "last_name": "Okafor-Lindqvist",
    "date_of_birth": "1971-06-14",
    "phone": "(514) 555-0142",
    "desk_notes": "Prefers late afternoons; parks at the back entrance",
}


@pytest.fixture
def desk_http(front_desk) -> HttpClient:
    """Signed in as the front desk; a server error comes back as a response, not an exception."""
    http = HttpClient(raise_request_exception=False)
    http.force_login(front_desk)
    return http


class Outage:
    """While on, every new cursor fails the way it does when PostgreSQL is unreachable."""

    def start(self, message: str = "server closed the connection unexpectedly") -> None:
        def refuse(*args, **kwargs):
            raise OperationalError(message)

        connections["default"]._cursor = refuse  # an instance attribute, over the method

    def end(self) -> None:
        vars(connections["default"]).pop("_cursor", None)


@pytest.fixture
def outage(db):
    """Depends on db, so the database is back before the test's transaction is rolled back."""
    outage = Outage()
    yield outage
    outage.end()


def test_post_during_an_outage_shows_what_was_typed(desk_http, outage):
    outage.start()
    response = desk_http.post(reverse("clients:new"), {**TYPED, "csrfmiddlewaretoken": "abc123secret"})

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    assert "The system is briefly unavailable" in page
    assert "What you typed was not saved" in page
    for value in TYPED.values():
        assert value in page
    assert "readonly>Prefers late afternoons; parks at the back entrance</textarea>" in page
    assert "abc123secret" not in page
    # The security headers still apply to the outage page.
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


def test_outage_page_never_shows_passwords_tokens_or_drawings(desk_http, outage):
    outage.start()
    response = desk_http.post(
        reverse("login"),
        {
            "username": "desk",
            "password": "correct horse battery",
            "otp_token": "123456",
            "signature_drawing": "data:image/png;base64,iVBORw0KGgo=",
            "signature_name": "Perpetua Okafor",
        },
    )

    assert response.status_code == 503
    page = response.content.decode()
    assert "Perpetua Okafor" in page
    for secret in ("correct horse battery", "123456", "iVBORw0KGgo"):
        assert secret not in page


def test_session_note_text_is_given_back_to_the_therapist(therapist, outage):
    http = HttpClient(raise_request_exception=False)
    http.force_login(therapist)
    url = reverse("visits:note_new", args=[ClientFactory().pk])
    text = "Hypertonic left upper trapezius, released with sustained pressure"

    outage.start("terminating connection due to administrator command")
    response = http.post(url, {"tissue_response": text, "pain_before": "6"})

    assert response.status_code == 503
    assert text in response.content.decode()


def test_get_during_an_outage_gets_the_page_without_fields(desk_http, outage):
    outage.start()
    response = desk_http.get(reverse("clients:list"))

    assert response.status_code == 503
    page = response.content.decode()
    assert "The system is briefly unavailable" in page
    assert "<textarea" not in page


def test_the_app_answers_again_once_the_database_is_back(desk_http, outage):
    outage.start()
    assert desk_http.post(reverse("clients:new"), TYPED).status_code == 503

    outage.end()  # the database is back; nothing restarts

    assert desk_http.get(reverse("clients:list")).status_code == 200
    response = desk_http.post(reverse("clients:new"), TYPED)
    assert response.status_code == 302
    assert Client.objects.filter(last_name="Okafor-Lindqvist").exists()


def test_an_outage_is_logged_without_what_was_typed(desk_http, outage, caplog):
    outage.start()
    desk_http.post(reverse("clients:new"), TYPED)

    assert "Database unavailable: answered 503 to POST /clients/new/" in caplog.text
    for value in TYPED.values():
        assert value not in caplog.text


@pytest.mark.parametrize(
    ("exc", "outage"),
    [
        (OperationalError("could not connect to server"), True),
        (InterfaceError("connection already closed"), True),
        (DatabaseError("SSL SYSCALL error: EOF detected"), True),
        (IntegrityError("duplicate key value"), False),
        (ValueError("not a database problem"), False),
        (None, False),
    ],
)
def test_only_connection_failures_count_as_an_outage(exc, outage):
    assert is_outage(exc) is outage


def test_a_bug_in_a_view_is_still_a_500(desk_http, monkeypatch):
    def broken(*args, **kwargs):
        raise IntegrityError("a real bug, not an outage")

    monkeypatch.setattr("clients.views.create_client", broken)
    response = desk_http.post(reverse("clients:new"), {**TYPED, "confirm_new": "1"})

    assert response.status_code == 500
    assert TYPED["desk_notes"] not in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_unreachable_database_server_then_back(front_desk, monkeypatch):
    """The real thing: the connection goes to a port where no PostgreSQL listens."""
    http = HttpClient(raise_request_exception=False)
    http.force_login(front_desk)
    connection.close()
    with monkeypatch.context() as patched:
        patched.setitem(connection.settings_dict, "HOST", "127.0.0.1")
        patched.setitem(connection.settings_dict, "PORT", "1")

        response = http.post(reverse("clients:new"), TYPED)

        assert response.status_code == 503
        assert TYPED["desk_notes"] in response.content.decode()
        assert http.get(reverse("healthz")).status_code == 503
    # The settings are back (the server "returns"): the same client, no restart.
    response = http.post(reverse("clients:new"), TYPED)
    assert response.status_code == 302
    assert Client.objects.filter(last_name="Okafor-Lindqvist").exists()


@pytest.mark.django_db(transaction=True)
def test_a_dropped_connection_is_replaced_before_the_next_request(front_desk):
    """PostgreSQL restarted between two requests: the kept-alive connection is dead.

    Run through Django's real request handler (the test client skips the connection
    housekeeping around each request): CONN_HEALTH_CHECKS notices the dead connection
    and opens a new one, so the person never sees an error.
    """
    http = HttpClient()
    http.force_login(front_desk)
    cookie = f"{settings.SESSION_COOKIE_NAME}={http.cookies[settings.SESSION_COOKIE_NAME].value}"
    app = WSGIHandler()

    def status_of(path: str) -> str:
        statuses = []
        result = app(
            RequestFactory().get(path, HTTP_COOKIE=cookie).environ, lambda status, headers: statuses.append(status)
        )
        b"".join(result)
        result.close()  # as a WSGI server does: Django's end-of-request housekeeping runs
        return statuses[0]

    assert status_of(reverse("clients:list")) == "200 OK"
    assert connection.connection is not None, "CONN_MAX_AGE keeps the connection between requests"
    backend_pid = connection.connection.info.backend_pid
    other = connection.get_new_connection(connection.get_connection_params())
    try:
        other.autocommit = True
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [backend_pid])
    finally:
        other.close()

    assert status_of(reverse("clients:list")) == "200 OK"
    assert connection.connection.info.backend_pid != backend_pid
