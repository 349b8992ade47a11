"""The client chart and the calendar are read through indexes, however long the history.

Each read the page runs is EXPLAINed with table scans priced out (clinic/tests/explain.py).
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.tests.explain import assert_page_reads_use_indexes, assert_uses_index, plan_of
from scheduling.models import Appointment
from scheduling.tests.factories import AppointmentFactory, at
from sessions.models import SessionNote
from sessions.tests.factories import SessionNoteFactory, TreatmentPlanFactory, add_addendum, signed_note
from timekeeping.timeutil import day_bounds

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def long_history(client_record, other_client):
    """A client with signed and draft notes, an addendum and a plan; another client's notes beside."""
    for n in range(1, 6):
        signed_note(client=client_record, visit_date=TODAY - timedelta(days=7 * n), areas=[("neck_back", "both", 4)])
    add_addendum(SessionNote.objects.filter(client=client_record).first(), text="Late entry")
    SessionNoteFactory(client=client_record)
    TreatmentPlanFactory(client=client_record)
    signed_note(client=other_client)
    return client_record


def test_the_chart_page_reads_only_through_indexes(client, therapist, long_history):
    client.force_login(therapist)

    plans = assert_page_reads_use_indexes(client, reverse("visits:chart", args=[long_history.pk]))

    assert any("note_client_date" in plan for plan in plans)  # the timeline and the last visit


def test_the_progress_page_reads_only_through_indexes(client, therapist, long_history):
    client.force_login(therapist)

    assert_page_reads_use_indexes(client, reverse("visits:progress", args=[long_history.pk]))


def test_a_clients_notes_newest_first_come_from_the_chart_index(long_history):
    newest = SessionNote.objects.filter(client=long_history).order_by("-visit_date", "-id")[:20]

    assert_uses_index(plan_of(newest), "note_client_date")


def test_visits_on_a_day_read_only_that_stretch_of_the_start_time_index(therapist):
    day = TODAY + timedelta(days=1)
    AppointmentFactory(therapist=therapist, starts_at=at(day, "10:00"))
    start, end = day_bounds(day)

    plan = plan_of(Appointment.objects.between(start, end))

    assert_uses_index(plan, "appointment_start")
    index_condition = next(line for line in plan.splitlines() if "Index Cond" in line)
    assert "starts_at <" in index_condition and "starts_at >" in index_condition  # bounded on both sides


def test_the_day_calendar_reads_only_through_indexes(client, front_desk, therapist):
    day = TODAY + timedelta(days=1)
    for hour in ("09:00", "10:00", "11:00"):
        AppointmentFactory(therapist=therapist, starts_at=at(day, hour))
    client.force_login(front_desk)

    assert_page_reads_use_indexes(client, reverse("scheduling:day"), {"date": day.isoformat()})
