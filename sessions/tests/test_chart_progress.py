"""The client's chart (timeline) and progress pages, the dashboard, and their query counts."""

from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bodymap.regions import REGIONS
from intake.models import Intake
from intake.tests.factories import IntakeFactory
from scheduling.tests.factories import AppointmentFactory, ServiceFactory, at
from sessions.models import Addendum, SessionNote
from sessions.selectors import TIMELINE_PAGE_SIZE
from sessions.tests.factories import (
    AssessmentFactory,
    SessionNoteFactory,
    TreatmentPlanFactory,
    add_addendum,
    signed_note,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def days_ago(n: int):
    return TODAY - timedelta(days=n)


def at_noon(day):
    return timezone.make_aware(datetime.combine(day, time(12)))


def entries(html: str) -> list[str]:
    """The kinds of the timeline's entries, in page order."""
    timeline = html[html.index('<ol class="timeline">') : html.index("</ol>")]
    return [part.split('"', 1)[0] for part in timeline.split('<li class="kind-')[1:]]


# --- timeline ------------------------------------------------------------------------------------


def test_chart_lists_every_kind_of_record_newest_first(client, therapist, client_record):
    IntakeFactory(client=client_record, submitted_at=at_noon(days_ago(100)))
    AssessmentFactory(client=client_record, assessed_on=days_ago(90), rom=[("hip_flexion", "left", "full", None)])
    TreatmentPlanFactory(client=client_record, starts_on=days_ago(80), goals="Run a half marathon")
    note = signed_note(client=client_record, visit_date=days_ago(70))
    Addendum.objects.create(
        note=note, author=therapist, created_at=at_noon(days_ago(60)), reason="Late entry", text="Felt great"
    )
    IntakeFactory(client=client_record, unmatched=True)  # not this client's yet: not on the chart
    signed_note(visit_date=days_ago(65))  # another client's note
    client.force_login(therapist)

    html = client.get(reverse("visits:chart", args=[client_record.pk])).content.decode()

    assert entries(html) == ["addendum", "note", "plan", "assessment", "intake"]
    assert "Late entry" in html
    assert "1 range-of-motion test" in html
    assert "pain 6 → 3" in html
    assert "visits every 2 weeks" in html
    assert "Run a half marathon" in html  # the active plan card
    assert note.get_absolute_url() in html


def test_chart_timeline_is_paged_by_twenty(client, therapist, client_record):
    for n in range(TIMELINE_PAGE_SIZE + 5):
        SessionNoteFactory(client=client_record, visit_date=days_ago(n), pain_before=n % 11)
    client.force_login(therapist)
    url = reverse("visits:chart", args=[client_record.pk])

    first = client.get(url).content.decode()
    second = client.get(url, {"page": 2}).content.decode()

    assert len(entries(first)) == TIMELINE_PAGE_SIZE
    assert len(entries(second)) == 5
    assert "Page 1 of 2" in first and "Older" in first
    assert "Page 2 of 2" in second and "Newer" in second
    assert f"{days_ago(0):%b} {days_ago(0).day}, {days_ago(0).year}" in first
    oldest = days_ago(TIMELINE_PAGE_SIZE + 4)
    assert f"{oldest:%b} {oldest.day}, {oldest.year}" in second


def test_chart_of_a_new_client_is_empty(client, therapist, client_record):
    client.force_login(therapist)

    html = client.get(reverse("visits:chart", args=[client_record.pk])).content.decode()

    assert "No clinical records yet." in html
    assert "New note from the last one" not in html
    assert "No active plan." in html


def test_chart_of_an_archived_client_offers_no_new_records(client, therapist, manager, client_record):
    SessionNoteFactory(client=client_record)
    client_record.archive(by=manager)
    client.force_login(therapist)

    html = client.get(reverse("visits:chart", args=[client_record.pk])).content.decode()

    assert "New session note" not in html
    assert 'class="kind-note"' in html


# --- progress ------------------------------------------------------------------------------------


@pytest.fixture
def progress_history(client_record):
    for weeks, (before, after, neck, shoulder) in enumerate([(8, 5, 7, 6), (6, 3, 5, None), (4, 1, 2, 3)]):
        note = SessionNoteFactory(
            client=client_record,
            visit_date=TODAY - timedelta(weeks=6 - 2 * weeks),
            pain_before=before,
            pain_after=after,
            areas=[("neck_back", "both", neck)] + ([("shoulder", "left", shoulder)] if shoulder is not None else []),
        )
        if weeks == 1:
            note.areas.create(region="shoulder", side="left", pain=None)
    AssessmentFactory(
        client=client_record,
        assessed_on=TODAY - timedelta(weeks=6),
        rom=[("cervical_rotation", "left", "limited", 55), ("cervical_rotation", "right", "full", 80)],
    )
    AssessmentFactory(
        client=client_record,
        assessed_on=TODAY - timedelta(weeks=1),
        rom=[("cervical_rotation", "both", "full", None), ("shoulder_abduction", "right", "painful", 90)],
    )


def test_progress_shows_the_pain_chart_and_a_table_of_the_same_numbers(
    client, therapist, client_record, progress_history
):
    client.force_login(therapist)

    response = client.get(reverse("visits:progress", args=[client_record.pk]))

    html = response.content.decode()
    assert 'aria-label="Pain before and after each visit (the same numbers are in the table below)"' in html
    section = html[html.index('id="pain-heading"') : html.index('id="region-heading"')]
    rows = [(day, before, after) for day, before, after in response.context["pain_rows"]]
    assert [(b, a) for _, b, a in rows] == [(8, 5), (6, 3), (4, 1)]
    for day, before, after in rows:
        assert f"<td>{day:%b} {day.day}, {day.year}</td><td>{before}</td><td>{after}</td>" in section
    chart = response.context["pain_chart"]
    assert [s.values for s in chart.series] == [[8, 6, 4], [5, 3, 1]]
    assert section.count('class="dot series-a"') == 3


def test_progress_shows_pain_per_region(client, therapist, client_record, progress_history):
    client.force_login(therapist)
    url = reverse("visits:progress", args=[client_record.pk])

    neck = client.get(url).content.decode()
    shoulder = client.get(url, {"region": "shoulder"}).content.decode()

    section = neck[neck.index('id="region-heading"') : neck.index('id="rom-heading"')]
    assert 'value="neck_back" selected' in section  # the most often rated region comes first
    assert "Pain in Neck, back over visits" in section
    assert [line.count("<td>") for line in section.split("<tr>") if "<td>" in line] == [2, 2, 2]
    assert "<td>7</td>" in section and "<td>5</td>" in section and "<td>2</td>" in section
    section = shoulder[shoulder.index('id="region-heading"') : shoulder.index('id="rom-heading"')]
    assert "Pain in Shoulder (trapezius) over visits" in section
    assert "<td>6</td>" in section and "<td>3</td>" in section
    assert section.count("<tr><td>") == 2  # the visit without a shoulder rating is not a row


def test_progress_shows_range_of_motion_left_against_right(client, therapist, client_record, progress_history):
    client.force_login(therapist)
    url = reverse("visits:progress", args=[client_record.pk])

    html = client.get(url, {"movement": "cervical_rotation"}).content.decode()

    section = html[html.index('id="rom-heading"') : html.index('id="heat-heading"')]
    assert "Cervical rotation: left and right over time" in section
    assert "<td>Limited (55°)</td><td>Full (80°)</td>" in section
    assert "<td>Full</td><td>Full</td>" in section  # "both" counts for each side
    other = client.get(url, {"movement": "shoulder_abduction"}).content.decode()
    assert "<td>—</td><td>Painful (90°)</td>" in other


def test_progress_shows_the_heat_map_of_worked_regions(client, therapist, client_record, progress_history):
    client.force_login(therapist)

    html = client.get(reverse("visits:progress", args=[client_record.pk])).content.decode()

    section = html[html.index('id="heat-heading"') :]
    assert "<td>Neck, back, both sides</td><td>3</td>" in section
    assert "<td>Shoulder (trapezius), left</td><td>3</td>" in section
    assert 'data-body-map="heat-map"' in section
    assert "is-highlighted" in section


def test_progress_of_a_client_without_records(client, therapist, client_record):
    client.force_login(therapist)

    html = client.get(reverse("visits:progress", args=[client_record.pk])).content.decode()

    assert "No session notes yet." in html
    assert "No per-region pain ratings in the notes yet." in html
    assert "No range-of-motion tests yet." in html
    assert "No areas recorded yet." in html


# --- query counts: the same for 5 visits as for 60 ---------------------------------------------------


def add_visits(client_record, therapist, *, count: int, start: int):
    """`count` weekly visits going back from `start` weeks ago: a signed note with two rated areas,
    an assessment with left and right range of motion, every fifth visit an addendum and a past plan."""
    for n in range(start, start + count):
        day = TODAY - timedelta(weeks=n)
        note = signed_note(
            client=client_record,
            therapist=therapist,
            visit_date=day,
            pain_before=n % 11,
            areas=[("neck_back", "both", n % 11), ("shoulder", "left", (n + 3) % 11)],
        )
        AssessmentFactory(
            client=client_record,
            therapist=therapist,
            assessed_on=day,
            rom=[("cervical_rotation", "left", "limited", 50 + n), ("cervical_rotation", "right", "full", 80)],
        )
        if n % 5 == 0:
            Addendum.objects.create(
                note=note, author=therapist, created_at=at_noon(day), reason="Late entry", text=f"Addendum {n}"
            )
            TreatmentPlanFactory(client=client_record, starts_on=day, status="completed")


@pytest.fixture
def history(client_record, therapist):
    """This week's records of every kind, then four older weekly visits: five visits in all."""
    IntakeFactory(client=client_record, cautions=["pregnancy"], do_not_work=["abdomen"], areas=[("knee", "left", 4)])
    IntakeFactory(client=client_record, status=Intake.Status.AWAITING_REVIEW)
    TreatmentPlanFactory(client=client_record)
    today = signed_note(client=client_record, therapist=therapist, areas=[("calf", "left", 3)])
    add_addendum(today)
    AssessmentFactory(client=client_record, rom=[("cervical_rotation", "left", "full", 70)])
    add_visits(client_record, therapist, count=4, start=1)
    return today


def assert_same_queries_with_more_visits(http_client, url, client_record, therapist, assert_max, assert_exact, limit):
    with assert_max(limit) as few:
        first = http_client.get(url)
    assert first.status_code == 200
    add_visits(client_record, therapist, count=55, start=5)
    assert SessionNote.objects.filter(client=client_record).count() == 60

    with assert_exact(len(few)):
        second = http_client.get(url)
    assert second.status_code == 200
    return first.content.decode(), second.content.decode()


# Clinical pages include one INSERT of their access-log line (audit/middleware.py).
CHART_QUERIES = 21
PROGRESS_QUERIES = 14
NOTE_DETAIL_QUERIES = 16
DASHBOARD_QUERIES = 10


def test_chart_queries_do_not_grow_with_visits(
    client, therapist, client_record, history, django_assert_max_num_queries, django_assert_num_queries
):
    client.force_login(therapist)

    few, many = assert_same_queries_with_more_visits(
        client,
        reverse("visits:chart", args=[client_record.pk]),
        client_record,
        therapist,
        django_assert_max_num_queries,
        django_assert_num_queries,
        CHART_QUERIES,
    )

    assert set(entries(few)) == {"intake", "assessment", "plan", "note", "addendum"}
    assert len(entries(many)) == TIMELINE_PAGE_SIZE
    assert "Page 1 of" in many


def test_progress_queries_do_not_grow_with_visits(
    client, therapist, client_record, history, django_assert_max_num_queries, django_assert_num_queries
):
    client.force_login(therapist)

    few, many = assert_same_queries_with_more_visits(
        client,
        reverse("visits:progress", args=[client_record.pk]),
        client_record,
        therapist,
        django_assert_max_num_queries,
        django_assert_num_queries,
        PROGRESS_QUERIES,
    )

    assert "<td>Neck, back, both sides</td><td>4</td>" in few
    assert "<td>Neck, back, both sides</td><td>59</td>" in many


def test_note_detail_queries_do_not_grow_with_visits_areas_and_addenda(
    client, therapist, client_record, history, django_assert_max_num_queries, django_assert_num_queries
):
    client.force_login(therapist)

    with django_assert_max_num_queries(NOTE_DETAIL_QUERIES) as few:
        client.get(history.get_absolute_url())
    add_visits(client_record, therapist, count=55, start=5)
    crowded = signed_note(client=client_record, therapist=therapist, areas=[(r.code, "both", 4) for r in REGIONS[:20]])
    for n in range(30):
        add_addendum(crowded, text=f"Extra addendum {n}")
    with django_assert_num_queries(len(few)):
        response = client.get(crowded.get_absolute_url())

    html = response.content.decode()
    assert "Extra addendum 29" in html
    assert html.count(", pain 4/10") == 20
    assert "The content matches its signature" in html


def test_dashboard_queries_do_not_grow_with_notes_and_todays_visits(
    client, therapist, client_record, django_assert_max_num_queries, django_assert_num_queries
):
    def add_notes(numbers):
        """Notes of other clients, and today's 15-minute visits, each with a service of its own."""
        for n in numbers:
            SessionNoteFactory(therapist=therapist, overdue=True)
            signed_note(therapist=therapist)
            AppointmentFactory(
                therapist=therapist,
                service=ServiceFactory(duration_minutes=15),
                starts_at=at(TODAY, "05:00") + timedelta(minutes=15 * n),
            )

    add_notes(range(5))
    client.force_login(therapist)

    with django_assert_max_num_queries(DASHBOARD_QUERIES) as few:
        client.get(reverse("scheduling:dashboard"))
    add_notes(range(5, 60))
    with django_assert_num_queries(len(few)):
        response = client.get(reverse("scheduling:dashboard"))

    assert len(response.context["today_visits"]) == 60
    assert len(response.context["overdue"]) == 60
    assert len(response.context["drafts"]) == 20
    assert len(response.context["recent"]) == 10
