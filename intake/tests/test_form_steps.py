"""Filling in the form: per-step saving, resuming, errors, back/later, the website form, matching."""

import re

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from clients.models import Client
from clients.tests.factories import ClientFactory
from intake.models import Intake, IntakeLink
from intake.tests.factories import make_link
from intake.tests.helpers import (
    CAUTION_DETAIL,
    EVENT_DESCRIPTION,
    IN_CLINIC_STEPS,
    LINK_STEPS,
    MAIN_COMPLAINT,
    PUBLIC_STEPS_AFTER_CONTACT,
    fill_steps,
    post_step,
    step_data,
    step_url,
    verify_identity,
)

pytestmark = pytest.mark.django_db


def saved(link: IntakeLink, step: str) -> dict:
    link.refresh_from_db()
    return link.draft.get(step, {})


# --- Saving and resuming ---------------------------------------------------------------------------


def test_each_step_is_saved_on_the_server_when_the_client_moves_on(client, verified):
    link, token = verified

    response = post_step(client, token, "contact")
    second = post_step(client, token, "reason")

    assert response["Location"] == step_url(token, "reason")
    assert second["Location"] == step_url(token, "health")
    assert saved(link, "contact")["phone"] == ["(555) 010-2000"]
    assert saved(link, "reason")["main_complaint"] == [MAIN_COMPLAINT]
    assert link.draft["_done"] == ["contact", "reason"]
    assert "csrfmiddlewaretoken" not in link.draft["reason"] and "go" not in link.draft["reason"]
    assert not Intake.objects.exists()
    # Progress shows the finished steps.
    html = client.get(step_url(token, "health")).content.decode()
    assert html.count('aria-label="completed"') == 2
    assert "Step 3 of 5" in html


def test_client_resumes_in_a_new_browser_after_confirming_identity_again(client, client_record, verified):
    _, token = verified
    fill_steps(client, token, ["contact", "reason"])

    later = HttpClient()
    before_identity = later.get(step_url(token, "reason"))
    resumed = verify_identity(later, token, client_record)
    reason_page = later.get(step_url(token, "reason")).content.decode()

    assert before_identity.status_code == 404
    assert MAIN_COMPLAINT not in before_identity.content.decode()
    assert resumed["Location"] == step_url(token, "health")  # the first step not yet done
    assert MAIN_COMPLAINT in reason_page
    assert re.search(r'name="area_upper_back_side"[^>]*>.*?<option value="left" selected>', reason_page, re.DOTALL)
    assert re.search(r'name="area_upper_back_pain"[^>]*>.*?<option value="7" selected>', reason_page, re.DOTALL)


def test_opening_the_link_again_in_the_same_browser_goes_to_the_first_unfinished_step(client, verified):
    _, token = verified
    fill_steps(client, token, ["contact", "reason", "health"])

    response = client.get(reverse("intake:open", args=[token]))

    assert response["Location"] == step_url(token, "lifestyle")


# --- Errors keep every answer --------------------------------------------------------------------


def test_errors_are_shown_next_to_the_field_and_every_answer_is_kept(client, verified):
    link, token = verified

    response = post_step(client, token, "reason", area_lower_back_pain=None, onset="Slipped on ice")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Some answers need attention" in html
    # The error sits right after the lower-back pain select.
    assert re.search(
        r'name="area_lower_back_pain".*?</select>\s*<div class="invalid-feedback d-block">Rate the pain from 0',
        html,
        re.DOTALL,
    )
    assert MAIN_COMPLAINT in html
    assert "Slipped on ice" in html
    assert re.search(r'name="area_lower_back_side"[^>]*>.*?<option value="both" selected>', html, re.DOTALL)
    assert saved(link, "reason")["onset"] == ["Slipped on ice"]
    assert "reason" not in link.draft["_done"]
    # Still there when the page is opened again.
    assert "Slipped on ice" in client.get(step_url(token, "reason")).content.decode()


