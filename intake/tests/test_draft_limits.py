"""What a draft keeps: only the step's own questions, each answer within its size limit, and a
total size cap, so the public form cannot be used to fill the disk."""

import json
import re

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from intake import services
from intake.forms import STEPS, input_limit
from intake.models import ConsentText, IntakeLink
from intake.tests.helpers import LINK_STEPS, MAIN_COMPLAINT, post_step, step_data, step_url, verify_identity

pytestmark = pytest.mark.django_db

TWO_MEGABYTES = 2_000_000


def draft_size(link: IntakeLink) -> int:
    link.refresh_from_db()
    return len(json.dumps(link.draft, ensure_ascii=False).encode())


@pytest.fixture
def public_link(client):
    """A website form started in this browser (contact details saved); returns (link, token)."""
    response = client.post(reverse("intake:new"), step_data("contact", identity=True))
    token = response["Location"].split("/")[3]
    return IntakeLink.objects.get(), token


def test_posted_fields_that_are_not_questions_of_the_step_are_not_kept(client, public_link):
    link, token = public_link

    response = post_step(
        client, token, "reason", go="later", padding="x" * TWO_MEGABYTES, medications="from another step"
    )

    assert response.status_code == 200
    link.refresh_from_db()
    assert link.draft["reason"]["main_complaint"] == [MAIN_COMPLAINT]
    assert "padding" not in link.draft["reason"] and "medications" not in link.draft["reason"]
    assert draft_size(link) < 20_000


def test_a_repeated_field_keeps_one_value_and_a_list_at_most_one_of_each_choice(client, public_link):
    link, token = public_link

    post_step(client, token, "health", go="later", medications=["Ibuprofen"] * 400, allergies=["nuts"] * 400)

    link.refresh_from_db()
    assert link.draft["health"]["medications"] == ["Ibuprofen"]
    assert link.draft["health"]["allergies"] == ["nuts"]
    assert draft_size(link) < 20_000


def test_an_answer_over_its_size_limit_is_cut_and_marked_next_to_its_question(client, public_link):
    link, token = public_link

    response = post_step(client, token, "reason", main_complaint="ache " * (TWO_MEGABYTES // 5), onset="Slipped on ice")

    assert response.status_code == 200
    html = response.content.decode()
    assert len(html) < 200_000  # the two megabytes are not sent back either
    assert "Some answers need attention" in html
    # The message sits with the question it is about.
    assert re.search(
        r'name="main_complaint".*?</textarea>\s*<div id="id_main_complaint_error" class="invalid-feedback">\s*'
        r"<p[^>]*><strong>This answer is too long: please keep it to 2,000 characters",
        html,
        re.DOTALL,
    )
    # The rest of what was typed is kept, on the page and in the draft.
    assert "Slipped on ice" in html
    assert re.search(r'name="area_upper_back_side"[^>]*>.*?<option value="left" selected>', html, re.DOTALL)
    link.refresh_from_db()
    assert link.draft["reason"]["onset"] == ["Slipped on ice"]
    assert len(link.draft["reason"]["main_complaint"][0]) == 2000
    assert "reason" not in link.draft["_done"]
    assert draft_size(link) < 20_000


def test_the_website_form_refuses_an_oversized_answer_and_keeps_the_others(client):
    response = client.post(reverse("intake:new"), step_data("contact", identity=True, address="12 Elm " * 100_000))

    html = response.content.decode()
    assert response.status_code == 200
    assert "This answer is too long: please keep it to 500 characters" in html
    assert 'value="Samantha"' in html and 'value="Chris Rivera"' in html
    assert not IntakeLink.objects.exists()


def test_an_oversized_drawn_signature_is_dropped_with_a_message(client, public_link):
    _, token = public_link

    drawing = "data:image/png;base64," + "A" * 300_000

    response = post_step(client, token, "consent", go="later", signature_drawing=drawing)

    html = response.content.decode()
    assert response.status_code == 200
    assert "The drawn signature was too large to keep" in html
    assert 'value="Samantha Rivera"' in html
    link = IntakeLink.objects.get()
    assert link.draft["consent"]["signature_name"] == ["Samantha Rivera"]
    assert "signature_drawing" not in link.draft["consent"]


def test_a_draft_over_its_total_size_cap_is_not_saved_and_the_page_keeps_what_was_typed(
    client, public_link, monkeypatch
):
    link, token = public_link
    post_step(client, token, "reason")
    monkeypatch.setattr(services, "DRAFT_MAX_BYTES", draft_size(link) + 500)

    response = post_step(client, token, "health", medical_conditions="Migraines " * 100)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Your answers are too long to save all together" in html
    assert "Migraines Migraines" in html  # still in the form, to shorten
    link.refresh_from_db()
    assert "health" not in link.draft
    assert link.draft["reason"]["main_complaint"] == [MAIN_COMPLAINT]  # earlier steps untouched


def test_going_back_or_later_with_a_full_draft_stays_on_the_page(client, public_link, monkeypatch):
    link, token = public_link
    monkeypatch.setattr(services, "DRAFT_MAX_BYTES", draft_size(link) + 100)

    for go in ("back", "later"):
        response = post_step(client, token, "reason", go=go)
        assert response.status_code == 200
        assert "Your answers are too long to save all together" in response.content.decode()
    link.refresh_from_db()
    assert "reason" not in link.draft


def test_every_text_box_of_every_step_has_a_size_limit(client, public_link):
    _, token = public_link
    for step in LINK_STEPS:
        html = client.get(step_url(token, step)).content.decode()
        boxes = re.findall(r"<(?:textarea|input)\b[^>]*>", html)
        typed = [b for b in boxes if "<textarea" in b or re.search(r'type="(text|tel|email)"', b)]
        assert typed, step
        for box in typed:
            assert re.search(r'maxlength="\d+"', box), (step, box)


def test_every_question_of_every_step_has_a_size_limit():
    consent = ConsentText.objects.current()
    for step in STEPS:
        form = step.form_class(consent=consent) if step.slug == "consent" else step.form_class()
        for name, field in form.fields.items():
            limit = input_limit(field)
            assert 0 < limit <= 2000 or name == "signature_drawing", (step.slug, name, limit)


def test_a_link_the_client_fills_in_is_held_to_the_same_limits(client_record, link_and_token):
    link, token = link_and_token
    browser = HttpClient()
    verify_identity(browser, token, client_record)

    post_step(browser, token, "lifestyle", go="later", goals="g" * 50_000, extra="x" * TWO_MEGABYTES)

    link.refresh_from_db()
    assert len(link.draft["lifestyle"]["goals"][0]) == 1000
    assert "extra" not in link.draft["lifestyle"]
