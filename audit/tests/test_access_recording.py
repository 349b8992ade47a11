"""Every view, print and export of a client's clinical pages is in the access log, refusals too."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AccessLog
from intake.tests.factories import IntakeFactory
from sessions.tests.factories import AssessmentFactory, SessionNoteFactory, TreatmentPlanFactory, signed_note

pytestmark = pytest.mark.django_db


def only_line() -> AccessLog:
    (line,) = AccessLog.objects.all()
    return line


@pytest.fixture
def note(client_record):
    return signed_note(client=client_record)


@pytest.mark.parametrize(
    "page, object_id",
    [
        ("visits:chart", None),
        ("visits:progress", None),
        ("visits:note_detail", "note"),
        ("visits:plan_detail", "plan"),
        ("visits:assessment_detail", "assessment"),
    ],
)
def test_opening_a_clinical_page_records_who_which_client_which_page_and_address(
    client, therapist, client_record, note, page, object_id
):
    records = {
        "note": note,
        "plan": TreatmentPlanFactory(client=client_record),
        "assessment": AssessmentFactory(client=client_record),
    }
    args = [client_record.pk] + ([records[object_id].pk] if object_id else [])
    client.force_login(therapist)

    response = client.get(reverse(page, args=args))

    assert response.status_code == 200
    line = only_line()
    assert (line.user, line.client, line.page) == (therapist, client_record, page)
    assert line.object_id == (str(records[object_id].pk) if object_id else "")
    assert line.kind == AccessLog.Kind.VIEW
    assert line.allowed
    assert line.ip == "127.0.0.1"


@pytest.mark.parametrize("page", ["visits:note_print", "visits:note_handout"])
def test_printing_is_recorded_as_a_print(client, therapist, client_record, note, page):
    client.force_login(therapist)

    client.get(reverse(page, args=[client_record.pk, note.pk]))

    line = only_line()
    assert (line.kind, line.page, line.object_id, line.client) == ("print", page, str(note.pk), client_record)


def test_the_address_behind_a_trusted_proxy_is_recorded(client, therapist, client_record, settings):
    settings.TRUST_X_FORWARDED_FOR = True
    client.force_login(therapist)

    client.get(reverse("visits:chart", args=[client_record.pk]), HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.7")

    assert only_line().ip == "198.51.100.7"


def test_a_front_desk_attempt_on_a_clinical_page_is_recorded_as_refused(client, front_desk, client_record, note):
    client.force_login(front_desk)

    response = client.get(reverse("visits:note_detail", args=[client_record.pk, note.pk]))

    assert response.status_code == 403
    line = only_line()
    assert (line.user, line.client, line.page, line.object_id) == (
        front_desk,
        client_record,
        "visits:note_detail",
        str(note.pk),
    )
    assert not line.allowed


def test_a_refused_print_is_recorded(client, no_role_user, client_record, note):
    client.force_login(no_role_user)

    client.get(reverse("visits:note_print", args=[client_record.pk, note.pk]))

    line = only_line()
    assert (line.user, line.kind, line.allowed) == (no_role_user, "print", False)


def test_an_anonymous_attempt_is_recorded_as_refused(client, client_record, note):
    response = client.get(reverse("visits:note_detail", args=[client_record.pk, note.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    line = only_line()
    assert (line.user, line.client, line.allowed) == (None, client_record, False)


def test_a_refused_attempt_on_a_client_that_does_not_exist_is_recorded_without_a_client(client, front_desk):
    client.force_login(front_desk)

    response = client.get(reverse("visits:chart", args=[987654]))

    assert response.status_code == 403
    line = only_line()
    assert (line.client, line.page, line.allowed) == (None, "visits:chart", False)


def test_a_page_that_is_not_found_is_not_recorded(client, therapist, client_record):
    client.force_login(therapist)

    assert client.get(reverse("visits:chart", args=[987654])).status_code == 404
    assert client.get(reverse("visits:note_detail", args=[client_record.pk, 987654])).status_code == 404

    assert not AccessLog.objects.exists()


def test_an_intake_is_recorded_under_its_client(client, therapist, client_record):
    intake = IntakeFactory(client=client_record)
    client.force_login(therapist)

    client.get(reverse("intake:detail", args=[intake.pk]))

    line = only_line()
    assert (line.client, line.page, line.object_id, line.allowed) == (
        client_record,
        "intake:detail",
        str(intake.pk),
        True,
    )


def test_the_front_desk_refused_an_intake_is_recorded(client, front_desk, client_record):
    intake = IntakeFactory(client=client_record)
    client.force_login(front_desk)

    assert client.get(reverse("intake:detail", args=[intake.pk])).status_code == 403

    line = only_line()
    assert (line.client, line.allowed) == (client_record, False)


def test_the_profile_is_recorded_for_clinicians_who_see_its_alerts_only(client, front_desk, therapist, client_record):
    url = reverse("clients:detail", args=[client_record.pk])
    client.force_login(front_desk)
    client.get(url)
    assert not AccessLog.objects.exists()

    client.force_login(therapist)
    client.get(url)

    line = only_line()
    assert (line.user, line.client, line.page) == (therapist, client_record, "clients:detail")


def test_other_pages_are_not_recorded(client, therapist, client_record):
    client.force_login(therapist)

    for url in [
        reverse("clients:list") + "?q=Quarshie",
        reverse("scheduling:day"),
        reverse("scheduling:dashboard"),
        reverse("intake:review_queue"),
    ]:
        assert client.get(url).status_code == 200

    assert not AccessLog.objects.exists()


def test_a_change_that_redirects_is_in_the_change_history_not_the_access_log(client, therapist, client_record):
    draft = SessionNoteFactory(client=client_record, therapist=therapist, areas=[("neck_back", "both", 5)])
    client.force_login(therapist)

    response = client.post(reverse("visits:note_sign", args=[client_record.pk, draft.pk]))

    assert response.status_code == 302
    assert not AccessLog.objects.exists()


def test_a_clinical_page_costs_one_insert_and_no_other_query(client, therapist, client_record, note):
    client.force_login(therapist)
    url = reverse("visits:note_detail", args=[client_record.pk, note.pk])
    client.get(url)  # sessions and permissions warmed up the same way for both runs

    with CaptureQueriesContext(connection) as queries:
        client.get(url)

    audit_queries = [q["sql"] for q in queries if "clinic_accesslog" in q["sql"]]
    assert len(audit_queries) == 1
    assert 'INSERT INTO "clinic_accesslog"' in audit_queries[0]


def test_no_health_data_goes_into_the_log(client, therapist, client_record, note):
    client.force_login(therapist)

    client.get(reverse("visits:note_detail", args=[client_record.pk, note.pk]) + "?q=Quarshie")

    line = only_line()
    stored = " ".join(str(value) for value in AccessLog.objects.filter(pk=line.pk).values().get().values())
    assert "Quarshie" not in stored
    assert note.tissue_response not in stored


def test_an_export_is_recorded_once_and_a_refused_export_is_recorded(client, therapist, front_desk, client_record):
    url = reverse("clients:export_json", args=[client_record.pk])
    client.force_login(therapist)

    assert client.get(url).status_code == 200
    line = only_line()
    assert (line.kind, line.allowed, line.client) == ("export", True, client_record)

    client.force_login(front_desk)
    assert client.get(url).status_code == 403
    refused = AccessLog.objects.exclude(pk=line.pk).get()
    assert (refused.kind, refused.allowed, refused.user, refused.client) == ("export", False, front_desk, client_record)


@pytest.mark.real_two_factor
def test_a_manager_sent_to_two_factor_sign_in_is_recorded_as_refused(client, manager, client_record):
    client.force_login(manager)  # signed in, but without the second step managers need

    response = client.get(reverse("visits:chart", args=[client_record.pk]))

    assert response.status_code == 302
    line = only_line()
    assert (line.user, line.client, line.allowed) == (manager, client_record, False)


@pytest.mark.parametrize("huge", [2**63, 10**60])
def test_an_id_too_large_for_the_database_is_recorded_without_it(client, front_desk, client_record, huge):
    client.force_login(front_desk)

    assert client.get(f"/clients/{huge}/chart/").status_code == 403
    assert client.get(f"/clients/{client_record.pk}/notes/{huge}/").status_code == 403

    first, second = AccessLog.objects.order_by("id")
    assert (first.client, first.object_id, first.allowed) == (None, "", False)
    assert (second.client, second.object_id, second.allowed) == (client_record, "", False)
