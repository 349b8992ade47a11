"""Query-count guards: the schedule pages cost the same however many therapists, visits and clients."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import THERAPIST
from clients.tests.factories import ClientFactory
from clinic.tests.factories import UserFactory
from intake.tests.factories import IntakeFactory
from scheduling.models import Appointment, WorkingHours
from scheduling.tests.factories import AppointmentFactory, ServiceFactory, WorkingHoursFactory, at
from sessions.tests.factories import SessionNoteFactory

pytestmark = pytest.mark.django_db

MONDAY = date(2031, 6, 9)
# Every page: session, user, two permission queries, two role queries for the navigation bar (6).
# Day and week: therapists, working hours, visits, "see therapist" alerts.
DAY_VIEW_QUERIES = 10
WEEK_VIEW_QUERIES = 10
# Recalls: count and page of due clients (one query with subqueries), their last therapists.
RECALLS_QUERIES = 9


def fill_schedule(therapists: int, visits_each: int, *, days=(MONDAY,)) -> list:
    """`therapists` new therapists, each with `visits_each` back-to-back 45-minute visits a day
    from 08:00, one client in three with a caution on file and one visit in five cancelled."""
    service = ServiceFactory(duration_minutes=45)
    made = []
    for n in range(therapists):
        therapist = UserFactory(role=THERAPIST)
        WorkingHoursFactory(therapist=therapist, weekday=WorkingHours.Weekday.MONDAY)
        for day in days:
            for k in range(visits_each):
                client_record = ClientFactory()
                if k % 3 == 0:
                    IntakeFactory(client=client_record, cautions=["pregnancy"])
                made.append(
                    AppointmentFactory(
                        therapist=therapist,
                        client=client_record,
                        service=service,
                        starts_at=at(day, "08:00") + timedelta(minutes=45 * k),
                        status=Appointment.Status.CANCELLED if (n + k) % 5 == 4 else Appointment.Status.BOOKED,
                    )
                )
    return made


def test_day_view_queries_do_not_grow_with_therapists_and_visits(client, front_desk, django_assert_max_num_queries):
    fill_schedule(2, 3)
    client.force_login(front_desk)
    url = reverse("scheduling:day")
    client.get(url, {"date": MONDAY.isoformat()})  # warm up (content types, session)

    with django_assert_max_num_queries(DAY_VIEW_QUERIES) as few:
        small = client.get(url, {"date": MONDAY.isoformat()})
    fill_schedule(6, 12)  # 8 therapists, up to 12 visits each
    with django_assert_max_num_queries(len(few)) as many:
        large = client.get(url, {"date": MONDAY.isoformat()})

    assert len(many) == len(few)
    assert len(small.context["grid"]["columns"]) == 2
    assert len(large.context["grid"]["columns"]) == 8
    placed = sum(1 for row in large.context["grid"]["rows"] for cell in row["cells"] if "appointment" in cell)
    assert placed == Appointment.objects.live().filter(starts_at__date=MONDAY).count() > 60
    assert large.content.decode().count("See therapist</span>") > 20


def test_week_view_queries_do_not_grow_with_visits(client, front_desk, django_assert_max_num_queries):
    week = [MONDAY + timedelta(days=i) for i in range(7)]
    quiet = fill_schedule(1, 3)[0].therapist
    fill_schedule(1, 3)
    client.force_login(front_desk)
    url = reverse("scheduling:week")
    client.get(url, {"therapist": quiet.pk, "date": MONDAY.isoformat()})

    with django_assert_max_num_queries(WEEK_VIEW_QUERIES) as few:
        small = client.get(url, {"therapist": quiet.pk, "date": MONDAY.isoformat()})
    busy = fill_schedule(1, 12, days=week)[0].therapist  # 84 visits in the week
    fill_schedule(5, 1)
    with django_assert_max_num_queries(len(few)) as many:
        large = client.get(url, {"therapist": busy.pk, "date": MONDAY.isoformat()})

    assert len(many) == len(few)
    assert len(small.context["therapists"]) == 2
    assert len(large.context["therapists"]) == 8
    placed = sum(1 for row in large.context["grid"]["rows"] for cell in row["cells"] if "appointment" in cell)
    assert placed == Appointment.objects.live().filter(therapist=busy).count() > 60


def due_clients(count: int, therapists: list) -> None:
    for n in range(count):
        SessionNoteFactory(
            client=ClientFactory(),
            therapist=therapists[n % len(therapists)],
            visit_date=timezone.localdate() - timedelta(days=30 + n % 10),
            next_visit_interval_days=21,
        )


def test_recall_list_queries_do_not_grow_with_due_clients(client, front_desk, django_assert_max_num_queries):
    therapists = [UserFactory(role=THERAPIST) for _ in range(3)]
    due_clients(3, therapists)
    client.force_login(front_desk)
    url = reverse("scheduling:recalls")
    client.get(url)

    with django_assert_max_num_queries(RECALLS_QUERIES) as few:
        small = client.get(url)
    due_clients(52, therapists)  # more than a page of 50
    with django_assert_max_num_queries(len(few)) as many:
        large = client.get(url)

    assert len(many) == len(few)
    assert len(small.context["rows"]) == 3
    assert len(large.context["rows"]) == 50
    assert large.context["page"].paginator.num_pages == 2
    assert all(therapist is not None for _, therapist in large.context["rows"])


# Services: the list of services. Service edit: the service.
SERVICES_QUERIES = 8
SERVICE_EDIT_QUERIES = 8
# Visit and receipt: the visit with its client, therapist, service and booker; "see therapist".
APPOINTMENT_DETAIL_QUERIES = 8
RECEIPT_QUERIES = 7
# Booking: active services exist, and either the client search (one query) or the chosen
# client, their "see therapist" flag and the therapist and service choices.
BOOK_QUERIES = {"search": 9, "chosen": 11}


def test_services_list_queries_do_not_grow_with_services(client, manager, django_assert_max_num_queries):
    ServiceFactory()
    client.force_login(manager)
    url = reverse("scheduling:services")

    with django_assert_max_num_queries(SERVICES_QUERIES):
        client.get(url)
    ServiceFactory.create_batch(24)
    with django_assert_max_num_queries(SERVICES_QUERIES):
        response = client.get(url)

    assert response.content.decode().count(">Edit<span") == 25


def test_service_edit_queries_do_not_grow_with_services_and_visits(client, manager, django_assert_max_num_queries):
    service = ServiceFactory(name="Hot stone")
    client.force_login(manager)
    url = reverse("scheduling:service_edit", args=[service.pk])

    with django_assert_max_num_queries(SERVICE_EDIT_QUERIES):
        client.get(url)
    ServiceFactory.create_batch(24)
    for n in range(15):
        AppointmentFactory(service=service, starts_at=at(MONDAY + timedelta(days=n), "10:00"))
    with django_assert_max_num_queries(SERVICE_EDIT_QUERIES):
        response = client.get(url)

    assert "Edit Hot stone" in response.content.decode()


def visit_of_a_busy_client(client_record, numbers: range, **kwargs) -> Appointment:
    """For each number, an intake with a caution and a past completed visit of the client
    (each with its own therapist and service); then a visit of theirs."""
    for n in numbers:
        IntakeFactory(client=client_record, cautions=["pregnancy"])
        AppointmentFactory(
            client=client_record,
            starts_at=at(MONDAY - timedelta(days=n + 1), "10:00"),
            status=Appointment.Status.COMPLETED,
        )
    return AppointmentFactory(
        client=client_record, starts_at=at(MONDAY + timedelta(days=len(numbers)), "10:00"), **kwargs
    )


@pytest.mark.parametrize("page", ["visit", "receipt"])
def test_visit_and_receipt_queries_do_not_grow_with_the_clients_history(
    client, front_desk, page, django_assert_max_num_queries, clinic_clock
):
    clinic_clock(at(MONDAY + timedelta(days=30), "18:00"))  # the visits have happened: receipts exist

    def url(visit):
        return reverse("scheduling:receipt", args=[visit.pk]) if page == "receipt" else visit.get_absolute_url()

    limit = RECEIPT_QUERIES if page == "receipt" else APPOINTMENT_DETAIL_QUERIES
    status = Appointment.Status.COMPLETED if page == "receipt" else Appointment.Status.BOOKED
    client.force_login(front_desk)
    few = visit_of_a_busy_client(ClientFactory(), range(1), status=status, created_by=front_desk)

    with django_assert_max_num_queries(limit):
        client.get(url(few))
    many = visit_of_a_busy_client(ClientFactory(), range(15), status=status, created_by=front_desk)
    with django_assert_max_num_queries(limit):
        response = client.get(url(many))

    html = response.content.decode()
    assert str(many.therapist) in html
    assert many.service.name in html


@pytest.mark.parametrize("step", ["search", "chosen"])
def test_booking_form_queries_do_not_grow_with_matches_therapists_and_services(
    client, front_desk, step, django_assert_max_num_queries
):
    def add(count):
        for _ in range(count):
            person = ClientFactory(last_name="Okafor")
            IntakeFactory(client=person, cautions=["pregnancy"])
            UserFactory(role=THERAPIST)
            ServiceFactory()
        return person

    person = add(1)
    client.force_login(front_desk)
    params = {"client_q": "okafor"} if step == "search" else {"client": person.pk}

    with django_assert_max_num_queries(BOOK_QUERIES[step]):
        client.get(reverse("scheduling:book"), params)
    add(14)
    with django_assert_max_num_queries(BOOK_QUERIES[step]):
        response = client.get(reverse("scheduling:book"), params)

    html = response.content.decode()
    if step == "search":
        assert len(response.context["matches"]) == 10
    else:
        assert "See therapist before booking" in html
        assert html.count("Therapeutic massage") == 15  # every service is offered
