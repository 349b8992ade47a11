"""Booking, moving, cancelling and running visits: booked → checked in → completed, or cancelled / no-show."""

from datetime import UTC, date, time, timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient
from django.urls import reverse

from clients.tests.factories import ClientFactory
from scheduling import services as booking
from scheduling.models import Appointment, WorkingHours
from scheduling.tests.factories import (
    AppointmentFactory,
    ServiceFactory,
    WorkingHoursFactory,
    at,
    next_weekday,
)
from sessions.models import SessionNote
from sessions.tests.factories import SessionNoteFactory
from timekeeping.timeutil import today

pytestmark = pytest.mark.django_db

MONDAY = date(2031, 6, 9)


@pytest.fixture
def evening_of_the_visit_day(clinic_clock):
    """The clinic's clock reads MONDAY 18:00: that day's visits have started (they can be checked
    in, completed and given a receipt); later days' visits are still ahead."""
    clinic_clock(at(MONDAY, "18:00"))


@pytest.fixture
def client_record(db):
    return ClientFactory(first_name="Marisol", last_name="Vandenberg", phone="555-010-2000")


@pytest.fixture
def service(db):
    return ServiceFactory(name="Swedish, 60 minutes", duration_minutes=60, fee=Decimal("85.00"))


@pytest.fixture
def visit(client_record, therapist, service, evening_of_the_visit_day):
    return AppointmentFactory(client=client_record, therapist=therapist, service=service, starts_at=at(MONDAY, "10:00"))


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def booking_data(client_record, therapist, service, *, day=MONDAY, at_time="10:00", **extra) -> dict:
    return {
        "client": client_record.pk,
        "therapist": therapist.pk,
        "service": service.pk,
        "date": day.isoformat(),
        "time": at_time,
        "desk_notes": "",
        **extra,
    }


# --- Booking ------------------------------------------------------------------------------------


def test_front_desk_books_a_visit_at_the_service_length_and_fee(client, front_desk, client_record, therapist, service):
    client.force_login(front_desk)

    response = client.post(
        reverse("scheduling:book"),
        booking_data(client_record, therapist, service, at_time="10:15", desk_notes="Prefers mornings"),
    )

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('scheduling:day')}?date={MONDAY.isoformat()}"
    appointment = Appointment.objects.get(client=client_record)
    assert appointment.starts_at == at(MONDAY, "10:15")
    assert appointment.ends_at == at(MONDAY, "11:15")
    assert appointment.therapist == therapist
    assert appointment.service == service
    assert appointment.fee == Decimal("85.00")
    assert appointment.status == Appointment.Status.BOOKED
    assert appointment.desk_notes == "Prefers mornings"
    assert appointment.created_by == front_desk
    day = client.get(response["Location"]).content.decode()
    assert f"Booked Marisol Vandenberg with {therapist} on Mon Jun 9 at 10:15." in day
    assert "Marisol Vandenberg" in day
    assert "10:15–11:15" in day


def test_booking_without_a_client_asks_for_one(client, front_desk, therapist, service):
    client.force_login(front_desk)
    data = booking_data(ClientFactory.build(), therapist, service)
    del data["client"]

    response = client.post(reverse("scheduling:book"), data)

    assert response.status_code == 200
    assert "Choose the client first." in messages_of(response)
    assert not Appointment.objects.exists()


def test_booking_page_finds_the_client_with_the_search_box(client, front_desk, client_record):
    client.force_login(front_desk)

    response = client.get(reverse("scheduling:book"), {"client_q": "Vandenberg", "date": MONDAY.isoformat()})

    html = response.content.decode()
    assert response.status_code == 200
    assert f"client={client_record.pk}" in html
    assert "Marisol" in html


