"""The whole-run log check (log_privacy.py) finds what it should, and only that."""

from datetime import date

from clients.models import Client
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
