"""Services and fees: the manager defines them; a visit keeps the fee it was booked at."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from clients.tests.factories import ClientFactory
from scheduling import services as booking
from scheduling.models import LONGEST_VISIT, Appointment, Service
from scheduling.tests.factories import ServiceFactory, at

pytestmark = pytest.mark.django_db

DAY = date(2031, 6, 10)


def test_manager_adds_a_service_with_name_duration_fee_and_active(client, manager):
    client.force_login(manager)

    response = client.post(
        reverse("scheduling:services"),
        {"name": "Sports massage", "duration_minutes": "45", "fee": "72.50", "active": "on", "position": "10"},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("scheduling:services")
    service = Service.objects.get(name="Sports massage")
    assert (service.duration_minutes, service.fee, service.active) == (45, Decimal("72.50"), True)
    page = client.get(reverse("scheduling:services")).content.decode()
    assert "Service added." in page
    assert "Sports massage" in page
    assert "72.50" in page


def test_manager_retires_a_service_and_it_is_no_longer_offered_for_booking(client, manager, front_desk):
    service = ServiceFactory(name="Hot stone, 90 minutes", duration_minutes=90, fee=Decimal("120.00"))
    client.force_login(manager)

    response = client.post(
        reverse("scheduling:service_edit", args=[service.pk]),
        {"name": "Hot stone, 90 minutes", "duration_minutes": "90", "fee": "120.00", "position": "100"},
    )

    assert response.status_code == 302
    service.refresh_from_db()
    assert service.active is False
    assert "Retired" in client.get(reverse("scheduling:services")).content.decode()
    client.force_login(front_desk)
    booking = client.get(reverse("scheduling:book"), {"client": ClientFactory().pk})
    assert service not in booking.context["form"].fields["service"].queryset
    assert "Hot stone" not in booking.content.decode()


def test_service_form_refuses_a_service_shorter_than_five_minutes(client, manager):
    client.force_login(manager)

    response = client.post(
        reverse("scheduling:services"), {"name": "Blink", "duration_minutes": "2", "fee": "10", "position": "1"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Service.objects.filter(name="Blink").exists()


def test_service_form_refuses_a_service_longer_than_eight_hours(client, manager):
    client.force_login(manager)

    response = client.post(
        reverse("scheduling:services"), {"name": "Marathon", "duration_minutes": "600", "fee": "10", "position": "1"}
    )

    assert response.status_code == 200
    assert "less than or equal to 480" in response.content.decode()
    assert 'value="Marathon"' in response.content.decode()  # what was typed is kept
    assert not Service.objects.filter(name="Marathon").exists()


def test_a_long_visit_that_started_the_evening_before_shows_on_the_day():
    from scheduling.tests.factories import AppointmentFactory
    from timekeeping.timeutil import day_bounds

    evening = at(DAY.replace(day=DAY.day - 1), "20:00")
    overnight = AppointmentFactory(
        service=ServiceFactory(duration_minutes=480), starts_at=evening, ends_at=evening + LONGEST_VISIT
    )

    assert list(Appointment.objects.between(*day_bounds(DAY))) == [overnight]
    assert not Appointment.objects.between(*day_bounds(DAY.replace(day=DAY.day + 1))).exists()


@pytest.mark.parametrize("role", ["front_desk", "therapist"])
def test_only_the_manager_may_open_or_change_services(request, client, role):
    service = ServiceFactory(name="Swedish, 60 minutes", fee=Decimal("80.00"))
    client.force_login(request.getfixturevalue(role))

    pages = [
        client.get(reverse("scheduling:services")),
        client.get(reverse("scheduling:service_edit", args=[service.pk])),
        client.post(reverse("scheduling:services"), {"name": "Sneaky", "duration_minutes": "30", "fee": "1"}),
        client.post(
            reverse("scheduling:service_edit", args=[service.pk]),
            {"name": "Swedish, 60 minutes", "duration_minutes": "60", "fee": "1.00", "active": "on", "position": "1"},
        ),
    ]

    assert [p.status_code for p in pages] == [403, 403, 403, 403]
    service.refresh_from_db()
    assert service.fee == Decimal("80.00")
    assert not Service.objects.filter(name="Sneaky").exists()


def test_a_fee_change_leaves_booked_and_completed_visits_at_their_old_fee(
    client, manager, front_desk, therapist, clinic_clock
):
    service = ServiceFactory(name="Deep tissue, 60 minutes", fee=Decimal("80.00"))
    appointment = booking.appointment_book(
        client=ClientFactory(first_name="Ines", last_name="Achterberg"),
        therapist=therapist,
        service=service,
        starts_at=at(DAY, "10:00"),
    )
    client.force_login(manager)

    client.post(
        reverse("scheduling:service_edit", args=[service.pk]),
        {"name": "Deep tissue, 60 minutes", "duration_minutes": "60", "fee": "95.00", "active": "on", "position": "1"},
    )

    service.refresh_from_db()
    appointment.refresh_from_db()
    assert service.fee == Decimal("95.00")
    assert appointment.fee == Decimal("80.00")
    clinic_clock(at(DAY, "18:00"))  # the visit's time has come: it is held, then paid
    booking.appointment_check_in(appointment=appointment)
    booking.appointment_complete(appointment=appointment)
    client.force_login(front_desk)
    receipt = client.get(reverse("scheduling:receipt", args=[appointment.pk])).content.decode()
    assert "80.00" in receipt
    assert "95.00" not in receipt
    new_visit = booking.appointment_book(
        client=appointment.client, therapist=therapist, service=service, starts_at=at(DAY, "14:00")
    )
    assert new_visit.fee == Decimal("95.00")
    assert Appointment.objects.get(pk=appointment.pk).fee == Decimal("80.00")
