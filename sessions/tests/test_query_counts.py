"""Query-count guards for the note edit, print and handout pages, plans and assessments:
the same queries for a note with one area as for one with twenty areas and thirty addenda,
and however long the client's history.

(The chart, progress, note detail and dashboard: test_chart_progress.py; the schedule
pages: scheduling/tests/test_query_counts.py.)
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import THERAPIST
from bodymap.regions import REGIONS
from clinic.tests.factories import UserFactory
from intake.tests.factories import IntakeFactory
from sessions.models import Technique
from sessions.tests.factories import (
    AssessmentFactory,
    SessionNoteFactory,
    TreatmentPlanFactory,
    add_addendum,
    signed_note,
)
from sessions.vocabulary import Movement

pytestmark = pytest.mark.django_db

# Clinical pages include one INSERT of their access-log line (audit/middleware.py).
NOTE_EDIT_QUERIES = 15
# Print and handout: 10 for a note without addenda (no authors to load).
NOTE_PRINT_QUERIES = 11
NOTE_HANDOUT_QUERIES = 11
PLAN_DETAIL_QUERIES = 8
ASSESSMENT_DETAIL_QUERIES = 11

MANY_AREAS = [(r.code, "both" if r.paired else "center", 4) for r in REGIONS[:20]]


def long_history(client_record, count: int = 15) -> None:
    """Older visits, plans, assessments and intakes of the client, each by a therapist of its own."""
    for n in range(count):
        day = timezone.localdate() - timedelta(weeks=n + 1)
        note = signed_note(client=client_record, visit_date=day, areas=[("neck_back", "both", 3)])
        add_addendum(note)
        AssessmentFactory(client=client_record, assessed_on=day, rom=[("cervical_rotation", "left", "full", 70)])
        TreatmentPlanFactory(client=client_record, starts_on=day, status="completed")
        IntakeFactory(
            client=client_record, submitted_at=timezone.now() - timedelta(weeks=n + 1), areas=[("knee", "left", 2)]
        )


def test_note_edit_queries_do_not_grow_with_areas_techniques_and_history(
    client, therapist, client_record, django_assert_max_num_queries
):
    IntakeFactory(client=client_record, do_not_work=["abdomen"], areas=[("knee", "left", 4)])
    few = SessionNoteFactory(client=client_record, therapist=therapist, areas=[("calf", "left", 3)])
    client.force_login(therapist)

    with django_assert_max_num_queries(NOTE_EDIT_QUERIES):
        client.get(reverse("visits:note_edit", args=[client_record.pk, few.pk]))
    long_history(client_record)
    Technique.objects.bulk_create(Technique(name=f"Technique {n}") for n in range(15))
    many = SessionNoteFactory(client=client_record, therapist=therapist, areas=MANY_AREAS)
    with django_assert_max_num_queries(NOTE_EDIT_QUERIES):
        response = client.get(reverse("visits:note_edit", args=[client_record.pk, many.pk]))

    html = response.content.decode()
    assert html.count('<option value="4" selected>') == 20  # each area's pain
    assert "Technique 14" in html


@pytest.mark.parametrize(
    "page, limit", [("visits:note_print", NOTE_PRINT_QUERIES), ("visits:note_handout", NOTE_HANDOUT_QUERIES)]
)
def test_printable_note_queries_do_not_grow_with_areas_addenda_and_history(
    client, therapist, client_record, page, limit, django_assert_max_num_queries
):
    few = signed_note(client=client_record, therapist=therapist, areas=[("calf", "left", 3)])
    client.force_login(therapist)

    with django_assert_max_num_queries(limit):
        client.get(reverse(page, args=[client_record.pk, few.pk]))
    long_history(client_record)
    many = signed_note(client=client_record, therapist=therapist, areas=MANY_AREAS)
    for n in range(30):
        add_addendum(many, by=UserFactory(role=THERAPIST), text=f"Extra addendum {n}")
    with django_assert_max_num_queries(limit):
        response = client.get(reverse(page, args=[client_record.pk, many.pk]))

    html = response.content.decode()
    if page == "visits:note_print":
        assert html.count(", pain 4/10") == 20
        assert "Extra addendum 29" in html
    else:
        assert "Your home care" in html


def test_plan_detail_queries_do_not_grow_with_history(client, therapist, client_record, django_assert_max_num_queries):
    plan = TreatmentPlanFactory(client=client_record, goals="Sleep through the night")
    client.force_login(therapist)

    with django_assert_max_num_queries(PLAN_DETAIL_QUERIES):
        client.get(plan.get_absolute_url())
    long_history(client_record)
    with django_assert_max_num_queries(PLAN_DETAIL_QUERIES):
        response = client.get(plan.get_absolute_url())

    assert "Sleep through the night" in response.content.decode()


def test_assessment_detail_queries_do_not_grow_with_tests_and_findings(
    client, therapist, client_record, django_assert_max_num_queries
):
    few = AssessmentFactory(client=client_record, rom=[("cervical_rotation", "left", "full", 70)])
    client.force_login(therapist)

    with django_assert_max_num_queries(ASSESSMENT_DETAIL_QUERIES):
        client.get(few.get_absolute_url())
    long_history(client_record)
    many = AssessmentFactory(
        client=client_record,
        note=signed_note(client=client_record),
        rom=[(movement, "left", "limited", 40) for movement in list(Movement)[:12]],
        palpation=[(r.code, "both" if r.paired else "center") for r in REGIONS[:12]],
        special=[(f"Test {n}", "left", n % 2 == 0) for n in range(8)],
    )
    with django_assert_max_num_queries(ASSESSMENT_DETAIL_QUERIES):
        response = client.get(many.get_absolute_url())

    html = response.content.decode()
    assert html.count("<tr><td>") == 12 + 12  # range of motion and palpation rows
    assert "Test 7" in html
    assert "part of the" in html