def test_booking_page_prefills_from_the_day_grid_link(client, front_desk, client_record, therapist, service):
    client.force_login(front_desk)

    response = client.get(
        reverse("scheduling:book"),
        {"client": client_record.pk, "therapist": therapist.pk, "date": MONDAY.isoformat(), "time": "13:45"},
    )

    form = response.context["form"]
    assert response.context["client"] == client_record
    assert (form["therapist"].value(), form["date"].value(), form["time"].value()) == (
        str(therapist.pk),
        MONDAY.isoformat(),
        "13:45",
    )


def test_archived_clients_cannot_be_booked(client, front_desk, client_record, therapist, service):
    client_record.archive(by=front_desk)
    client.force_login(front_desk)

    response = client.post(reverse("scheduling:book"), booking_data(client_record, therapist, service))

    assert response.status_code == 404
    assert not Appointment.objects.exists()


def test_a_past_day_is_refused_by_the_server_not_only_the_date_box(
    client, front_desk, client_record, therapist, service, evening_of_the_visit_day
):
    client.force_login(front_desk)
    yesterday = MONDAY - timedelta(days=1)

    response = client.post(
        reverse("scheduling:book"),
        booking_data(client_record, therapist, service, day=yesterday, desk_notes="Parks at the back"),
    )

    assert response.status_code == 200
    assert response.context["form"].errors["date"] == ["That day is past: choose today or a later day."]
    assert "Parks at the back" in response.content.decode()
    assert not Appointment.objects.exists()


# --- Working hours ------------------------------------------------------------------------------


@pytest.fixture
def monday_hours(therapist):
    return WorkingHoursFactory(therapist=therapist, weekday=WorkingHours.Weekday.MONDAY, starts=time(9), ends=time(17))


def test_booking_inside_working_hours_needs_no_confirmation(
    client, front_desk, client_record, therapist, service, monday_hours
):
    client.force_login(front_desk)

    response = client.post(reverse("scheduling:book"), booking_data(client_record, therapist, service, at_time="16:00"))

    assert response.status_code == 302
    assert Appointment.objects.filter(client=client_record, starts_at=at(MONDAY, "16:00")).exists()


@pytest.mark.parametrize(
    ("day", "at_time"),
    [
        pytest.param(MONDAY, "16:30", id="runs-past-closing"),
        pytest.param(MONDAY, "08:00", id="before-opening"),
        pytest.param(MONDAY + timedelta(days=1), "10:00", id="day-off"),
    ],
)
def test_booking_outside_working_hours_is_refused_unless_book_anyway_is_ticked(
    client, front_desk, client_record, therapist, service, monday_hours, day, at_time
):
    client.force_login(front_desk)

    refused = client.post(
        reverse("scheduling:book"), booking_data(client_record, therapist, service, day=day, at_time=at_time)
    )

    assert refused.status_code == 200
    assert refused.context["form"].errors["time"] == [
        f"Outside {therapist}'s working hours. Tick the box below to book anyway."
    ]
    assert "Tick the box below to book anyway." in refused.content.decode()
    assert not Appointment.objects.exists()

    accepted = client.post(
        reverse("scheduling:book"),
        booking_data(client_record, therapist, service, day=day, at_time=at_time, outside_hours_ok="on"),
    )

    assert accepted.status_code == 302
    assert Appointment.objects.get(client=client_record).starts_at == at(day, at_time)


def test_the_booking_service_itself_keeps_to_working_hours(client_record, therapist, service, monday_hours):
    """The rule lives in the service, so every way of booking (desk, online booking later) keeps it."""
    with pytest.raises(booking.OutsideWorkingHours):
        booking.appointment_book(
            client=client_record, therapist=therapist, service=service, starts_at=at(MONDAY, "08:00")
        )
    assert not Appointment.objects.exists()

    visit = booking.appointment_book(
        client=client_record, therapist=therapist, service=service, starts_at=at(MONDAY, "08:00"), outside_hours_ok=True
    )
    with pytest.raises(booking.OutsideWorkingHours):
        booking.appointment_reschedule(appointment=visit, starts_at=at(MONDAY, "18:00"))
    visit.refresh_from_db()
    assert visit.starts_at == at(MONDAY, "08:00")


