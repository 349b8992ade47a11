"""Fixtures shared by every app's tests: staff personas, one per role."""

import pytest

from accounts.roles import FRONT_DESK, MANAGER, THERAPIST
from clinic.tests import flush
from clinic.tests.factories import UserFactory

# Transactional tests empty the tables past the TRUNCATE guards of the evidence tables.
flush.install()

# After the last test: no client name, date of birth or clinical text in the run's log output.
pytest_plugins = ["clinic.tests.log_privacy"]


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "real_two_factor: sign-ins in this test are not auto-verified for two-factor (accounts tests)"
    )


@pytest.fixture(autouse=True)
def _two_factor_verified_test_sign_ins(request):
    """Managers (and everyone, when the clinic requires it) must pass two-factor sign-in before
    any page. Tests sign in with client.force_login(), which has no second step: for those who
    need one, such a sign-in counts as verified with an authenticator app. Tests of the
    two-factor flow itself opt out with @pytest.mark.real_two_factor."""
    if request.node.get_closest_marker("real_two_factor"):
        yield
        return
    from django.test.client import ClientMixin

    from accounts.tests.helpers import verify_required_test_logins

    # A patch of its own: a test's monkeypatch.undo() must not take it away mid-test.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ClientMixin, "_login", verify_required_test_logins(ClientMixin._login))
        yield


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
