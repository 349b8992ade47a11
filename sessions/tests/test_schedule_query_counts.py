"""Query-count guards: the schedule pages cost the same however many therapists, visits and clients."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clients.tests.factories import ClientFactory
from clinic.roles import THERAPIST
from clinic.tests.factories import UserFactory
from intake.tests.factories import IntakeFactory
from sessions.models import Appointment, WorkingHours
from sessions.tests.factories import SessionNoteFactory
from sessions.tests.schedule_factories import AppointmentFactory, ServiceFactory, WorkingHoursFactory, at

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
    url = reverse("visits:day")
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
    url = reverse("visits:week")
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
    url = reverse("visits:recalls")
    client.get(url)

    with django_assert_max_num_queries(RECALLS_QUERIES) as few:
        small = client.get(url)
    due_clients(27, therapists)
    with django_assert_max_num_queries(len(few)) as many:
        large = client.get(url)

    assert len(many) == len(few)
    assert len(small.context["rows"]) == 3
    assert len(large.context["rows"]) == 30
    assert all(therapist is not None for _, therapist in large.context["rows"])
