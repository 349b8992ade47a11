"""Maintenance recalls: who is overdue or due within 14 days, with nothing booked yet."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clients.tests.factories import ClientFactory
from scheduling.models import Appointment
from scheduling.recalls import due_clients
from scheduling.tests.factories import AppointmentFactory
from sessions.tests.factories import SessionNoteFactory, TreatmentPlanFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def today():
    return timezone.localdate()


def seen(therapist, today, *, days_ago: int, next_date=None, interval=None, plan_interval=None, **client_fields):
    """A client whose last note is `days_ago` old, with its recommendation and (optionally) an active plan."""
    client_record = ClientFactory(**client_fields)
    SessionNoteFactory(
        client=client_record,
        therapist=therapist,
        visit_date=today - timedelta(days=days_ago),
        next_visit_date=next_date,
        next_visit_interval_days=interval,
    )
    if plan_interval:
        TreatmentPlanFactory(client=client_record, therapist=therapist, visit_interval_days=plan_interval)
    return client_record


def due_dates(today) -> dict:
    return {c.last_name: c.due_on for c in due_clients(today=today)}


def test_due_date_comes_from_the_notes_date_then_its_interval_then_the_plans_interval(therapist, today):
    seen(
        therapist,
        today,
        days_ago=20,
        next_date=today + timedelta(days=3),
        interval=60,
        plan_interval=7,
        last_name="Date",
    )
    seen(therapist, today, days_ago=20, interval=30, plan_interval=7, last_name="Interval")
    seen(therapist, today, days_ago=20, plan_interval=28, last_name="Plan")
    seen(therapist, today, days_ago=20, last_name="Nothing")  # no recommendation, no plan

    assert due_dates(today) == {
        "Date": today + timedelta(days=3),
        "Interval": today + timedelta(days=10),
        "Plan": today + timedelta(days=8),
    }


def test_the_recommended_date_wins_even_when_the_plan_says_overdue(therapist, today):
    seen(therapist, today, days_ago=40, next_date=today + timedelta(days=30), plan_interval=14, last_name="Later")

    assert due_dates(today) == {}


def test_the_last_note_counts_not_an_earlier_one(therapist, today):
    client_record = seen(therapist, today, days_ago=60, interval=14, last_name="Regular")
    SessionNoteFactory(
        client=client_record, therapist=therapist, visit_date=today - timedelta(days=2), next_visit_interval_days=28
    )

    assert due_dates(today) == {}


def test_a_completed_plan_does_not_make_anyone_due(therapist, today):
    client_record = seen(therapist, today, days_ago=30, last_name="Finished")
    plan = TreatmentPlanFactory(client=client_record, therapist=therapist, visit_interval_days=14)
    plan.complete()

    assert due_dates(today) == {}


def test_recall_list_shows_overdue_and_soon_due_clients_with_contact_details_and_a_book_link(
    client, front_desk, therapist, today
):
    overdue = seen(
        therapist,
        today,
        days_ago=45,
        plan_interval=28,
        first_name="Odette",
        last_name="Overdue",
        phone="555-301-0001",
        email="odette@example.com",
    )
    soon = seen(
        therapist,
        today,
        days_ago=10,
        next_date=today + timedelta(days=14),
        first_name="Sunniva",
        last_name="Soon",
        phone="555-301-0002",
        email="",
    )
    seen(therapist, today, days_ago=5, next_date=today + timedelta(days=30), first_name="Lorcan", last_name="Later")
    seen(therapist, today, days_ago=5, next_date=today + timedelta(days=15), first_name="Fifteen", last_name="Days")
    client.force_login(front_desk)

    response = client.get(reverse("scheduling:recalls"))

    html = response.content.decode()
    assert [c.pk for c, _ in response.context["rows"]] == [overdue.pk, soon.pk]
    assert "Odette Overdue" in html
    assert "overdue" in html
    assert "555-301-0001" in html
    assert "odette@example.com" in html
    assert (today - timedelta(days=45)).strftime("%b %-d, %Y") in html  # last visit
    assert str(therapist) in html
    assert "Sunniva Soon" in html
    assert "555-301-0002" in html
    assert "Lorcan" not in html
    assert "Fifteen" not in html
    book = f"{reverse('scheduling:book')}?client={overdue.pk}&amp;therapist={therapist.pk}&amp;date={today.isoformat()}"
    assert book in html
    soon_book = (
        f"{reverse('scheduling:book')}?client={soon.pk}&amp;therapist={therapist.pk}"
        f"&amp;date={(today + timedelta(days=14)).isoformat()}"
    )
    assert soon_book in html


def test_the_book_link_opens_the_booking_form_with_the_client_chosen(client, front_desk, therapist, today):
    due = seen(therapist, today, days_ago=30, interval=14, first_name="Prefilled", last_name="Person")
    client.force_login(front_desk)

    response = client.get(reverse("scheduling:book"), {"client": due.pk, "therapist": therapist.pk})

    assert response.context["client"] == due
    assert f'name="client" value="{due.pk}"' in response.content.decode()
    assert response.context["form"]["therapist"].value() == str(therapist.pk)


def test_clients_with_a_future_live_booking_drop_off_the_list(client, front_desk, therapist, today):
    booked = seen(therapist, today, days_ago=30, interval=14, last_name="Booked")
    cancelled_only = seen(therapist, today, days_ago=30, interval=14, last_name="Cancelled")
    AppointmentFactory(client=booked, therapist=therapist)
    AppointmentFactory(client=cancelled_only, therapist=therapist, status=Appointment.Status.CANCELLED)
    client.force_login(front_desk)

    rows = client.get(reverse("scheduling:recalls")).context["rows"]

    assert [c.last_name for c, _ in rows] == ["Cancelled"]


def test_a_visit_in_the_past_does_not_count_as_booked(therapist, today):
    due = seen(therapist, today, days_ago=30, interval=14, last_name="Past")
    AppointmentFactory(
        client=due,
        therapist=therapist,
        starts_at=timezone.now() - timedelta(days=3),
        status=Appointment.Status.COMPLETED,
    )

    assert list(due_dates(today)) == ["Past"]


def test_archived_clients_are_not_recalled(client, front_desk, therapist, today):
    archived = seen(therapist, today, days_ago=60, interval=14, first_name="Gone", last_name="Away")
    archived.archive(by=front_desk)
    client.force_login(front_desk)

    response = client.get(reverse("scheduling:recalls"))

    assert response.context["rows"] == []
    assert "Gone Away" not in response.content.decode()
    assert "Nobody is due in the next two weeks." in response.content.decode()


def test_recall_list_shows_no_clinical_text(client, front_desk, therapist, today):
    seen(therapist, today, days_ago=30, interval=14, last_name="Private")
    client.force_login(front_desk)

    html = client.get(reverse("scheduling:recalls")).content.decode()

    assert "Private" in html
    for clinical in ("Ropy bands", "Chin tucks", "Neck stiff again", "Pressure felt right"):
        assert clinical not in html
