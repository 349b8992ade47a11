"""Fixtures shared by every app's tests: staff personas, one per role."""

import pytest

from clinic.roles import FRONT_DESK, MANAGER, THERAPIST
from clinic.tests.factories import UserFactory


@pytest.fixture
def front_desk(db):
    return UserFactory(role=FRONT_DESK, username="desk")


@pytest.fixture
def therapist(db):
    return UserFactory(role=THERAPIST, username="thera")


@pytest.fixture
def manager(db):
    return UserFactory(role=MANAGER, username="boss", is_staff=True)


@pytest.fixture
def no_role_user(db):
    """A signed-in account with no role (e.g. a new hire not yet set up)."""
    return UserFactory(username="newhire")