def test_moving_a_visit_cancelled_meanwhile_does_not_bring_it_back(visit):
    """The reschedule page was opened, then the visit was cancelled at the desk: saving the move
    must not write the stale row back (it used to turn the cancelled visit into a booked one)."""
    stale = Appointment.objects.get(pk=visit.pk)
    booking.appointment_cancel(appointment=visit, reason="Client called")

    with pytest.raises(ValidationError, match="Only booked visits can be moved"):
        booking.appointment_reschedule(appointment=stale, starts_at=at(MONDAY, "14:00"))

    visit.refresh_from_db()
    assert (visit.status, visit.starts_at, visit.cancel_reason) == ("cancelled", at(MONDAY, "10:00"), "Client called")


def test_rescheduling_outside_working_hours_is_refused_unless_book_anyway_is_ticked(
    client, front_desk, visit, monday_hours
):
    client.force_login(front_desk)
    url = reverse("scheduling:appointment_reschedule", args=[visit.pk])
    data = {"therapist": visit.therapist_id, "date": MONDAY.isoformat(), "time": "18:00"}

    refused = client.post(url, data)

    assert refused.status_code == 200
    assert "Tick the box below to book anyway." in refused.content.decode()
    visit.refresh_from_db()
    assert visit.starts_at == at(MONDAY, "10:00")

    assert client.post(url, {**data, "outside_hours_ok": "on"}).status_code == 302
    visit.refresh_from_db()
    assert visit.starts_at == at(MONDAY, "18:00")


# --- Reschedule, cancel, no-show ------------------------------------------------------------------


def test_front_desk_moves_a_visit_to_another_time_and_therapist(client, front_desk, visit, other_therapist):
    client.force_login(front_desk)

    response = client.post(
        reverse("scheduling:appointment_reschedule", args=[visit.pk]),
        {"therapist": other_therapist.pk, "date": (MONDAY + timedelta(days=2)).isoformat(), "time": "15:30"},
    )

    assert response.status_code == 302
    assert response["Location"] == visit.get_absolute_url()
    visit.refresh_from_db()
    assert visit.starts_at == at(MONDAY + timedelta(days=2), "15:30")
    assert visit.ends_at == at(MONDAY + timedelta(days=2), "16:30")
    assert visit.therapist == other_therapist
    assert "Moved to Wed Jun 11 at 15:30." in messages_of(response)


def test_reschedule_form_opens_with_the_current_time(client, front_desk, visit):
    client.force_login(front_desk)

    response = client.get(reverse("scheduling:appointment_reschedule", args=[visit.pk]))

    form = response.context["form"]
    assert form["date"].value() == MONDAY
    assert form["time"].value() == time(10, 0)
    assert int(form["therapist"].value()) == visit.therapist_id


def test_a_cancelled_visit_cannot_be_moved(client, front_desk, visit):
    booking.appointment_cancel(appointment=visit, reason="Client ill")
    client.force_login(front_desk)

    response = client.post(
        reverse("scheduling:appointment_reschedule", args=[visit.pk]),
        {"therapist": visit.therapist_id, "date": MONDAY.isoformat(), "time": "12:00"},
    )

    assert response.status_code == 200
    assert "Only booked visits can be moved." in response.content.decode()
    visit.refresh_from_db()
    assert (visit.status, visit.starts_at) == (Appointment.Status.CANCELLED, at(MONDAY, "10:00"))


def test_cancelling_needs_a_reason(client, front_desk, visit):
    client.force_login(front_desk)

    response = client.post(reverse("scheduling:appointment_cancel", args=[visit.pk]), {"reason": ""})

    assert response.status_code == 400
    assert response.context["cancel_form"].errors["reason"] == ["This field is required."]
    visit.refresh_from_db()
    assert visit.status == Appointment.Status.BOOKED


