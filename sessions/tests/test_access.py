"""Who may open which clinical page: every visits URL against every persona, and object scoping."""

import pytest
from django.urls import reverse

from intake.tests.factories import IntakeFactory
from sessions import urls, views
from sessions.models import Addendum, Assessment, SessionNote, TreatmentPlan
from sessions.tests.factories import (
    HOME_CARE_STRETCHES,
    IMPORTED_ANSWER,
    TISSUE_RESPONSE,
    AssessmentFactory,
    SessionNoteFactory,
    TreatmentPlanFactory,
    imported_note,
    signed_note,
)
from sessions.tests.helpers import assessment_form_data, note_form_data

pytestmark = pytest.mark.django_db

CAUTION_DETAIL = "Warfarin 5 mg since March"
PLAN_GOALS = "Lift the grandchildren without back pain"
ASSESSMENT_SUMMARY = "Left hip hikes during gait"
CLINICAL_TEXTS = [TISSUE_RESPONSE, HOME_CARE_STRETCHES, CAUTION_DETAIL, PLAN_GOALS, ASSESSMENT_SUMMARY, IMPORTED_ANSWER]

# name, the record its URL needs (None: the client only; "-": no arguments)
GET_PAGES = [
    pytest.param("scheduling:dashboard", "-", id="dashboard"),
    pytest.param("visits:chart", None, id="chart"),
    pytest.param("visits:progress", None, id="progress"),
    pytest.param("visits:note_detail", "signed", id="note-detail"),
    pytest.param("visits:note_edit", "draft", id="note-edit"),
    pytest.param("visits:note_print", "signed", id="note-print"),
    pytest.param("visits:note_handout", "signed", id="note-handout"),
    pytest.param("visits:plan_new", None, id="plan-new"),
    pytest.param("visits:plan_detail", "plan", id="plan-detail"),
    pytest.param("visits:assessment_new", None, id="assessment-new"),
    pytest.param("visits:assessment_detail", "assessment", id="assessment-detail"),
    pytest.param("visits:imported_note_detail", "imported", id="imported-note"),
]
READ_PAGES = [p for p in GET_PAGES if p.id not in ("note-edit", "plan-new", "assessment-new")]
POST_ONLY = [
    pytest.param("visits:note_new", None, id="note-new"),
    pytest.param("visits:note_sign", "draft", id="note-sign"),
    pytest.param("visits:addendum_new", "signed", id="addendum-new"),
    pytest.param("visits:plan_complete", "plan", id="plan-complete"),
]
FORM_POSTS = [
    pytest.param("visits:note_edit", "draft", id="note-edit"),
    pytest.param("visits:plan_new", None, id="plan-new"),
    pytest.param("visits:assessment_new", None, id="assessment-new"),
]
NO_ACCESS = ["no_role_user", "front_desk"]


@pytest.fixture
def records(client_record, therapist):
    """One clinical record of every kind, written by the therapist persona."""
    IntakeFactory(client=client_record, cautions=["blood_thinners"], caution_details={"blood_thinners": CAUTION_DETAIL})
    return {
        "draft": SessionNoteFactory(client=client_record, therapist=therapist, areas=[("calf", "left", 3)]),
        "signed": signed_note(client=client_record, therapist=therapist),
        "plan": TreatmentPlanFactory(client=client_record, therapist=therapist, goals=PLAN_GOALS),
        "assessment": AssessmentFactory(client=client_record, therapist=therapist, summary=ASSESSMENT_SUMMARY),
        "imported": imported_note(client=client_record),
    }


def test_every_clinical_url_is_in_this_matrix():
    """A clinical page added to sessions/views.py without access tests fails here."""
    clinical = {f"visits:{p.name}" for p in urls.urlpatterns if p.callback.__module__ == views.__name__}
    # The therapist's desk lives with the schedule (today's visits) but shows drafts: clinical.
    clinical.add("scheduling:dashboard")

    assert clinical == {p.values[0] for p in GET_PAGES + POST_ONLY}


def url_for(name, record, client_record, records):
    if record == "-":
        return reverse(name)
    if record is None:
        return reverse(name, args=[client_record.pk])
    return reverse(name, args=[client_record.pk, records[record].pk])