def test_unanswered_caution_question_is_marked_and_the_other_answers_stay(client, verified):
    link, token = verified

    response = post_step(client, token, "health", caution_pregnancy=None, event_1_year="2020")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Please answer yes or no." in html
    assert "Say briefly what happened, or clear this row." in html
    assert CAUTION_DETAIL in html
    assert EVENT_DESCRIPTION in html
    assert re.search(r'name="caution_blood_thinners" value="yes" id="[^"]+" checked', html)
    assert saved(link, "health")["caution_blood_thinners_details"] == [CAUTION_DETAIL]


def error_marks(html: str) -> list[str]:
    """Everything on a page that tells the client an answer is wrong."""
    return re.findall(r"Some answers need attention|is-invalid|invalid-feedback|aria-invalid", html)


@pytest.mark.parametrize("step", ["contact", "reason", "health", "lifestyle", "consent"])
def test_a_step_left_unfinished_reopens_with_the_answers_and_no_errors(client, client_record, verified, step):
    link, token = verified
    client.post(step_url(token, step), {"go": "back", "address": "9 Oak Lane", "onset": "Slipped on ice"})

    for browser in (client, HttpClient()):
        if browser is not client:
            verify_identity(browser, token, client_record)
        html = browser.get(step_url(token, step)).content.decode()
        assert error_marks(html) == []
    assert step not in saved(link, "_done")


def test_a_step_saved_with_a_wrong_answer_shows_it_without_errors_until_the_client_submits(client, verified):
    _, token = verified
    post_step(client, token, "reason", go="back", area_lower_back_pain=None, onset="Slipped on ice")

    reopened = client.get(step_url(token, "reason")).content.decode()
    submitted = client.post(step_url(token, "reason"), {**step_data("reason", area_lower_back_pain=None), "go": "next"})

    assert "Slipped on ice" in reopened
    assert re.search(r'name="area_lower_back_side"[^>]*>.*?<option value="both" selected>', reopened, re.DOTALL)
    assert error_marks(reopened) == []
    assert "Rate the pain from 0" not in reopened
    assert "Rate the pain from 0" in submitted.content.decode()
    assert "Some answers need attention" in submitted.content.decode()


def test_a_step_sent_back_to_after_signing_shows_what_to_fix(client, verified):
    _, token = verified
    fill_steps(client, token, LINK_STEPS[:-1])
    post_step(client, token, "reason", go="back", main_complaint="")

    response = post_step(client, token, "consent")
    page = client.get(response["Location"]).content.decode()
    again = client.get(response["Location"]).content.decode()

    assert response["Location"] == step_url(token, "reason")
    assert "A step still needs answers." in page
    assert "Some answers need attention" in page
    assert error_marks(again) == []  # only right after the submission


def test_back_keeps_unfinished_answers(client, verified):
    link, token = verified
    fill_steps(client, token, ["contact", "reason"])

    response = client.post(step_url(token, "health"), {"medications": "Ibuprofen", "go": "back"})

    assert response.status_code == 302
    assert response["Location"] == step_url(token, "reason")
    assert saved(link, "health") == {"medications": ["Ibuprofen"]}
    assert "health" not in link.draft["_done"]
    assert "Ibuprofen" in client.get(step_url(token, "health")).content.decode()


def test_save_and_finish_later_keeps_input_and_explains_how_to_come_back(client, verified):
    link, token = verified

    response = client.post(step_url(token, "lifestyle"), {"occupation": "Carpenter", "go": "later"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "Your answers are saved" in html
    assert "confirm your last name and date of birth" in html
    assert saved(link, "lifestyle")["occupation"] == ["Carpenter"]
    assert not Intake.objects.exists()


# --- Nothing empty or unsigned gets in ---------------------------------------------------------


def test_an_empty_form_cannot_be_submitted(client, verified):
    link, token = verified

    response = client.post(step_url(token, "consent"), {"go": "next"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Please tick to confirm you agree" in html
    assert "Please answer yes or no." in html
    assert not Intake.objects.exists()
    link.refresh_from_db()
    assert link.submitted_at is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"agree": None}, "Please tick to confirm you agree"),
        ({"signature_name": ""}, "This field is required."),
        ({"signature_name": "  J  "}, "Type your full name."),
        ({"consent_chest": None}, "Please answer yes or no."),
        ({"consent_abdomen": "maybe"}, "Select a valid choice."),
    ],
    ids=["not-agreed", "no-signature", "one-letter-signature", "sensitive-area-unanswered", "sensitive-area-bogus"],
)
def test_consent_needs_agreement_a_typed_signature_and_every_sensitive_area_answered(client, verified, change, message):
    link, token = verified
    fill_steps(client, token, ["contact", "reason", "health", "lifestyle"])

    response = post_step(client, token, "consent", **change)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Intake.objects.exists()
    link.refresh_from_db()
    assert link.submitted_at is None


