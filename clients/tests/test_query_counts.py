"""Query-count guards: a client's profile and edit form cost the same however long their history.

(The client list and searches: test_search.py; links and intakes on the profile:
intake/tests/test_query_counts.py.)
"""

from datetime import timedelta

import pytest
from django.urls import reverse

from clients.tests.factories import ClientFactory
from intake.tests.factories import IntakeFactory, make_link
from scheduling.tests.factories import AppointmentFactory, ServiceFactory, at
from sessions.tests.factories import signed_note
from timekeeping.timeutil import today

pytestmark = pytest.mark.django_db

# Session, user, permissions, role label, the client, intakes, links, upcoming visits;
# for clinicians also the access-log line (audit/middleware.py).
CLIENT_DETAIL_QUERIES = {"front_desk": 10, "therapist": 11, "manager": 12}
CLIENT_EDIT_QUERIES = 7


@pytest.fixture
def client_record(db):
    return ClientFactory(first_name="Ingrid", last_name="Halvorsen")


def add_history(client_record, numbers: range) -> None:
    """For each number: an upcoming visit with a therapist and service of its own, an intake,
    an intake link and a signed note."""
    for n in numbers:
        AppointmentFactory(
            client=client_record, service=ServiceFactory(), starts_at=at(today() + timedelta(days=n + 1), "10:00")
        )
        IntakeFactory(client=client_record, cautions=["pregnancy"])
        make_link(client=client_record)
        signed_note(client=client_record)


@pytest.mark.parametrize("role", ["front_desk", "therapist", "manager"])
def test_client_page_queries_do_not_grow_with_upcoming_visits(
    request, client, client_record, role, django_assert_max_num_queries
):
    add_history(client_record, range(1))
    client.force_login(request.getfixturevalue(role))

    with django_assert_max_num_queries(CLIENT_DETAIL_QUERIES[role]):
        few = client.get(client_record.get_absolute_url())
    add_history(client_record, range(1, 15))
    with django_assert_max_num_queries(CLIENT_DETAIL_QUERIES[role]):
        many = client.get(client_record.get_absolute_url())

    def upcoming(response):
        return dict(response.context["panels"])["scheduling/_client_visits.html"]["upcoming"]

    assert len(upcoming(few)) == 1
    assert len(upcoming(many)) == 5  # the next five
    assert many.content.decode().count("· Booked</li>") == 5


def test_client_edit_form_queries_do_not_grow_with_history(
    client, front_desk, client_record, django_assert_max_num_queries
):
    add_history(client_record, range(1))
    client.force_login(front_desk)
    url = reverse("clients:edit", args=[client_record.pk])

    with django_assert_max_num_queries(CLIENT_EDIT_QUERIES):
        client.get(url)
    add_history(client_record, range(1, 15))
    with django_assert_max_num_queries(CLIENT_EDIT_QUERIES):
        response = client.get(url)

    assert 'value="Halvorsen"' in response.content.decode()
