"""No double booking: PostgreSQL's exclusion constraint decides, and the pages explain it."""

import importlib
import threading
from datetime import date, timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from accounts.roles import THERAPIST
from clients.tests.factories import ClientFactory
from clinic.tests.factories import UserFactory
from scheduling import services as booking
from scheduling.models import Appointment
from scheduling.tests.factories import AppointmentFactory, ServiceFactory, at

pytestmark = pytest.mark.django_db

DAY = date(2031, 6, 9)  # a Monday, safely in the future


@pytest.fixture
def hour_service(db):
    return ServiceFactory(name="Deep tissue, 60 minutes", duration_minutes=60)


@pytest.fixture
def booked(therapist, hour_service):
    """Thaddeus Okonkwo has the therapist from 10:00 to 11:00."""
    return AppointmentFactory(
        client=ClientFactory(first_name="Thaddeus", last_name="Okonkwo"),
        therapist=therapist,
        service=hour_service,
        starts_at=at(DAY, "10:00"),
    )


@pytest.fixture
def newcomer(db):
    return ClientFactory(first_name="Marisol", last_name="Vandenberg")


def test_database_refuses_an_overlapping_live_visit_created_directly(booked, newcomer):
    with pytest.raises(IntegrityError, match="appointment_no_double_booking"), transaction.atomic():
        Appointment.objects.create(
            client=newcomer,
            therapist=booked.therapist,
            service=booked.service,
            starts_at=at(DAY, "10:30"),
            ends_at=at(DAY, "11:30"),
            fee=booked.service.fee,
        )

    assert Appointment.objects.filter(therapist=booked.therapist).count() == 1


def test_booking_service_names_the_visit_in_the_way(booked, newcomer):
    with pytest.raises(booking.BookingConflict) as raised:
        booking.appointment_book(
            client=newcomer, therapist=booked.therapist, service=booked.service, starts_at=at(DAY, "10:45")
        )

    assert raised.value.conflicting == booked
    assert Appointment.objects.count() == 1


@pytest.mark.parametrize("status", [Appointment.Status.CANCELLED, Appointment.Status.NO_SHOW])
def test_cancelled_and_no_show_visits_free_their_slot(booked, newcomer, status):
    Appointment.objects.filter(pk=booked.pk).update(status=status)

    appointment = booking.appointment_book(
        client=newcomer, therapist=booked.therapist, service=booked.service, starts_at=at(DAY, "10:00")
    )

    appointment.refresh_from_db()
    assert appointment.starts_at == booked.starts_at
    assert appointment.status == Appointment.Status.BOOKED


