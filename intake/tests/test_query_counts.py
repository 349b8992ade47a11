"""Query-count guards: the number of queries stays the same however many rows a page shows.

Each limit is what the page needs with a few rows (session, user, permissions, the
page's own queries); the same limit must hold with many rows.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import MANAGER
from bodymap.regions import REGIONS, Side
from clients.tests.factories import ClientFactory
from clinic.tests.factories import UserFactory
from intake import services
from intake.tests.factories import IntakeFactory, make_link

pytestmark = pytest.mark.django_db

REVIEW_QUEUE_QUERIES = 7
INTAKE_DETAIL_QUERIES = 13  # includes the access-log line (audit/middleware.py)
CLIENT_DETAIL_QUERIES = 11  # includes the upcoming-visits list and, for clinicians, the access-log line


def test_review_queue_queries_do_not_grow_with_intakes(client, therapist, django_assert_max_num_queries):
    client.force_login(therapist)
    IntakeFactory.create_batch(3, awaiting=True)

    with django_assert_max_num_queries(REVIEW_QUEUE_QUERIES):
        few = client.get(reverse("intake:review_queue"))

    IntakeFactory.create_batch(17, awaiting=True)
    with django_assert_max_num_queries(REVIEW_QUEUE_QUERIES):
        many = client.get(reverse("intake:review_queue"))

    assert few.content.decode().count("list-group-item-action") == 3
    assert many.content.decode().count("list-group-item-action") == 20


def _every_area(pain: int):
    return [(r.code, Side.BOTH if r.paired else Side.CENTER, pain) for r in REGIONS]


def test_intake_detail_queries_do_not_grow_with_areas_and_history(
    client, therapist, client_record, django_assert_max_num_queries
):
    IntakeFactory(client=client_record, submitted_at=timezone.now() - timedelta(days=90), areas=[("knee", "left", 3)])
    few = IntakeFactory(client=client_record, areas=[("knee", "left", 4)], events=[("injury", 2010, "Fell")])
    client.force_login(therapist)

    with django_assert_max_num_queries(INTAKE_DETAIL_QUERIES):
        response = client.get(few.get_absolute_url())
    assert "Knee, left: pain 4/10" in response.content.decode()

    IntakeFactory(
        client=client_record,
        submitted_at=timezone.now() - timedelta(days=30),
        areas=_every_area(2),
        events=[("surgery", 2000 + n, f"Operation {n}") for n in range(4)],
    )
    many = IntakeFactory(
        client=client_record,
        areas=_every_area(6),
        events=[("injury", 2010 + n, f"Accident {n}") for n in range(4)],
    )
    with django_assert_max_num_queries(INTAKE_DETAIL_QUERIES):
        response = client.get(many.get_absolute_url())

    html = response.content.decode()
    assert html.count(": pain 6/10</li>") == len(REGIONS)
    assert "Accident 3" in html
    assert "What changed since the intake of" in html


@pytest.mark.parametrize("role", ["front_desk", "therapist"])
def test_client_page_queries_do_not_grow_with_links_and_intakes(
    request, client, client_record, role, django_assert_max_num_queries
):
    make_link(client=client_record)
    IntakeFactory(client=client_record, cautions=["pregnancy"])
    client.force_login(request.getfixturevalue(role))

    with django_assert_max_num_queries(CLIENT_DETAIL_QUERIES):
        client.get(client_record.get_absolute_url())

    for days in range(1, 13):
        link, _ = make_link(client=client_record, opened_at=timezone.now(), submitted_at=timezone.now())
        IntakeFactory(client=client_record, link=link, submitted_at=timezone.now() - timedelta(days=days))
    IntakeFactory.create_batch(3, client=client_record, awaiting=True)
    with django_assert_max_num_queries(CLIENT_DETAIL_QUERIES):
        response = client.get(client_record.get_absolute_url())

    html = response.content.decode()
    assert html.count("link-status-accepted") == 5  # the five newest links
    if role == "therapist":
        assert html.count("· Accepted") == 13


# The match queue: session, user, permissions, role label, the submissions (50 at most),
# and a single query for the likely matches of them all.
MATCH_QUEUE_QUERIES = 8
CONSENT_QUERIES = 10  # includes the current version and the last 20 versions with their authors


def _submission_and_its_match(n: int) -> None:
    ClientFactory(first_name=f"Person{n}", last_name="Okafor", email=f"p{n}@example.com")
    IntakeFactory(
        unmatched=True,
        contact={
            "first_name": f"Person{n}",
            "last_name": "Okafor",
            "date_of_birth": "1988-03-14",
            "email": f"p{n}@example.com",
            "phone": f"555-200-{n:04d}",
        },
    )


def test_match_queue_queries_do_not_grow_with_submissions_and_matches(
    client, front_desk, django_assert_max_num_queries
):
    _submission_and_its_match(0)
    client.force_login(front_desk)

    with django_assert_max_num_queries(MATCH_QUEUE_QUERIES):
        few = client.get(reverse("intake:match_queue"))
    for n in range(1, 55):
        _submission_and_its_match(n)
    with django_assert_max_num_queries(MATCH_QUEUE_QUERIES):
        many = client.get(reverse("intake:match_queue"))

    assert few.content.decode().count("Attach to Person") == 1
    assert len(many.context["pending"]) == 50
    assert many.content.decode().count("Attach to Person") == 50


def test_consent_page_queries_do_not_grow_with_versions(client, manager, django_assert_max_num_queries):
    services.consent_publish(text="Version one", by=manager)
    client.force_login(manager)

    with django_assert_max_num_queries(CONSENT_QUERIES):
        client.get(reverse("intake:consent"))
    authors = [UserFactory(role=MANAGER) for _ in range(25)]
    for n, author in enumerate(authors):
        services.consent_publish(text=f"Wording {n}", by=author)
    with django_assert_max_num_queries(CONSENT_QUERIES):
        response = client.get(reverse("intake:consent"))

    html = response.content.decode()
    assert html.count("<li>Version ") == 20
    assert all(str(author) in html for author in authors[-20:])
