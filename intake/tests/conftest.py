from datetime import date

import pytest

from clients.tests.factories import ClientFactory
from intake.models import IntakeLink
from intake.tests.factories import make_link
from intake.tests.helpers import verify_identity


@pytest.fixture
def client_record(db):
    """A client whose last name has an accent and a capital in the middle."""
    return ClientFactory(
        first_name="Zoë",
        last_name="Müller-Ortega",
        date_of_birth=date(1979, 11, 23),
        phone="555-100-2000",
        email="zoe.muller@example.com",
    )


@pytest.fixture
def link_and_token(client_record):
    return make_link(client=client_record, purpose=IntakeLink.Purpose.LINK)


@pytest.fixture
def verified(client, client_record, link_and_token):
    """The HTTP client has confirmed who it is on the link; returns (link, token)."""
    link, token = link_and_token
    response = verify_identity(client, token, client_record)
    assert response.status_code == 302
    return link, token