def post_data(name, records):
    if name == "visits:addendum_new":
        return {"reason": "Correction", "text": "Addendum text"}
    if name == "visits:note_edit":
        return note_form_data(records["draft"], tissue_response="Changed by someone")
    if name == "visits:plan_new":
        return {"starts_on": "2025-03-01", "goals": "New goals", "visit_interval_days": "7"}
    if name == "visits:assessment_new":
        return assessment_form_data()
    return {}


def snapshot():
    """What the clinical tables hold, to show a refused request changed nothing."""
    return (
        list(SessionNote.objects.order_by("id").values_list("id", "version", "signed_at", "tissue_response")),
        list(TreatmentPlan.objects.order_by("id").values_list("id", "status")),
        Assessment.objects.count(),
        Addendum.objects.count(),
    )


def assert_no_clinical_text(response):
    html = response.content.decode()
    for text in CLINICAL_TEXTS:
        assert text not in html


# --- pages opened with GET ---------------------------------------------------------------------


@pytest.mark.parametrize("name, record", GET_PAGES + POST_ONLY)
def test_anonymous_visitors_are_sent_to_sign_in(client, client_record, records, name, record):
    url = url_for(name, record, client_record, records)

    response = client.get(url)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("persona", NO_ACCESS)
@pytest.mark.parametrize("name, record", GET_PAGES)
def test_staff_without_clinical_access_get_403_and_no_clinical_text(
    request, client, client_record, records, name, record, persona
):
    client.force_login(request.getfixturevalue(persona))

    response = client.get(url_for(name, record, client_record, records))

    assert response.status_code == 403
    assert_no_clinical_text(response)


@pytest.mark.parametrize("name, record", GET_PAGES)
def test_therapist_opens_every_clinical_page(client, therapist, client_record, records, name, record):
    client.force_login(therapist)

    response = client.get(url_for(name, record, client_record, records))

    assert response.status_code == 200


@pytest.mark.parametrize("name, record", READ_PAGES)
def test_manager_reads_every_clinical_record(client, manager, client_record, records, name, record):
    client.force_login(manager)

    response = client.get(url_for(name, record, client_record, records))

    assert response.status_code == 200


def test_clinical_text_is_on_the_pages_clinicians_read(client, therapist, client_record, records):
    """The counterpart of the front-desk checks: the texts looked for are really on these pages."""
    client.force_login(therapist)

    note = client.get(url_for("visits:note_detail", "signed", client_record, records)).content.decode()
    chart = client.get(url_for("visits:chart", None, client_record, records)).content.decode()
    assessment = client.get(url_for("visits:assessment_detail", "assessment", client_record, records)).content

    assert TISSUE_RESPONSE in note and HOME_CARE_STRETCHES in note and CAUTION_DETAIL in note
    assert PLAN_GOALS in chart
    assert ASSESSMENT_SUMMARY in assessment.decode()


# --- actions that only accept POST ---------------------------------------------------------------


@pytest.mark.parametrize("persona", ["therapist", "manager"])
@pytest.mark.parametrize("name, record", POST_ONLY)
def test_post_only_urls_answer_405_to_get_from_clinicians(
    request, client, client_record, records, name, record, persona
):
    client.force_login(request.getfixturevalue(persona))
    before = snapshot()

    response = client.get(url_for(name, record, client_record, records))

    assert response.status_code == 405
    assert snapshot() == before


@pytest.mark.parametrize("persona", NO_ACCESS)
@pytest.mark.parametrize("name, record", POST_ONLY)
def test_post_only_urls_answer_403_to_get_from_others(request, client, client_record, records, name, record, persona):
    client.force_login(request.getfixturevalue(persona))

    response = client.get(url_for(name, record, client_record, records))

    assert response.status_code == 403


@pytest.mark.parametrize("name, record", POST_ONLY + FORM_POSTS)
def test_anonymous_posts_change_nothing(client, client_record, records, name, record):
    before = snapshot()

    response = client.post(url_for(name, record, client_record, records), post_data(name, records))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert snapshot() == before


