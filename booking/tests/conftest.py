"""Fixtures of the booking tests: a therapist working two blocks a day, a service, open rules."""

from datetime import time, timedelta

import pytest
from django.utils import timezone

from accounts.roles import THERAPIST
from booking.models import BookingRules
from clinic.tests.factories import UserFactory
from scheduling.models import WorkingHours
from scheduling.tests.factories import ServiceFactory


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Runs what waits for the commit (the emails) when the wrapped block ends."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def day():
    """A day far enough ahead for the minimum notice, whatever today is."""
    return timezone.localdate() + timedelta(days=3)


@pytest.fixture
def dana(db):
    therapist = UserFactory(role=THERAPIST, username="dana", first_name="Dana", last_name="Smith")
    for weekday in range(7):
        WorkingHours.objects.create(therapist=therapist, weekday=weekday, starts=time(9), ends=time(12))
        WorkingHours.objects.create(therapist=therapist, weekday=weekday, starts=time(13), ends=time(17))
    return therapist


@pytest.fixture
def massage(db):
    return ServiceFactory(name="Massage 60", duration_minutes=60)


@pytest.fixture
def rules(dana, massage):
    rules = BookingRules.current()
    rules.enabled = True
    rules.buffer_minutes = 15
    rules.step_minutes = 30
    rules.save()
    rules.services.add(massage)
    rules.therapists.add(dana)
    return rules