def test_a_blank_reason_is_refused_by_the_service_too(visit):
    with pytest.raises(Exception, match="Give a reason for the cancellation."):
        booking.appointment_cancel(appointment=visit, reason="   ")

    visit.refresh_from_db()
    assert visit.status == Appointment.Status.BOOKED


def test_front_desk_cancels_a_visit_with_a_reason(client, front_desk, visit):
    client.force_login(front_desk)

    response = client.post(
        reverse("scheduling:appointment_cancel", args=[visit.pk]), {"reason": " Client has the flu "}
    )

    assert response.status_code == 302
    visit.refresh_from_db()
    assert (visit.status, visit.cancel_reason) == (Appointment.Status.CANCELLED, "Client has the flu")
    detail = client.get(visit.get_absolute_url()).content.decode()
    assert "Visit cancelled." in detail
    assert "Cancelled because" in detail
    assert "Client has the flu" in detail
    assert "Check in</button>" not in detail


def test_front_desk_marks_a_no_show(client, front_desk, visit):
    client.force_login(front_desk)

    response = client.post(reverse("scheduling:appointment_no_show", args=[visit.pk]))

    assert response.status_code == 302
    assert "Marked as no-show." in messages_of(response)
    visit.refresh_from_db()
    assert visit.status == Appointment.Status.NO_SHOW


# --- Invalid transitions --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "action", "message"),
    [
        ("booked", "appointment_complete", "Check the client in first."),
        ("cancelled", "appointment_check_in", "A visit that is cancelled cannot become checked in."),
        ("cancelled", "appointment_no_show", "A visit that is cancelled cannot become no-show."),
        ("no_show", "appointment_check_in", "A visit that is no-show cannot become checked in."),
        ("completed", "appointment_no_show", "A visit that is completed cannot become no-show."),
        ("checked_in", "appointment_no_show", "A visit that is checked in cannot become no-show."),
        ("completed", "appointment_check_in", "A visit that is completed cannot become checked in."),
    ],
)
def test_invalid_transitions_are_refused_with_a_message(client, front_desk, visit, status, action, message):
    Appointment.objects.filter(pk=visit.pk).update(status=status)
    client.force_login(front_desk)

    response = client.post(reverse(f"scheduling:{action}", args=[visit.pk]))

    assert response.status_code == 302
    assert response["Location"] == visit.get_absolute_url()
    assert any(message in m for m in messages_of(response))
    visit.refresh_from_db()
    assert visit.status == status
    assert visit.note_id is None


@pytest.mark.parametrize("status", ["checked_in", "completed", "no_show", "cancelled"])
def test_only_booked_visits_can_be_cancelled(client, front_desk, visit, status):
    Appointment.objects.filter(pk=visit.pk).update(status=status)
    client.force_login(front_desk)

    response = client.post(reverse("scheduling:appointment_cancel", args=[visit.pk]), {"reason": "Changed mind"})

    assert response.status_code == 302
    assert any("cannot become cancelled" in m for m in messages_of(response))
    visit.refresh_from_db()
    assert (visit.status, visit.cancel_reason) == (status, "")


# --- Check-in and completion ----------------------------------------------------------------------


def test_front_desk_check_in_opens_a_draft_note_for_the_visit_therapist(client, front_desk, visit, therapist):
    client.force_login(front_desk)

    response = client.post(reverse("scheduling:appointment_check_in", args=[visit.pk]))

    assert response.status_code == 302
    assert response["Location"] == visit.get_absolute_url()
    assert f"Marisol Vandenberg is checked in; {therapist} has the note open." in messages_of(response)
    visit.refresh_from_db()
    assert visit.status == Appointment.Status.CHECKED_IN
    note = visit.note
    assert note.therapist == therapist
    assert note.client == visit.client
    assert note.visit_date == MONDAY
    assert note.duration_minutes == 60
    assert not note.is_signed


