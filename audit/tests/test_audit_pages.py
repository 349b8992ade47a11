"""The manager's audit log and each client's access history."""

from datetime import timedelta

import pghistory
import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from accounts.roles import THERAPIST
from audit.models import AccessLog, Change
from clients.tests.factories import ClientFactory
from clinic.tests.factories import UserFactory
from intake.models import Intake
from intake.tests.factories import IntakeFactory, make_link
from intake.tests.helpers import LINK_STEPS, PUBLIC_STEPS_AFTER_CONTACT, fill_steps, step_data, verify_identity
from sessions.tests.factories import SessionNoteFactory, TreatmentPlanFactory, signed_note

pytestmark = pytest.mark.django_db

LOG = reverse("audit:log")


def access_history(client_record) -> str:
    return reverse("audit:client", args=[client_record.pk])


def read(user, client_record, *, page="visits:chart", days_ago=0, allowed=True, object_id="") -> AccessLog:
    return AccessLog.objects.create(
        user=user,
        client=client_record,
        page=page,
        object_id=object_id,
        allowed=allowed,
        ip="192.0.2.10",
        at=timezone.now() - timedelta(days=days_ago),
    )


def rows(response) -> list:
    return list(response.context["page"].object_list)


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


# Who may see the audit pages ----------------------------------------------------------------


