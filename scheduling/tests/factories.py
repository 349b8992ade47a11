"""Scheduling factories: services, working hours and appointments, plus clinic-local time helpers.

`AppointmentFactory(starts_at=at(date(2027, 5, 3), "10:00"))` books a visit at 10:00 clinic time
(the clinic's TIME_ZONE when the factory runs); its length and fee come from its service.
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import factory

from accounts.roles import THERAPIST
from clients.tests.factories import ClientFactory
from clinic.tests.factories import UserFactory
from scheduling.models import Appointment, Service, WorkingHours
from timekeeping.timeutil import local_datetime, today


def at(day: date, hh_mm: str) -> datetime:
    """The aware moment of a clinic wall-clock time, e.g. at(date(2027, 3, 15), "09:30")."""
    return local_datetime(day, time.fromisoformat(hh_mm))


def next_weekday(weekday: int, *, after: date | None = None) -> date:
    """The first date strictly after `after` (default today) falling on `weekday` (Monday is 0)."""
    start = (after or today()) + timedelta(days=1)
    return start + timedelta(days=(weekday - start.weekday()) % 7)


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    name = factory.Sequence(lambda n: f"Therapeutic massage {n}")
    duration_minutes = 60
    fee = Decimal("80.00")
    active = True


class WorkingHoursFactory(factory.django.DjangoModelFactory):
    """Monday 09:00–17:00 unless told otherwise."""

    class Meta:
        model = WorkingHours

    therapist = factory.SubFactory(UserFactory, role=THERAPIST)
    weekday = WorkingHours.Weekday.MONDAY
    starts = time(9, 0)
    ends = time(17, 0)


class AppointmentFactory(factory.django.DjangoModelFactory):
    """A booked visit, by default tomorrow at 10:00 clinic time, at its service's length and fee."""

    class Meta:
        model = Appointment

    client = factory.SubFactory(ClientFactory)
    therapist = factory.SubFactory(UserFactory, role=THERAPIST)
    service = factory.SubFactory(ServiceFactory)
    starts_at = factory.LazyFunction(lambda: at(today() + timedelta(days=1), "10:00"))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(minutes=o.service.duration_minutes))
    fee = factory.LazyAttribute(lambda o: o.service.fee)
    status = Appointment.Status.BOOKED
