import logging
import sys

import pytest
from django.db import transaction
from django.test import Client

from accounts.roles import THERAPIST
from clinic.tests.factories import UserFactory
from robustness_tests.world import build_world


@pytest.fixture(autouse=True)
def no_rate_limit(settings):
    """The fuzzers post hundreds of times from one address; the public-page limit is tested elsewhere."""
    settings.RATE_LIMITS = {scope: (10**9, 600) for scope in settings.RATE_LIMITS}


@pytest.fixture(autouse=True)
def quiet_sign_in_log():
    """django-axes logs every sign-in at INFO; thousands of fuzzed sign-ins would bury a failure."""
    logger = logging.getLogger("axes")
    level = logger.level
    logger.setLevel(logging.WARNING)
    yield
    logger.setLevel(level)


@pytest.fixture(autouse=True)
def no_template_capture(monkeypatch):
    """The test client copies every template context it renders (for response.context), which
    doubles the cost of the big forms; these tests read only the HTML."""
    monkeypatch.setattr("django.test.client.store_rendered_templates", lambda *args, **kwargs: None)


@pytest.fixture
def world(therapist):
    return build_world(therapist=therapist)


@pytest.fixture(scope="module")
def module_world(django_db_setup, django_db_blocker):
    """One world for a whole module, for modules whose tests only read it (or roll back).

    Built inside a transaction that is rolled back after the module; each test's own
    transaction (the `db` fixture) is a savepoint inside it. Its therapist is the
    `therapist` persona (same username), so the persona fixtures find the same rows.
    """
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            world = build_world(therapist=UserFactory(role=THERAPIST, username="thera"))
        except BaseException:
            outer.__exit__(*sys.exc_info())
            raise
    yield world
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture
def signed_in(db):
    """signed_in(user) -> an HTTP client signed in as `user` (None: an anonymous visitor)."""

    def make(user) -> Client:
        http = Client()
        if user is not None:
            http.force_login(user)  # counts as two-factor verified (the root conftest.py)
        return http

    return make


# One signed-in HTTP client per test function: hypothesis runs every example of a test
# with the same fixtures, so signing in here is paid once, not once per example.
@pytest.fixture
def as_front_desk(signed_in, front_desk):
    return signed_in(front_desk)


@pytest.fixture
def as_therapist(signed_in, therapist):
    return signed_in(therapist)


@pytest.fixture
def as_manager(signed_in, manager):
    return signed_in(manager)
