from datetime import date

import pytest
from django.utils import timezone

from accounts.roles import THERAPIST
from clients.tests.factories import ClientFactory
from clinic.tests.factories import UserFactory


@pytest.fixture
def client_record(db):
    return ClientFactory(first_name="Marisol", last_name="Vandenberg", date_of_birth=date(1984, 2, 29))


@pytest.fixture
def other_client(db):
    return ClientFactory(first_name="Thaddeus", last_name="Okonkwo")


@pytest.fixture
def other_therapist(db):
    return UserFactory(role=THERAPIST, username="thera2")


@pytest.fixture
def clinic_clock(monkeypatch):
    """Set the clock the app reads: `clinic_clock(at(day, "18:00"))`. Everything that asks
    django.utils.timezone.now() (today() too) sees that moment; visits run by it (check-in from
    their day on, completion once started)."""

    def set_to(moment):
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return set_to
