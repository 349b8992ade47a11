"""Query-count guard: the home page (each role's landing page) costs the same however busy the clinic."""

from datetime import timedelta

import pytest
from django.urls import reverse

from clients.tests.factories import ClientFactory
from scheduling.tests.factories import AppointmentFactory, ServiceFactory, at
from sessions.tests.factories import SessionNoteFactory, signed_note
from timekeeping.timeutil import today

pytestmark = pytest.mark.django_db

# Both requests: the redirect from "/", then the landing page (the client list, or the
# therapist's dashboard with today's visits, overdue drafts, drafts and recent notes).
HOME_QUERIES = {"front_desk": 12, "manager": 14, "therapist": 14}


def busy_day(therapist, numbers: range) -> None:
    """For each number, a client with a 15-minute visit today with `therapist` (a service of its
    own), an overdue draft and a signed note."""
    for n in numbers:
        person = ClientFactory()
        AppointmentFactory(
            client=person,
            therapist=therapist,
            service=ServiceFactory(duration_minutes=15),
            starts_at=at(today(), "07:00") + timedelta(minutes=15 * n),
        )
        SessionNoteFactory(client=person, therapist=therapist, overdue=True)
        signed_note(client=person, therapist=therapist)


@pytest.mark.parametrize("role", ["front_desk", "manager", "therapist"])
def test_home_page_queries_do_not_grow_with_clients_visits_and_notes(
    request, client, therapist, role, django_assert_max_num_queries
):
    busy_day(therapist, range(1))
    client.force_login(request.getfixturevalue(role))

    with django_assert_max_num_queries(HOME_QUERIES[role]):
        few = client.get(reverse("home"), follow=True)
    busy_day(therapist, range(1, 30))
    with django_assert_max_num_queries(HOME_QUERIES[role]):
        many = client.get(reverse("home"), follow=True)

    if role == "therapist":
        assert len(few.context["today_visits"]) == 1
        assert len(many.context["today_visits"]) == 30
        assert len(many.context["overdue"]) == 30
    else:
        assert len(few.context["page"].object_list) == 1
        assert len(many.context["page"].object_list) == 25
        assert many.context["page"].paginator.num_pages == 2