@pytest.mark.parametrize("persona", ["front_desk", "therapist", "no_role_user"])
def test_only_the_manager_may_open_the_audit_pages(request, client, client_record, persona):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(LOG).status_code == 403
    assert client.get(LOG + "?tab=changes").status_code == 403
    assert client.get(access_history(client_record)).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, client_record):
    for url in (LOG, access_history(client_record)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_the_manager_finds_the_log_in_the_manage_menu_and_others_do_not(client, manager, therapist):
    client.force_login(therapist)
    assert LOG not in client.get(reverse("clients:list")).content.decode()

    client.force_login(manager)
    assert f'href="{LOG}"' in client.get(reverse("clients:list")).content.decode()


def test_the_access_history_tab_is_on_the_profile_for_the_manager_only(client, manager, therapist, client_record):
    url = access_history(client_record)
    client.force_login(therapist)
    assert url not in client.get(client_record.get_absolute_url()).content.decode()

    client.force_login(manager)
    assert f'href="{url}"' in client.get(client_record.get_absolute_url()).content.decode()


def test_an_unknown_client_has_no_access_history(manager_client):
    assert manager_client.get(reverse("audit:client", args=[987654])).status_code == 404


# Reads -------------------------------------------------------------------------------------


def test_the_log_lists_reads_newest_first_with_who_which_client_page_and_address(
    manager_client, therapist, front_desk, client_record
):
    read(therapist, client_record, page="visits:note_detail", object_id="12", days_ago=1)
    read(front_desk, client_record, page="visits:chart", allowed=False)

    response = manager_client.get(LOG)

    assert response.status_code == 200
    first, second = rows(response)
    assert (first.user, first.allowed) == (front_desk, False)
    assert (second.user, second.page) == (therapist, "visits:note_detail")
    html = response.content.decode()
    assert "Session note" in html and "#12" in html
    assert "Refused" in html
    assert "192.0.2.10" in html
    assert client_record.display_name in html


def test_the_manager_filters_reads_by_client_name(manager_client, therapist, client_record, other_client):
    read(therapist, client_record)
    read(therapist, other_client)

    response = manager_client.get(LOG, {"client": "quarshi"})  # a typo still finds her

    assert [line.client for line in rows(response)] == [client_record]


def test_the_manager_filters_reads_by_client_number(manager_client, therapist, client_record, other_client):
    read(therapist, client_record)
    read(therapist, other_client)

    response = manager_client.get(LOG, {"client": f"#{other_client.pk}"})

    assert [line.client for line in rows(response)] == [other_client]


def test_the_manager_filters_reads_by_staff_member(manager_client, therapist, front_desk, client_record):
    read(therapist, client_record)
    read(front_desk, client_record, allowed=False)

    response = manager_client.get(LOG, {"staff": front_desk.pk})

    assert [line.user for line in rows(response)] == [front_desk]


def test_the_manager_filters_reads_by_dates(manager_client, therapist, client_record):
    read(therapist, client_record, days_ago=10, object_id="10")
    read(therapist, client_record, days_ago=5, object_id="5")
    read(therapist, client_record, days_ago=0, object_id="0")
    today = timezone.localdate()

    response = manager_client.get(LOG, {"date_from": today - timedelta(days=6), "date_to": today - timedelta(days=1)})

    assert [line.object_id for line in rows(response)] == ["5"]


def test_the_manager_lists_refused_attempts_only(manager_client, therapist, front_desk, client_record):
    read(therapist, client_record)
    read(front_desk, client_record, allowed=False)

    response = manager_client.get(LOG, {"refused": "on"})

    assert [line.user for line in rows(response)] == [front_desk]


def test_an_end_date_before_the_start_date_is_explained(manager_client, therapist, client_record):
    read(therapist, client_record)
    today = timezone.localdate()

    response = manager_client.get(LOG, {"date_from": today, "date_to": today - timedelta(days=3)})

    assert "The end date is before the start date." in response.content.decode()
    assert rows(response) == []


# Changes -----------------------------------------------------------------------------------


def test_the_changes_tab_shows_each_change_with_who_and_before_and_after(manager_client, therapist, client_record):
    plan = TreatmentPlanFactory(client=client_record, goals="Sleep through the night")
    with pghistory.context(user=therapist.pk, username=therapist.username, url="/x/", url_name="visits:plan_new"):
        plan.goals = "Run 10 km again"
        plan.save()

    response = manager_client.get(LOG, {"tab": "changes"})

    newest = rows(response)[0]
    assert (newest.action, newest.user, newest.object_id) == ("update", therapist, plan.pk)
    html = response.content.decode()
    assert "Treatment plan #" in html
    assert "<del>Sleep through the night</del> → <ins>Run 10 km again</ins>" in html
    assert str(therapist) in html
    assert "No user (script, shell or database)" in html  # the factory's insert, made outside a request


def test_the_manager_filters_changes_by_client_staff_and_date(manager_client, therapist, client_record, other_client):
    other_therapist = UserFactory(role=THERAPIST, username="thera2")
    with pghistory.context(user=therapist.pk, username=therapist.username):
        mine = SessionNoteFactory(client=client_record, therapist=therapist)
    with pghistory.context(user=other_therapist.pk, username=other_therapist.username):
        SessionNoteFactory(client=other_client, therapist=other_therapist)
    today = timezone.localdate()

    by_client = rows(manager_client.get(LOG, {"tab": "changes", "client": "Henrietta"}))
    by_staff = rows(manager_client.get(LOG, {"tab": "changes", "staff": therapist.pk}))
    today_only = rows(manager_client.get(LOG, {"tab": "changes", "date_from": today, "date_to": today}))
    yesterday = rows(manager_client.get(LOG, {"tab": "changes", "date_to": today - timedelta(days=1)}))

    assert {change.client for change in by_client} == {client_record}
    assert [(change.model, change.object_id) for change in by_staff] == [("visits.sessionnote", mine.pk)]
    assert len(today_only) >= 4  # two clients, two notes
    assert yesterday == []


def test_the_changes_tab_names_the_staff_a_record_refers_to(manager_client, client_record):
    amara = UserFactory(role=THERAPIST, username="amara", first_name="Amara", last_name="Osei")
    ben = UserFactory(role=THERAPIST, username="ben", first_name="Ben", last_name="Adeyemi")
    plan = TreatmentPlanFactory(client=client_record, therapist=amara)
    plan.therapist = ben
    plan.save()

    html = manager_client.get(access_history(client_record), {"tab": "changes"}).content.decode()

    assert "<del>Amara Osei</del> → <ins>Ben Adeyemi</ins>" in html  # the reassignment
    assert '<dt class="col-sm-5">Therapist</dt><dd class="col-sm-7">Amara Osei</dd>' in html  # the plan as created
    assert f"<del>#{amara.pk}</del>" not in html
    assert f'<dd class="col-sm-7">#{amara.pk}</dd>' not in html


def test_a_signed_note_names_who_signed_it(manager_client, therapist, client_record):
    therapist.first_name, therapist.last_name = "Ines", "Okafor"
    therapist.save()
    signed_note(client=client_record, therapist=therapist)

    html = manager_client.get(access_history(client_record), {"tab": "changes"}).content.decode()

    assert '<span class="fw-semibold">Signed by</span>: <del>—</del> → <ins>Ines Okafor</ins>' in html


def test_a_clients_own_online_submission_is_shown_as_the_client(manager_client, client_record):
    link, token = make_link(client=client_record)
    browser = HttpClient()  # the client's own phone: nobody signed in
    verify_identity(browser, token, client_record)
    fill_steps(browser, token, LINK_STEPS)
    intake = Intake.objects.get(link=link)

    response = manager_client.get(access_history(client_record), {"tab": "changes"})

    submitted = [change for change in rows(response) if change.model == "intake.intake"]
    assert [(change.object_id, change.who) for change in submitted] == [(intake.pk, "the client (online form)")]
    html = response.content.decode()
    assert "the client (online form)" in html
    assert "No user (script, shell or database)" in html  # the client record made by the test, outside a request


def test_a_new_clients_website_form_is_shown_as_the_client(manager_client):
    browser = HttpClient()
    response = browser.post(reverse("intake:new"), step_data("contact", identity=True))
    token = response["Location"].split("/f/")[1].split("/")[0]
    fill_steps(browser, token, PUBLIC_STEPS_AFTER_CONTACT)

    changes = rows(manager_client.get(LOG, {"tab": "changes"}))

    assert {change.who for change in changes if change.model.startswith("intake.")} == {"the client (online form)"}


def test_a_change_from_a_script_is_not_taken_for_the_client(client_record):
    change = Change.objects.get(model="clients.client", object_id=client_record.pk)

    assert change.who == "No user (script, shell or database)"


# A client's access history ----------------------------------------------------------------


def test_a_clients_access_history_shows_their_reads_and_changes_only(
    manager_client, manager, therapist, client_record, other_client
):
    read(therapist, client_record, page="visits:note_detail", object_id="7")
    read(therapist, other_client, page="visits:chart")
    intake = IntakeFactory(client=client_record, areas=[("knee", "left", 4)])
    TreatmentPlanFactory(client=other_client)

    reads = manager_client.get(access_history(client_record))
    changes = manager_client.get(access_history(client_record), {"tab": "changes"})

    assert [(line.client, line.page) for line in rows(reads)][-1] == (client_record, "visits:note_detail")
    assert {line.client for line in rows(reads)} == {client_record}
    assert f"Access history: {client_record.display_name}" in reads.content.decode()
    assert {change.client for change in rows(changes)} == {client_record}
    assert {change.model for change in rows(changes)} == {"clients.client", "intake.intake", "intake.intakearea"}
    assert intake.pk in [change.object_id for change in rows(changes) if change.model == "intake.intake"]


def test_opening_a_clients_access_history_is_itself_recorded(manager_client, manager, client_record):
    manager_client.get(access_history(client_record))

    line = AccessLog.objects.get(page="audit:client")
    assert (line.user, line.client, line.allowed) == (manager, client_record, True)


# Query counts ------------------------------------------------------------------------------

LOG_QUERIES = 12  # session, user, permissions, two-factor, staff list, count, page, staff names, the access-log line


def _activity(count: int) -> None:
    """Reads and changes of `count` clients by `count` therapists."""
    for n in range(count):
        therapist = UserFactory(role=THERAPIST, username=f"therapist{n}")
        someone = ClientFactory()
        read(therapist, someone, object_id=str(n))
        read(therapist, someone, page="visits:note_print", object_id=str(n))
        with pghistory.context(user=therapist.pk, username=therapist.username):
            SessionNoteFactory(client=someone, therapist=therapist, areas=[("neck_back", "both", 3)])
            TreatmentPlanFactory(client=someone, therapist=therapist)


@pytest.mark.parametrize("tab", ["reads", "changes"])
def test_the_log_costs_the_same_queries_however_many_rows(
    manager_client, tab, django_assert_max_num_queries, django_assert_num_queries
):
    _activity(2)
    with django_assert_max_num_queries(LOG_QUERIES) as few:
        manager_client.get(LOG, {"tab": tab, "client": "", "staff": ""})

    _activity(30)
    with django_assert_num_queries(len(few)):
        response = manager_client.get(LOG, {"tab": tab, "client": "", "staff": ""})

    assert len(rows(response)) == 50
    assert response.context["page"].paginator.num_pages >= 2


@pytest.mark.parametrize("tab", ["reads", "changes"])
def test_a_clients_access_history_costs_the_same_queries_however_many_rows(
    manager_client, therapist, client_record, tab, django_assert_max_num_queries, django_assert_num_queries
):
    read(therapist, client_record)
    # Rows of the same kinds as below: a page that names no staff skips the query for their names.
    SessionNoteFactory(client=client_record, therapist=therapist, areas=[("neck_back", "both", 3)])
    with django_assert_max_num_queries(LOG_QUERIES) as few:
        manager_client.get(access_history(client_record), {"tab": tab})

    for n in range(60):
        read(UserFactory(role=THERAPIST, username=f"t{n}"), client_record, object_id=str(n))
        SessionNoteFactory(client=client_record, therapist=therapist, areas=[("neck_back", "both", 3)])
    with django_assert_num_queries(len(few)):
        response = manager_client.get(access_history(client_record), {"tab": tab})

    assert len(rows(response)) == 50
