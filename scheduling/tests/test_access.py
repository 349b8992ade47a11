"""Who may use which scheduling page, and what front desk may (not) see there."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clients.tests.factories import ClientFactory
from intake.tests.factories import IntakeFactory
from scheduling import services as booking
from scheduling.models import Appointment, Service
from scheduling.tests.factories import AppointmentFactory, ServiceFactory, at
from sessions.tests.factories import HOME_CARE_STRETCHES, TISSUE_RESPONSE, signed_note

pytestmark = pytest.mark.django_db

DAY = date(2031, 6, 9)
STAFF_ROLES = ["front_desk", "therapist", "manager"]

# URL name, whether it takes the visit's id, who may open it ("staff" or "manager")
PAGES = [
    pytest.param("scheduling:day", False, "staff", id="day"),
    pytest.param("scheduling:week", False, "staff", id="week"),
    pytest.param("scheduling:book", False, "staff", id="book"),
    pytest.param("scheduling:recalls", False, "staff", id="recalls"),
    pytest.param("scheduling:appointment_detail", True, "staff", id="detail"),
    pytest.param("scheduling:appointment_reschedule", True, "staff", id="reschedule"),
    pytest.param("scheduling:receipt", True, "staff", id="receipt"),
    pytest.param("scheduling:services", False, "manager", id="services"),
    pytest.param("scheduling:service_edit", True, "manager", id="service-edit"),
]
POST_ONLY = [
    pytest.param("scheduling:appointment_cancel", id="cancel"),
    pytest.param("scheduling:appointment_no_show", id="no-show"),
    pytest.param("scheduling:appointment_check_in", id="check-in"),
    pytest.param("scheduling:appointment_complete", id="complete"),
]


@pytest.fixture
def evening_of_the_visit_day(clinic_clock):
    """The clinic's clock reads DAY 18:00: that day's visits have started (they can be checked
    in, completed and given a receipt); later days' visits are still ahead."""
    clinic_clock(at(DAY, "18:00"))


@pytest.fixture
def visit(therapist, evening_of_the_visit_day):
    """A completed visit (so the receipt exists) of a client whose name must not leak."""
    appointment = AppointmentFactory(
        client=ClientFactory(first_name="Wilhelmina", last_name="Quackenbush"),
        therapist=therapist,
        service=ServiceFactory(name="Lymphatic drainage"),
        starts_at=at(DAY, "10:00"),
    )
    booking.appointment_check_in(appointment=appointment)
    return booking.appointment_complete(appointment=appointment)


@pytest.fixture
def booked(therapist, evening_of_the_visit_day):
    return AppointmentFactory(
        client=ClientFactory(first_name="Bertrand", last_name="Oyelaran"),
        therapist=therapist,
        starts_at=at(DAY, "14:00"),
    )


def url_for(name: str, with_id: bool, appointment: Appointment) -> str:
    if not with_id:
        return reverse(name)
    pk = appointment.service_id if name == "scheduling:service_edit" else appointment.pk
    return reverse(name, args=[pk])


def snapshot():
    return list(Appointment.objects.order_by("id").values_list("id", "status", "starts_at", "note_id", "cancel_reason"))


# --- The matrix -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "with_id", "who"), PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, visit, name, with_id, who):
    response = client.get(url_for(name, with_id, visit))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")


@pytest.mark.parametrize("name", POST_ONLY)
@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_visitors_cannot_act_on_visits(client, booked, name, method):
    before = snapshot()

    response = getattr(client, method)(reverse(name, args=[booked.pk]), {"reason": "Prank"} if method == "post" else {})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")
    assert snapshot() == before


@pytest.mark.parametrize(("name", "with_id", "who"), PAGES)
def test_users_without_a_role_are_refused_every_page(client, no_role_user, visit, name, with_id, who):
    client.force_login(no_role_user)

    response = client.get(url_for(name, with_id, visit))

    html = response.content.decode()
    assert response.status_code == 403
    assert "Your role does not give access to this page." in html
    assert "Quackenbush" not in html


@pytest.mark.parametrize("name", POST_ONLY)
@pytest.mark.parametrize("method", ["get", "post"])
def test_users_without_a_role_cannot_act_on_visits(client, no_role_user, booked, name, method):
    client.force_login(no_role_user)
    before = snapshot()

    response = getattr(client, method)(reverse(name, args=[booked.pk]), {"reason": "Prank"} if method == "post" else {})

    assert response.status_code == 403
    assert snapshot() == before