def test_signing_with_an_earlier_step_unfinished_goes_back_to_that_step(client, verified):
    link, token = verified
    fill_steps(client, token, ["contact", "reason", "lifestyle"])

    response = post_step(client, token, "consent")

    assert response.status_code == 302
    assert response["Location"] == step_url(token, "health")
    page = client.get(response["Location"]).content.decode()
    assert page.count("A step still needs answers.") == 1
    assert not Intake.objects.exists()
    assert "consent" in saved(link, "_done")  # the signature is kept for the next try


def test_a_step_saved_with_errors_blocks_submission(client, verified):
    _, token = verified
    fill_steps(client, token, LINK_STEPS[:-1])
    client.post(step_url(token, "reason"), {**step_data("reason", main_complaint=""), "go": "back"})

    response = post_step(client, token, "consent")

    assert response["Location"] == step_url(token, "reason")
    assert not Intake.objects.exists()


def test_unknown_step_shows_the_unavailable_page(client, verified):
    _, token = verified
    assert client.get(step_url(token, "billing")).status_code == 404


# --- No health data in URLs ---------------------------------------------------------------------


def test_urls_hold_only_the_token_and_the_step(client, verified):
    _, token = verified
    responses = fill_steps(client, token, LINK_STEPS)
    responses.append(client.get(step_url(token, "contact")))  # after submission: on to "done"

    locations = [r["Location"] for r in responses]
    for location in locations:
        assert re.fullmatch(rf"/intake/f/{re.escape(token)}/(reason|health|lifestyle|consent|done)/", location)
    for secret in (MAIN_COMPLAINT, CAUTION_DETAIL, "Warfarin", "Rivera", "Müller"):
        assert all(secret not in location for location in locations)


def test_form_pages_post_their_answers_and_never_use_the_query_string(client, verified):
    _, token = verified
    for step in LINK_STEPS:
        html = client.get(step_url(token, step)).content.decode()
        forms = re.findall(r"<form[^>]*>", html)
        assert forms and all('method="post"' in form for form in forms)
        assert f'action="{step_url(token, step)}"' in html


# --- The website's new-client form --------------------------------------------------------------


def test_new_client_form_creates_a_pending_submission_not_a_client(client, front_desk):
    clients_before = Client.objects.count()

    first = client.get(reverse("intake:new"))
    response = client.post(reverse("intake:new"), step_data("contact", identity=True))

    assert first.status_code == 200
    assert 'name="first_name"' in first.content.decode()
    link = IntakeLink.objects.get()
    assert link.purpose == IntakeLink.Purpose.PUBLIC and link.client is None
    token = response["Location"].split("/")[3]
    assert response["Location"] == step_url(token, "reason")
    assert saved(link, "contact")["last_name"] == ["Rivera"]

    responses = fill_steps(client, token, PUBLIC_STEPS_AFTER_CONTACT)

    assert responses[-1]["Location"] == reverse("intake:done", args=[token])
    assert "Thank you" in client.get(responses[-1]["Location"]).content.decode()
    intake = Intake.objects.get()
    assert intake.status == Intake.Status.UNMATCHED
    assert intake.client is None
    assert intake.contact["first_name"] == "Samantha"
    assert intake.contact["date_of_birth"] == "1985-06-02"
    assert Client.objects.count() == clients_before

    desk = HttpClient()
    desk.force_login(front_desk)
    queue = desk.get(reverse("intake:match_queue")).content.decode()
    assert "Samantha Rivera" in queue
    assert MAIN_COMPLAINT not in queue and CAUTION_DETAIL not in queue


