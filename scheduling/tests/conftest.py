import pytest
from django.utils import timezone

# The clinical-record tests' people: a client, another client, another therapist.
from sessions.tests.conftest import client_record, other_client, other_therapist  # noqa: F401


@pytest.fixture
def clinic_clock(monkeypatch):
    """Set the clock the app reads: `clinic_clock(at(day, "18:00"))`. Everything that asks
    django.utils.timezone.now() (today() too) sees that moment; visits run by it (check-in from
    their day on, completion once started)."""

    def set_to(moment):
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return set_to
