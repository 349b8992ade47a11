"""The whole-run log check (log_privacy.py) finds what it should, and only that; refused
requests are logged as one line each."""

import io
import logging
from datetime import date

import pytest
from django.urls import reverse

from clients.models import Client
from clients.tests.factories import ClientFactory
from clinic.tests.log_privacy import HealthData
from sessions.models import SessionNote


def health_data() -> HealthData:
    found = HealthData()
    found.record(Client, Client(first_name="Marisol", last_name="Lee", date_of_birth=date(1984, 2, 9)))
    found.record(SessionNote, SessionNote(tissue_response="Ropy bands along the left levator scapulae"))
    return found


def test_names_dates_of_birth_and_notes_in_a_log_are_found():
    for line in (
        "WARNING django.request Not Found: /clients/Marisol/",
        "INFO app checked Lee",
        "ERROR app bad date 1984-02-09",
        "ERROR app bad date Feb. 9, 1984",
        "ERROR app {'dob': datetime.date(1984, 2, 9)}",
        "ERROR app IntegrityError: Ropy bands along the left levator scapulae",
    ):
        assert health_data().found_in(line), line


def test_a_date_of_birth_given_as_text_is_tracked_too():
    found = HealthData()
    found.record(Client, Client(first_name="Sam", last_name="Rivera", date_of_birth="1985-06-02"))

    assert found.found_in("ERROR app June 2, 1985")


def test_ordinary_log_lines_are_not_leaks():
    for line in (
        "INFO axes older than 1984-02-09 06:03:55.110986+00:00",  # a timestamp, not a date of birth
        "INFO app Leeds office",
        "WARNING django.request Not Found: /clients/17/",
    ):
        assert not health_data().found_in(line), line


# Refused requests ---------------------------------------------------------------------------


@pytest.fixture
def console():
    """What the app's log handlers print for a request's records (Django's included)."""
    stream = io.StringIO()
    swapped = []
    logger = logging.getLogger("django.request")
    while logger is not None:
        for handler in logger.handlers:
            if type(handler) is logging.StreamHandler:  # the console handlers, not pytest's capture
                swapped.append((handler, handler.setStream(stream)))
        logger = logger.parent if logger.propagate else None
    yield stream
    for handler, previous in swapped:
        handler.setStream(previous)


def printed(console) -> list[str]:
    return console.getvalue().splitlines()


@pytest.mark.parametrize("debug", [False, True], ids=["production", "make run"])
def test_a_refused_page_is_one_line_with_method_path_status_and_user(client, front_desk, console, settings, debug):
    settings.DEBUG = debug
    marisol = ClientFactory(first_name="Marisol", last_name="Lee")
    client.force_login(front_desk)
    chart = reverse("visits:chart", args=[marisol.pk])

    response = client.get(chart, {"q": "Marisol Lee"})

    assert response.status_code == 403
    (line,) = printed(console)
    assert line.endswith(f"WARNING django.request Refused GET {chart} (403, user {front_desk.pk})")
    assert "Marisol" not in line


@pytest.mark.parametrize("debug", [False, True], ids=["production", "make run"])
def test_a_record_not_found_is_one_line_with_method_path_status_and_user(client, therapist, console, settings, debug):
    settings.DEBUG = debug
    client.force_login(therapist)
    chart = reverse("visits:chart", args=[987654])

    response = client.post(chart + "?q=Lee")

    assert response.status_code == 404
    (line,) = printed(console)
    assert line.endswith(f"WARNING django.request Refused POST {chart} (404, user {therapist.pk})")


def test_a_visitor_refused_a_link_is_one_line_without_a_user(db, client, console):
    url = reverse("intake:open", args=["no-such-link"])

    response = client.get(url)

    assert response.status_code == 404
    (line,) = printed(console)
    assert line.endswith(f"Refused GET {url} (404, not signed in)")