def test_checking_in_twice_creates_one_note(client, front_desk, visit):
    client.force_login(front_desk)

    client.post(reverse("scheduling:appointment_check_in", args=[visit.pk]))
    client.post(reverse("scheduling:appointment_check_in", args=[visit.pk]))

    assert SessionNote.objects.filter(client=visit.client).count() == 1
    visit.refresh_from_db()
    assert visit.note == SessionNote.objects.get(client=visit.client)


def test_check_in_takes_the_note_the_therapist_started_from_the_chart(client, front_desk, therapist, visit):
    """The therapist opened a note from the chart before the desk checked the client in: that
    draft becomes the visit's note (it used to get a second, empty one)."""
    therapist_browser = HttpClient()
    therapist_browser.force_login(therapist)
    therapist_browser.post(reverse("visits:note_new", args=[visit.client_id]))
    started = SessionNote.objects.get(client=visit.client)
    assert started.visit_date == MONDAY and started.duration_minutes is None
    client.force_login(front_desk)

    client.post(reverse("scheduling:appointment_check_in", args=[visit.pk]))

    visit.refresh_from_db()
    assert SessionNote.objects.filter(client=visit.client).count() == 1
    assert visit.note == started
    started.refresh_from_db()
    assert started.duration_minutes == 60  # from the booked visit


def test_check_in_leaves_another_therapists_or_another_days_draft_alone(
    client, front_desk, therapist, other_therapist, visit
):
    SessionNoteFactory(client=visit.client, therapist=other_therapist, visit_date=MONDAY)
    SessionNoteFactory(client=visit.client, therapist=therapist, visit_date=MONDAY - timedelta(days=7))
    client.force_login(front_desk)

    client.post(reverse("scheduling:appointment_check_in", args=[visit.pk]))

    visit.refresh_from_db()
    assert SessionNote.objects.filter(client=visit.client).count() == 3
    assert visit.note.therapist == therapist and visit.note.visit_date == MONDAY


def test_therapist_checking_in_lands_on_the_note_form(client, therapist, visit):
    client.force_login(therapist)

    response = client.post(reverse("scheduling:appointment_check_in", args=[visit.pk]))

    visit.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == reverse("visits:note_edit", args=[visit.client_id, visit.note_id])
    assert client.get(response["Location"]).status_code == 200


def test_check_in_dates_the_note_on_the_clinic_day_not_the_utc_day(
    settings, client_record, therapist, service, evening_of_the_visit_day
):
    settings.TIME_ZONE = "America/New_York"
    evening = AppointmentFactory(
        client=client_record, therapist=therapist, service=service, starts_at=at(date(2031, 6, 9), "21:00")
    )
    assert evening.starts_at.astimezone(UTC).date() == date(2031, 6, 10)

    note = booking.appointment_check_in(appointment=evening)

    note.refresh_from_db()
    assert note.visit_date == date(2031, 6, 9)


def test_completing_a_checked_in_visit_keeps_its_note(client, front_desk, visit):
    client.force_login(front_desk)
    client.post(reverse("scheduling:appointment_check_in", args=[visit.pk]))

    response = client.post(reverse("scheduling:appointment_complete", args=[visit.pk]))

    assert "Visit completed." in messages_of(response)
    visit.refresh_from_db()
    assert visit.status == Appointment.Status.COMPLETED
    assert visit.note is not None


def test_completing_needs_the_session_note(client, front_desk, visit):
    Appointment.objects.filter(pk=visit.pk).update(status=Appointment.Status.CHECKED_IN)
    client.force_login(front_desk)

    response = client.post(reverse("scheduling:appointment_complete", args=[visit.pk]))

    needs_note = "Completing a visit needs its session note (draft or signed). Check the client in first."
    assert needs_note in messages_of(response)
    visit.refresh_from_db()
    assert visit.status == Appointment.Status.CHECKED_IN


# --- A visit's time: check-in and no-show from its day on, completion once it started -----------------


@pytest.fixture
def tomorrows_visit(client_record, therapist, service, evening_of_the_visit_day):
    return AppointmentFactory(
        client=client_record, therapist=therapist, service=service, starts_at=at(MONDAY + timedelta(days=1), "09:00")
    )