def test_new_client_form_with_errors_keeps_input_and_saves_nothing(client):
    response = client.post(reverse("intake:new"), step_data("contact", identity=True, phone="call me"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Use digits, spaces, brackets, dots, dashes or a leading +." in html
    assert 'value="Samantha"' in html and 'value="Chris Rivera"' in html
    assert not IntakeLink.objects.exists()


def test_new_client_can_go_back_to_contact_details(client):
    response = client.post(reverse("intake:new"), step_data("contact", identity=True))
    token = response["Location"].split("/")[3]

    back = client.post(step_url(token, "reason"), {"main_complaint": "Sore calves", "go": "back"})
    contact = client.get(back["Location"]).content.decode()

    assert back["Location"] == step_url(token, "contact")
    assert 'value="Samantha"' in contact
    assert "Sore calves" in client.get(step_url(token, "reason")).content.decode()


def _public_submission(http_client) -> Intake:
    response = http_client.post(reverse("intake:new"), step_data("contact", identity=True))
    fill_steps(http_client, response["Location"].split("/")[3], PUBLIC_STEPS_AFTER_CONTACT)
    return Intake.objects.get(status=Intake.Status.UNMATCHED)


def test_match_queue_suggests_existing_clients_who_look_like_the_same_person(client, front_desk):
    same_email = ClientFactory(first_name="Sam", last_name="Rivera-Lopez", email="sam.new@example.com")
    same_person = ClientFactory(first_name="Samantha", last_name="Rivera", date_of_birth="1985-06-02")
    stranger = ClientFactory(first_name="Oleg", last_name="Petrov")
    _public_submission(HttpClient())
    client.force_login(front_desk)

    html = client.get(reverse("intake:match_queue")).content.decode()

    assert f"Attach to {same_email.display_name}" in html
    assert f"Attach to {same_person.display_name}" in html
    assert stranger.last_name not in html


def test_front_desk_attaches_a_submission_to_an_existing_client(client, front_desk, therapist):
    existing = ClientFactory(first_name="Samantha", last_name="Rivera", email="sam.new@example.com")
    intake = _public_submission(HttpClient())
    client.force_login(front_desk)

    response = client.post(reverse("intake:match_attach", args=[intake.pk]), {"client": existing.pk}, follow=True)

    assert "it now waits for a therapist&#x27;s review" in response.content.decode()
    intake.refresh_from_db()
    assert intake.client == existing
    assert intake.status == Intake.Status.AWAITING_REVIEW
    assert intake.link.client == existing
    assert "No new-client submissions waiting." in client.get(reverse("intake:match_queue")).content.decode()
    client.force_login(therapist)
    assert existing.display_name in client.get(reverse("intake:review_queue")).content.decode()


def test_front_desk_creates_a_new_client_from_a_submission(client, front_desk):
    intake = _public_submission(HttpClient())
    client.force_login(front_desk)

    response = client.post(reverse("intake:match_create_client", args=[intake.pk]))

    created = Client.objects.get(last_name="Rivera")
    assert response["Location"] == created.get_absolute_url()
    assert (created.first_name, created.date_of_birth.isoformat()) == ("Samantha", "1985-06-02")
    assert (created.phone, created.email, created.emergency_contact_name) == (
        "(555) 010-2000",
        "sam.new@example.com",
        "Chris Rivera",
    )
    assert created.created_by == front_desk
    intake.refresh_from_db()
    assert intake.client == created
    assert intake.status == Intake.Status.AWAITING_REVIEW
    # Pressing the button again does not make a second client.
    second = client.post(reverse("intake:match_create_client", args=[intake.pk]))
    assert second.status_code == 404
    assert Client.objects.filter(last_name="Rivera").count() == 1


# --- In the clinic ----------------------------------------------------------------------------------


def test_therapist_enters_an_intake_in_the_clinic_and_it_is_accepted_at_once(client, therapist, client_record):
    client.force_login(therapist)

    start = client.post(reverse("intake:in_clinic", args=[client_record.pk]))

    token = start["Location"].split("/")[3]
    assert start["Location"] == step_url(token, "reason")
    first = client.get(start["Location"]).content.decode()
    assert "Step 1 of 4" in first
    assert f"Intake for {client_record.display_name}" in first
    assert client.get(step_url(token, "contact")).status_code == 404

    responses = fill_steps(client, token, IN_CLINIC_STEPS)

    assert responses[-1]["Location"] == client_record.get_absolute_url()
    intake = Intake.objects.get()
    assert intake.client == client_record
    assert intake.status == Intake.Status.ACCEPTED
    assert intake.entered_by == therapist
    assert intake.reviewed_by == therapist and intake.reviewed_at is not None
    assert intake.contact == {}
    assert intake.link.purpose == IntakeLink.Purpose.IN_CLINIC
    assert Intake.objects.current_for(client_record) == intake
    page = client.get(client_record.get_absolute_url()).content.decode()
    assert "Intake saved to the client&#x27;s health history." in page
    assert "Taking blood thinners: Warfarin 5 mg since March" in page


def test_in_clinic_form_is_not_open_to_front_desk_or_the_public(client, therapist, front_desk, client_record):
    link, token = make_link(client=client_record, purpose=IntakeLink.Purpose.IN_CLINIC, by=therapist)

    anonymous = HttpClient().get(step_url(token, "reason"))
    client.force_login(front_desk)
    desk = client.get(step_url(token, "reason"))
    desk_post = post_step(client, token, "reason")

    for response in (anonymous, desk, desk_post):
        assert response.status_code == 404
        assert client_record.last_name not in response.content.decode()
    link.refresh_from_db()
    assert link.draft == {}


# --- CSRF on public posts ------------------------------------------------------------------------------


def test_public_posts_need_the_csrf_token():
    browser = HttpClient(enforce_csrf_checks=True)

    refused = browser.post(reverse("intake:new"), step_data("contact", identity=True))
    assert refused.status_code == 403
    assert not IntakeLink.objects.exists()

    browser.get(reverse("intake:new"))
    accepted = browser.post(
        reverse("intake:new"),
        {**step_data("contact", identity=True), "csrfmiddlewaretoken": browser.cookies["csrftoken"].value},
    )
    assert accepted.status_code == 302
    assert IntakeLink.objects.count() == 1


def test_identity_and_step_posts_need_the_csrf_token(client_record, link_and_token):
    link, token = link_and_token
    browser = HttpClient(enforce_csrf_checks=True)
    browser.get(reverse("intake:open", args=[token]))

    forged_identity = verify_identity(browser, token, client_record)
    assert forged_identity.status_code == 403

    csrf = browser.cookies["csrftoken"].value
    response = browser.post(
        reverse("intake:open", args=[token]),
        {"last_name": "Müller-Ortega", "date_of_birth": "1979-11-23", "csrfmiddlewaretoken": csrf},
    )
    assert response.status_code == 302

    forged_step = browser.post(step_url(token, "contact"), step_data("contact"))
    assert forged_step.status_code == 403
    link.refresh_from_db()
    assert link.draft == {}
    assert link.failed_attempts == 0


def test_client_who_saved_every_step_for_later_can_reopen_the_link(client, client_record, verified):
    _, token = verified
    fill_steps(client, token, LINK_STEPS[:-1])
    client.post(step_url(token, "consent"), {**step_data("consent"), "go": "later"})

    later = HttpClient()
    response = verify_identity(later, token, client_record)

    assert response.status_code == 302
    assert response["Location"] == step_url(token, "consent")
    assert 'value="Samantha Rivera"' in later.get(response["Location"]).content.decode()
