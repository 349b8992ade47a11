"""clients_client.last_visit_at follows the appointments (search ranks recent clients first)."""

from datetime import timedelta

import pytest

from clients.tests.factories import ClientFactory
from scheduling.models import Appointment
from scheduling.tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db


def latest_visit(client):
    client.refresh_from_db()
    return client.last_visit_at


def test_booking_moving_and_cancelling_keep_the_clients_latest_visit():
    client = ClientFactory()
    assert latest_visit(client) is None

    first = AppointmentFactory(client=client)
    assert latest_visit(client) == first.starts_at

    later = AppointmentFactory(
        client=client, starts_at=first.starts_at + timedelta(days=7), ends_at=first.ends_at + timedelta(days=7)
    )
    assert latest_visit(client) == later.starts_at

    Appointment.objects.filter(pk=later.pk).update(status=Appointment.Status.CANCELLED)
    assert latest_visit(client) == first.starts_at

    moved = first.starts_at + timedelta(days=1)
    Appointment.objects.filter(pk=first.pk).update(starts_at=moved, ends_at=moved + timedelta(hours=1))
    assert latest_visit(client) == moved

    Appointment.objects.filter(pk=first.pk).update(status=Appointment.Status.CANCELLED)
    assert latest_visit(client) is None


def test_a_no_show_still_counts_as_contact():
    visit = AppointmentFactory()
    Appointment.objects.filter(pk=visit.pk).update(status=Appointment.Status.NO_SHOW)

    assert latest_visit(visit.client) == visit.starts_at
