from datetime import date

import pytest

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