@pytest.mark.parametrize("persona", NO_ACCESS)
@pytest.mark.parametrize("name, record", POST_ONLY + FORM_POSTS)
def test_posts_from_staff_without_clinical_access_are_refused(
    request, client, client_record, records, name, record, persona
):
    client.force_login(request.getfixturevalue(persona))
    before = snapshot()

    response = client.post(url_for(name, record, client_record, records), post_data(name, records))

    assert response.status_code == 403
    assert_no_clinical_text(response)
    assert snapshot() == before


@pytest.mark.parametrize("name, record", POST_ONLY + FORM_POSTS)
def test_therapist_posts_are_carried_out(client, therapist, client_record, records, name, record):
    client.force_login(therapist)
    before = snapshot()

    response = client.post(url_for(name, record, client_record, records), post_data(name, records))

    assert response.status_code == 302
    assert snapshot() != before


# --- lookups are scoped to the client in the URL --------------------------------------------------

SCOPED = [
    pytest.param("visits:note_detail", "get", "signed", id="note-detail"),
    pytest.param("visits:note_edit", "get", "draft", id="note-edit"),
    pytest.param("visits:note_edit", "post", "draft", id="note-edit-post"),
    pytest.param("visits:note_print", "get", "signed", id="note-print"),
    pytest.param("visits:note_handout", "get", "signed", id="note-handout"),
    pytest.param("visits:note_sign", "post", "draft", id="note-sign"),
    pytest.param("visits:addendum_new", "post", "signed", id="addendum-new"),
    pytest.param("visits:plan_detail", "get", "plan", id="plan-detail"),
    pytest.param("visits:plan_complete", "post", "plan", id="plan-complete"),
    pytest.param("visits:assessment_detail", "get", "assessment", id="assessment-detail"),
]


@pytest.mark.parametrize("name, method, record", SCOPED)
def test_a_record_of_client_a_under_client_bs_url_is_404(
    client, therapist, client_record, other_client, records, name, method, record
):
    client.force_login(therapist)
    url = reverse(name, args=[other_client.pk, records[record].pk])
    before = snapshot()

    response = getattr(client, method)(url, post_data(name, records) if method == "post" else {})

    assert response.status_code == 404
    assert_no_clinical_text(response)
    assert snapshot() == before


@pytest.mark.parametrize("name", ["visits:chart", "visits:progress", "visits:plan_new", "visits:assessment_new"])
def test_unknown_client_is_404(client, therapist, name):
    client.force_login(therapist)

    assert client.get(reverse(name, args=[987654])).status_code == 404


def test_unknown_client_for_a_new_note_is_404(client, therapist):
    client.force_login(therapist)

    assert client.post(reverse("visits:note_new", args=[987654])).status_code == 404
    assert not SessionNote.objects.exists()


# --- front desk never sees clinical text on the client pages ------------------------------------


def test_front_desk_sees_no_clinical_text_on_the_client_profile(client, front_desk, client_record, records):
    client.force_login(front_desk)

    response = client.get(client_record.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    assert client_record.last_name in html
    assert TISSUE_RESPONSE not in html
    assert HOME_CARE_STRETCHES not in html
    assert PLAN_GOALS not in html
    assert ASSESSMENT_SUMMARY not in html
    assert reverse("visits:chart", args=[client_record.pk]) not in html


@pytest.mark.parametrize("htmx_target", [None, "global-search-results"], ids=["results-page", "search-dropdown"])
def test_front_desk_sees_no_clinical_text_in_search_results(client, front_desk, client_record, records, htmx_target):
    client.force_login(front_desk)
    headers = {"HX-Request": "true", "HX-Target": htmx_target} if htmx_target else {}

    response = client.get(reverse("clients:list"), {"q": client_record.last_name}, headers=headers)

    html = response.content.decode()
    assert client_record.last_name in html
    assert TISSUE_RESPONSE not in html
    assert PLAN_GOALS not in html


def test_therapist_finds_the_chart_from_the_client_profile(client, therapist, client_record):
    client.force_login(therapist)

    html = client.get(client_record.get_absolute_url()).content.decode()

    assert reverse("visits:chart", args=[client_record.pk]) in html
    assert reverse("visits:progress", args=[client_record.pk]) in html