@pytest.fixture
def tonights_visit(client_record, therapist, service, evening_of_the_visit_day):
    """Later today: the clock reads 18:00, the visit starts at 19:00."""
    return AppointmentFactory(client=client_record, therapist=therapist, service=service, starts_at=at(MONDAY, "19:00"))


@pytest.mark.parametrize(
    ("action", "message"),
    [
        ("appointment_check_in", "This visit is on Tuesday, June 10, 2031: it can be checked in from that day on."),
        (
            "appointment_no_show",
            "This visit is on Tuesday, June 10, 2031: it can be marked a no-show from that day on.",
        ),
    ],
)
def test_a_forged_check_in_or_no_show_of_a_later_days_visit_is_refused_with_a_message(
    client, front_desk, tomorrows_visit, action, message
):
    client.force_login(front_desk)

    response = client.post(reverse(f"scheduling:{action}", args=[tomorrows_visit.pk]))

    assert response.status_code == 302
    assert response["Location"] == tomorrows_visit.get_absolute_url()
    assert message in messages_of(response)
    tomorrows_visit.refresh_from_db()
    assert tomorrows_visit.status == Appointment.Status.BOOKED
    assert tomorrows_visit.note_id is None
    assert not SessionNote.objects.filter(client=tomorrows_visit.client).exists()


def test_a_later_days_visit_page_offers_no_check_in_or_no_show_and_says_when_they_open(
    client, front_desk, tomorrows_visit
):
    client.force_login(front_desk)

    html = client.get(tomorrows_visit.get_absolute_url()).content.decode()

    assert "Check in</button>" not in html
    assert "Mark no-show</button>" not in html
    assert reverse("scheduling:appointment_check_in", args=[tomorrows_visit.pk]) not in html
    assert "Check-in and no-show open on the day of the visit." in html
    assert "Reschedule" in html
    assert "Cancel visit</button>" in html


def test_on_the_visits_day_it_can_be_checked_in_before_its_start_but_not_completed(client, front_desk, tonights_visit):
    client.force_login(front_desk)
    page = client.get(tonights_visit.get_absolute_url()).content.decode()
    assert "Check in</button>" in page
    assert "Mark no-show</button>" in page

    client.post(reverse("scheduling:appointment_check_in", args=[tonights_visit.pk]))
    page = client.get(tonights_visit.get_absolute_url()).content.decode()
    response = client.post(reverse("scheduling:appointment_complete", args=[tonights_visit.pk]))

    assert "Complete visit</button>" not in page
    assert "The visit can be completed once it has started (19:00)." in page
    expected = "This visit starts at 19:00 on Monday, June 9: it can be completed once it has started."
    assert expected in messages_of(response)
    tonights_visit.refresh_from_db()
    assert tonights_visit.status == Appointment.Status.CHECKED_IN
    assert client.get(reverse("scheduling:receipt", args=[tonights_visit.pk])).status_code == 404


def test_once_the_visit_has_started_it_can_be_completed_and_has_a_receipt(
    client, front_desk, tonights_visit, clinic_clock
):
    booking.appointment_check_in(appointment=tonights_visit)
    clinic_clock(at(MONDAY, "19:05"))
    client.force_login(front_desk)
    assert "Complete visit</button>" in client.get(tonights_visit.get_absolute_url()).content.decode()

    response = client.post(reverse("scheduling:appointment_complete", args=[tonights_visit.pk]))

    assert "Visit completed." in messages_of(response)
    assert "Receipt</a>" in client.get(tonights_visit.get_absolute_url()).content.decode()
    assert client.get(reverse("scheduling:receipt", args=[tonights_visit.pk])).status_code == 200