def test_users_without_a_role_cannot_book_move_or_define_services(client, no_role_user, booked):
    client.force_login(no_role_user)
    before = snapshot()

    responses = [
        client.post(
            reverse("scheduling:book"),
            {
                "client": booked.client_id,
                "therapist": booked.therapist_id,
                "service": booked.service_id,
                "date": DAY.isoformat(),
                "time": "16:00",
            },
        ),
        client.post(
            reverse("scheduling:appointment_reschedule", args=[booked.pk]),
            {"therapist": booked.therapist_id, "date": DAY.isoformat(), "time": "16:00"},
        ),
        client.post(
            reverse("scheduling:services"), {"name": "Free", "duration_minutes": "30", "fee": "0", "position": "1"}
        ),
    ]

    assert [r.status_code for r in responses] == [403, 403, 403]
    assert snapshot() == before
    assert not Service.objects.filter(name="Free").exists()


@pytest.mark.parametrize("role", STAFF_ROLES)
@pytest.mark.parametrize(("name", "with_id", "who"), PAGES)
def test_staff_open_the_scheduling_pages_and_only_the_manager_the_services(
    request, client, visit, role, name, with_id, who
):
    client.force_login(request.getfixturevalue(role))

    response = client.get(url_for(name, with_id, visit), {"date": DAY.isoformat()})

    if who == "manager" and role != "manager":
        assert response.status_code == 403
        assert "Lymphatic drainage" not in response.content.decode()
        return
    assert response.status_code == 200
    if name in (
        "scheduling:day",
        "scheduling:appointment_detail",
        "scheduling:appointment_reschedule",
        "scheduling:receipt",
    ):
        assert "Quackenbush" in response.content.decode()
    if name.startswith("scheduling:service"):
        assert "Lymphatic drainage" in response.content.decode()


@pytest.mark.parametrize("role", STAFF_ROLES)
@pytest.mark.parametrize("name", POST_ONLY)
def test_actions_are_post_only_for_staff(request, client, booked, role, name):
    client.force_login(request.getfixturevalue(role))
    before = snapshot()

    response = client.get(reverse(name, args=[booked.pk]))

    assert response.status_code == 405
    assert snapshot() == before


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_every_role_runs_a_visit_from_check_in_to_completion(request, client, booked, role):
    client.force_login(request.getfixturevalue(role))

    client.post(reverse("scheduling:appointment_check_in", args=[booked.pk]))
    client.post(reverse("scheduling:appointment_complete", args=[booked.pk]))

    booked.refresh_from_db()
    assert booked.status == Appointment.Status.COMPLETED
    assert booked.note is not None


@pytest.mark.parametrize("role", STAFF_ROLES)
@pytest.mark.parametrize(
    ("name", "data", "status"),
    [
        pytest.param("scheduling:appointment_cancel", {"reason": "Client ill"}, "cancelled", id="cancel"),
        pytest.param("scheduling:appointment_no_show", {}, "no_show", id="no-show"),
    ],
)
def test_every_role_cancels_and_marks_no_shows(request, client, booked, role, name, data, status):
    client.force_login(request.getfixturevalue(role))

    response = client.post(reverse(name, args=[booked.pk]), data)

    assert response.status_code == 302
    booked.refresh_from_db()
    assert booked.status == status


# --- "See therapist" badge and clinical text --------------------------------------------------------

CAUTION_LABEL = "Deep-vein thrombosis"
CAUTION_DETAIL = "Clot in the left calf, March"
COMPLAINT = "Throbbing left calf after long flights"


@pytest.fixture
def cautious_client(db):
    client_record = ClientFactory(first_name="Cassius", last_name="Vellacott")
    IntakeFactory(
        client=client_record, cautions=["dvt"], caution_details={"dvt": CAUTION_DETAIL}, main_complaint=COMPLAINT
    )
    return client_record


@pytest.fixture
def cautious_visit(cautious_client, therapist):
    return AppointmentFactory(client=cautious_client, therapist=therapist, starts_at=at(DAY, "09:00"))


def assert_no_clinical_detail(html: str) -> None:
    for clinical in (CAUTION_LABEL, CAUTION_DETAIL, COMPLAINT, "dvt", TISSUE_RESPONSE, HOME_CARE_STRETCHES):
        assert clinical not in html


def test_day_view_shows_front_desk_a_see_therapist_badge_without_the_caution(
    client, front_desk, cautious_visit, booked
):
    client.force_login(front_desk)

    response = client.get(reverse("scheduling:day"), {"date": DAY.isoformat()})

    html = response.content.decode()
    assert response.context["see_therapist"] == {cautious_visit.client_id}
    assert html.count("See therapist</span>") == 1
    cell = html.split("Cassius Vellacott")[1].split("</td>")[0]
    assert "See therapist" in cell
    assert "Bertrand Oyelaran" in html
    assert_no_clinical_detail(html)


