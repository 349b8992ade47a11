import pytest

from clients.tests.factories import ClientFactory


@pytest.fixture
def client_record(db):
    return ClientFactory(first_name="Henrietta", last_name="Quarshie", phone="555-777-0101")


@pytest.fixture
def other_client(db):
    return ClientFactory(first_name="Bartholomew", last_name="Ekwueme", phone="555-777-0202")