def test_a_visit_marked_completed_ahead_of_its_time_has_no_receipt(client, front_desk, tomorrows_visit):
    Appointment.objects.filter(pk=tomorrows_visit.pk).update(status=Appointment.Status.COMPLETED)
    client.force_login(front_desk)

    assert client.get(reverse("scheduling:receipt", args=[tomorrows_visit.pk])).status_code == 404
    assert "Receipt</a>" not in client.get(tomorrows_visit.get_absolute_url()).content.decode()


def test_the_visits_day_is_the_clinics_day_not_the_utc_day(settings, client_record, therapist, service, clinic_clock):
    settings.TIME_ZONE = "America/Vancouver"
    clinic_clock(at(MONDAY, "23:30"))  # already Tuesday in UTC
    tuesday_morning = AppointmentFactory(
        client=client_record, therapist=therapist, service=service, starts_at=at(MONDAY + timedelta(days=1), "09:00")
    )

    with pytest.raises(ValidationError, match="it can be checked in from that day on"):
        booking.appointment_check_in(appointment=tuesday_morning)

    clinic_clock(at(MONDAY + timedelta(days=1), "00:10"))
    booking.appointment_check_in(appointment=tuesday_morning)
    tuesday_morning.refresh_from_db()
    assert tuesday_morning.status == Appointment.Status.CHECKED_IN


# --- Therapist dashboard --------------------------------------------------------------------------


def test_therapist_dashboard_lists_todays_clients_with_links_to_their_charts(client, therapist, other_therapist):
    mine = AppointmentFactory(
        therapist=therapist,
        client=ClientFactory(first_name="Ottilie", last_name="Brandauer"),
        starts_at=at(today(), "09:00"),
    )
    later = AppointmentFactory(
        therapist=therapist,
        client=ClientFactory(first_name="Bartholomew", last_name="Quist"),
        starts_at=at(today(), "11:00"),
    )
    AppointmentFactory(
        therapist=therapist,
        client=ClientFactory(first_name="Cancelled", last_name="Person"),
        starts_at=at(today(), "13:00"),
        status=Appointment.Status.CANCELLED,
    )
    AppointmentFactory(
        therapist=therapist,
        client=ClientFactory(first_name="Tomorrow", last_name="Person"),
        starts_at=at(next_weekday((today().weekday() + 1) % 7), "09:00"),
    )
    AppointmentFactory(
        therapist=other_therapist,
        client=ClientFactory(first_name="Colleagues", last_name="Client"),
        starts_at=at(today(), "09:00"),
    )
    client.force_login(therapist)

    response = client.get(reverse("scheduling:dashboard"))

    html = response.content.decode()
    assert [v.pk for v in response.context["today_visits"]] == [mine.pk, later.pk]
    assert "Ottilie Brandauer" in html
    assert "Bartholomew Quist" in html
    assert reverse("visits:chart", args=[mine.client_id]) in html
    assert reverse("visits:chart", args=[later.client_id]) in html
    for absent in ("Cancelled Person", "Tomorrow Person", "Colleagues Client"):
        assert absent not in html


# --- Receipt --------------------------------------------------------------------------------------


def test_receipt_of_a_completed_visit_shows_what_the_client_paid_for(settings, client, front_desk, visit, therapist):
    settings.CLINIC_NAME = "Harbourside Massage Therapy"
    booking.appointment_check_in(appointment=visit)
    booking.appointment_complete(appointment=visit)
    client.force_login(front_desk)

    response = client.get(reverse("scheduling:receipt", args=[visit.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Harbourside Massage Therapy" in html
    assert "Marisol Vandenberg" in html
    assert "June 9, 2031" in html
    assert "Swedish, 60 minutes" in html
    assert str(therapist) in html
    assert "85.00" in html


@pytest.mark.parametrize("status", ["booked", "checked_in", "cancelled", "no_show"])
def test_receipt_exists_only_for_completed_visits(client, front_desk, visit, status):
    Appointment.objects.filter(pk=visit.pk).update(status=status)
    client.force_login(front_desk)

    assert client.get(reverse("scheduling:receipt", args=[visit.pk])).status_code == 404