def test_booking_page_shows_the_badge_for_the_chosen_client(client, front_desk, cautious_client):
    client.force_login(front_desk)

    response = client.get(reverse("scheduling:book"), {"client": cautious_client.pk})

    html = response.content.decode()
    assert "See therapist before booking" in html
    assert_no_clinical_detail(html)


def test_booking_page_has_no_badge_for_a_client_without_alerts(client, front_desk):
    quiet = ClientFactory()
    IntakeFactory(client=quiet)
    client.force_login(front_desk)

    response = client.get(reverse("scheduling:book"), {"client": quiet.pk})

    assert "See therapist" not in response.content.decode()


def test_the_newest_intake_decides_the_badge_even_before_review(client, front_desk, therapist):
    recovered = ClientFactory(first_name="Recovered", last_name="Client")
    IntakeFactory(client=recovered, cautions=["fever"], submitted_at=timezone.now() - timedelta(days=60))
    IntakeFactory(client=recovered)  # newer, nothing to flag
    pending = ClientFactory(first_name="Pending", last_name="Review")
    IntakeFactory(client=pending, submitted_at=timezone.now() - timedelta(days=60))
    IntakeFactory(client=pending, cautions=["pregnancy"], awaiting=True)  # new answers, not yet reviewed
    AppointmentFactory(client=recovered, therapist=therapist, starts_at=at(DAY, "09:00"))
    AppointmentFactory(client=pending, therapist=therapist, starts_at=at(DAY, "11:00"))
    client.force_login(front_desk)

    response = client.get(reverse("scheduling:day"), {"date": DAY.isoformat()})

    html = response.content.decode()
    assert response.context["see_therapist"] == {pending.pk}
    assert html.count("See therapist</span>") == 1
    assert "Pregnancy" not in html


def test_week_view_and_visit_page_show_the_badge_too(client, front_desk, cautious_visit, therapist):
    client.force_login(front_desk)

    week = client.get(reverse("scheduling:week"), {"therapist": therapist.pk, "date": DAY.isoformat()}).content.decode()
    detail = client.get(cautious_visit.get_absolute_url()).content.decode()

    assert "See therapist" in week
    assert "See therapist before booking" in detail
    assert_no_clinical_detail(week)
    assert_no_clinical_detail(detail)


def test_front_desk_scheduling_pages_never_show_clinical_text(
    client, front_desk, cautious_client, therapist, evening_of_the_visit_day
):
    # An earlier signed note: check-in carries its home care into the new draft.
    signed_note(client=cautious_client, therapist=therapist, visit_date=DAY - timedelta(days=30))
    in_room = AppointmentFactory(client=cautious_client, therapist=therapist, starts_at=at(DAY, "09:00"))
    booking.appointment_check_in(appointment=in_room)
    in_room.refresh_from_db()
    assert in_room.note.home_care_stretches == HOME_CARE_STRETCHES
    done = AppointmentFactory(
        client=cautious_client, therapist=therapist, starts_at=at(DAY - timedelta(days=7), "09:00")
    )
    booking.appointment_check_in(appointment=done)
    booking.appointment_complete(appointment=done)
    later = AppointmentFactory(
        client=cautious_client, therapist=therapist, starts_at=at(DAY + timedelta(days=1), "09:00")
    )
    client.force_login(front_desk)

    pages = {
        "day": client.get(reverse("scheduling:day"), {"date": DAY.isoformat()}),
        "week": client.get(reverse("scheduling:week"), {"therapist": therapist.pk, "date": DAY.isoformat()}),
        "book": client.get(reverse("scheduling:book"), {"client": cautious_client.pk}),
        "detail": client.get(in_room.get_absolute_url()),
        "reschedule": client.get(reverse("scheduling:appointment_reschedule", args=[later.pk])),
        "receipt": client.get(reverse("scheduling:receipt", args=[done.pk])),
        "recalls": client.get(reverse("scheduling:recalls")),
    }

    for name, response in pages.items():
        assert response.status_code == 200, name
        html = response.content.decode()
        assert_no_clinical_detail(html)
        assert "session note" not in html.lower(), name
    assert "Cassius Vellacott" in pages["detail"].content.decode()


def test_therapist_visit_page_links_to_the_note_but_shows_none_of_it(
    client, therapist, cautious_visit, evening_of_the_visit_day
):
    booking.appointment_check_in(appointment=cautious_visit)
    cautious_visit.refresh_from_db()
    client.force_login(therapist)

    html = client.get(cautious_visit.get_absolute_url()).content.decode()

    assert reverse("visits:note_detail", args=[cautious_visit.client_id, cautious_visit.note_id]) in html
    assert "Open the session note" in html