def test_a_cancelled_visit_cannot_be_revived_over_the_visit_that_took_its_slot(booked, newcomer):
    booking.appointment_cancel(appointment=booked, reason="Client ill")
    booking.appointment_book(
        client=newcomer, therapist=booked.therapist, service=booked.service, starts_at=at(DAY, "10:00")
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        Appointment.objects.filter(pk=booked.pk).update(status=Appointment.Status.BOOKED)


def test_back_to_back_visits_are_allowed(booked, newcomer):
    before = booking.appointment_book(
        client=ClientFactory(), therapist=booked.therapist, service=booked.service, starts_at=at(DAY, "09:00")
    )
    after = booking.appointment_book(
        client=newcomer, therapist=booked.therapist, service=booked.service, starts_at=at(DAY, "11:00")
    )

    assert (before.ends_at, after.starts_at) == (booked.starts_at, booked.ends_at)
    assert Appointment.objects.live().filter(therapist=booked.therapist).count() == 3


def test_two_therapists_can_see_clients_at_the_same_time(booked, newcomer):
    colleague = UserFactory(role=THERAPIST, username="colleague")

    appointment = booking.appointment_book(
        client=newcomer, therapist=colleague, service=booked.service, starts_at=at(DAY, "10:00")
    )

    assert appointment.pk is not None
    assert Appointment.objects.filter(starts_at=at(DAY, "10:00")).count() == 2


def test_booking_page_explains_the_conflict_next_to_the_time_and_keeps_the_choices(
    client, front_desk, booked, newcomer
):
    client.force_login(front_desk)
    posted = {
        "client": newcomer.pk,
        "therapist": booked.therapist.pk,
        "service": booked.service.pk,
        "date": DAY.isoformat(),
        "time": "10:30",
        "desk_notes": "Prefers the quiet room",
    }

    response = client.post(reverse("scheduling:book"), posted)

    assert response.status_code == 200
    expected = f"{booked.therapist} already has Thaddeus Okonkwo from 10:00 to 11:00 that day. Choose another time."
    assert response.context["form"].errors["time"] == [expected]
    html = response.content.decode()
    assert "That time is taken." in html
    assert 'id="error_1_id_time"' in html  # rendered with the time field, not at the top of the page
    assert "Thaddeus Okonkwo from 10:00 to 11:00" in html
    assert 'name="time" value="10:30"' in html
    assert f'name="date" value="{DAY.isoformat()}"' in html
    assert f'<option value="{booked.therapist.pk}" selected>' in html
    assert f'<option value="{booked.service.pk}" selected>' in html
    assert 'value="Prefers the quiet room"' in html
    assert f'name="client" value="{newcomer.pk}"' in html
    assert Appointment.objects.filter(client=newcomer).count() == 0


def test_rescheduling_into_a_taken_slot_is_refused_and_the_page_still_shows_the_real_time(
    client, front_desk, booked, newcomer, hour_service
):
    later = AppointmentFactory(
        client=newcomer, therapist=booked.therapist, service=hour_service, starts_at=at(DAY, "14:00")
    )
    client.force_login(front_desk)

    response = client.post(
        reverse("scheduling:appointment_reschedule", args=[later.pk]),
        {"therapist": booked.therapist.pk, "date": DAY.isoformat(), "time": "10:30"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["time"] == [
        f"{booked.therapist} already has Thaddeus Okonkwo from 10:00 to 11:00 that day. Choose another time."
    ]
    html = response.content.decode()
    assert "at 14:00 with" in html  # the "Now:" line shows the stored time, not the refused one
    later.refresh_from_db()
    assert later.starts_at == at(DAY, "14:00")


RACE_ROUNDS = 8  # PostgreSQL settles some races as a deadlock (about 1 in 13); each costs deadlock_timeout (1 s)


def race(therapist, service, clients, starts_at) -> list:
    """Both clients booked into one slot at the same moment, from two threads (two connections)."""
    return race_bookings([(c, therapist) for c in clients], service, starts_at)


def race_bookings(bookings, service, starts_at) -> list:
    """Each (client, therapist) pair booked into one slot at the same moment, one thread (connection) each."""
    barrier = threading.Barrier(len(bookings), timeout=10)
    outcomes: list[object] = []
    lock = threading.Lock()

    def book(client_record, therapist):
        try:
            barrier.wait()
            try:
                result = booking.appointment_book(
                    client=client_record, therapist=therapist, service=service, starts_at=starts_at
                )
            except Exception as error:  # BookingConflict expected; anything else fails the test below
                result = error
            with lock:
                outcomes.append(result)
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=pair) for pair in bookings]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_two_desks_booking_the_same_slot_at_once_get_one_visit_and_one_conflict():
    therapist = UserFactory(role=THERAPIST, username="racer")
    service = ServiceFactory(duration_minutes=60)
    clients = [ClientFactory(), ClientFactory()]

    for round_number in range(RACE_ROUNDS):
        starts_at = at(DAY, "00:00") + timedelta(hours=round_number)

        outcomes = race(therapist, service, clients, starts_at)

        assert sorted(type(o).__name__ for o in outcomes) == ["Appointment", "BookingConflict"], outcomes
        winner = Appointment.objects.get(starts_at=starts_at)
        conflict = next(o for o in outcomes if isinstance(o, booking.BookingConflict))
        assert conflict.conflicting == winner
        assert winner.ends_at == starts_at + timedelta(minutes=60)
    assert Appointment.objects.count() == RACE_ROUNDS


# --- One client, one place at a time ------------------------------------------------------------


@pytest.fixture
def colleague(db):
    return UserFactory(role=THERAPIST, username="colleague", first_name="Ingrid", last_name="Solberg")


def test_database_refuses_a_second_live_visit_of_one_client_with_another_therapist(booked, colleague):
    with pytest.raises(IntegrityError, match="appointment_client_no_overlap"), transaction.atomic():
        Appointment.objects.create(
            client=booked.client,
            therapist=colleague,
            service=booked.service,
            starts_at=at(DAY, "10:30"),
            ends_at=at(DAY, "11:30"),
            fee=booked.service.fee,
        )

    assert Appointment.objects.filter(client=booked.client).count() == 1


def test_booking_service_names_the_clients_visit_in_the_way(booked, colleague):
    with pytest.raises(booking.BookingConflict) as raised:
        booking.appointment_book(
            client=booked.client, therapist=colleague, service=booked.service, starts_at=at(DAY, "10:45")
        )

    assert raised.value.client_busy
    assert raised.value.conflicting == booked
    assert Appointment.objects.count() == 1


@pytest.mark.parametrize("status", [Appointment.Status.CANCELLED, Appointment.Status.NO_SHOW])
def test_a_clients_cancelled_or_missed_visit_does_not_block_another_at_that_time(booked, colleague, status):
    Appointment.objects.filter(pk=booked.pk).update(status=status)

    appointment = booking.appointment_book(
        client=booked.client, therapist=colleague, service=booked.service, starts_at=at(DAY, "10:00")
    )

    assert Appointment.objects.live().get(client=booked.client) == appointment


def test_a_client_can_have_back_to_back_visits_with_two_therapists(booked, colleague):
    after = booking.appointment_book(
        client=booked.client, therapist=colleague, service=booked.service, starts_at=at(DAY, "11:00")
    )

    assert after.starts_at == booked.ends_at
    assert Appointment.objects.live().filter(client=booked.client).count() == 2


def test_booking_page_says_the_client_already_has_a_visit_at_that_time(client, front_desk, booked, colleague):
    client.force_login(front_desk)
    posted = {
        "client": booked.client.pk,
        "therapist": colleague.pk,
        "service": booked.service.pk,
        "date": DAY.isoformat(),
        "time": "10:30",
        "desk_notes": "",
    }

    response = client.post(reverse("scheduling:book"), posted)

    assert response.status_code == 200
    expected = (
        f"Thaddeus Okonkwo already has a visit at that time: with {booked.therapist} from 10:00 to 11:00 "
        "that day. Choose another time."
    )
    assert response.context["form"].errors["time"] == [expected]
    html = response.content.decode()
    assert "That time is taken." in html
    assert "Thaddeus Okonkwo already has a visit at that time" in html
    assert f'<option value="{colleague.pk}" selected>' in html
    assert Appointment.objects.filter(client=booked.client).count() == 1


def test_rescheduling_onto_the_clients_other_visit_is_refused_with_a_message(
    client, front_desk, booked, colleague, hour_service
):
    later = AppointmentFactory(
        client=booked.client, therapist=colleague, service=hour_service, starts_at=at(DAY, "14:00")
    )
    client.force_login(front_desk)

    response = client.post(
        reverse("scheduling:appointment_reschedule", args=[later.pk]),
        {"therapist": colleague.pk, "date": DAY.isoformat(), "time": "10:30"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["time"] == [
        f"Thaddeus Okonkwo already has a visit at that time: with {booked.therapist} from 10:00 to 11:00 "
        "that day. Choose another time."
    ]
    assert "at 14:00 with" in response.content.decode()
    later.refresh_from_db()
    assert (later.starts_at, later.therapist) == (at(DAY, "14:00"), colleague)


@pytest.mark.django_db(transaction=True)
def test_two_desks_booking_one_client_with_two_therapists_at_once_get_one_visit_and_one_conflict():
    therapists = [UserFactory(role=THERAPIST, username="left"), UserFactory(role=THERAPIST, username="right")]
    service = ServiceFactory(duration_minutes=60)
    client_record = ClientFactory()

    for round_number in range(RACE_ROUNDS):
        starts_at = at(DAY, "00:00") + timedelta(hours=round_number)

        outcomes = race_bookings([(client_record, t) for t in therapists], service, starts_at)

        assert sorted(type(o).__name__ for o in outcomes) == ["Appointment", "BookingConflict"], outcomes
        winner = Appointment.objects.get(starts_at=starts_at)
        conflict = next(o for o in outcomes if isinstance(o, booking.BookingConflict))
        assert conflict.client_busy
        assert conflict.conflicting == winner
    assert Appointment.objects.filter(client=client_record).count() == RACE_ROUNDS


def test_the_migration_names_overlapping_visits_of_a_client_booked_before_the_constraint(
    therapist, colleague, hour_service, newcomer
):
    migration = importlib.import_module("sessions.migrations.0007_appointment_client_no_overlap")
    with connection.cursor() as cursor:  # as before the migration (the test's transaction undoes it)
        cursor.execute("ALTER TABLE visits_appointment DROP CONSTRAINT appointment_client_no_overlap")
    first, second = (
        AppointmentFactory(client=newcomer, therapist=who, service=hour_service, starts_at=at(DAY, hh_mm))
        for who, hh_mm in ((therapist, "10:00"), (colleague, "10:30"))
    )
    AppointmentFactory(
        client=newcomer,
        therapist=colleague,
        service=hour_service,
        starts_at=at(DAY, "10:00"),
        status=Appointment.Status.CANCELLED,
    )

    with pytest.raises(RuntimeError, match=rf"appointment ids {first.pk} and {second.pk}\)"):
        migration.refuse_existing_overlaps(None, connection.schema_editor())
