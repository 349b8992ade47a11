"""Answers that contradict each other are not accepted silently: the client is asked to resolve them."""

import re

import pytest
from django.urls import reverse

from intake.models import Intake, IntakeLink
from intake.tests.helpers import LINK_STEPS, fill_steps, post_step, step_data, step_url

pytestmark = pytest.mark.django_db


def question_block(html: str, name: str) -> str:
    """The HTML from the question's input to the next question."""
    start = html.index(f'name="{name}"')
    following = re.search(r'<fieldset|<div id="div_id_|<div class="row g-2 mb-2 history-row', html[start + 1 :])
    return html[start : start + 1 + (following.start() if following else len(html))]


# --- Across steps: areas not to work on, and consent to sensitive areas --------------------------


def test_consent_to_an_area_the_client_asked_us_not_to_work_on_is_questioned(client, verified):
    link, token = verified
    fill_steps(client, token, LINK_STEPS[:-1], lifestyle={"do_not_work": ["abdomen", "ankle_foot"]})

    response = post_step(client, token, "consent", consent_abdomen="yes")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Some answers need attention" in html
    assert "You asked us not to work on the abdomen" in question_block(html, "consent_abdomen")
    assert "not to work on" not in question_block(html, "consent_gluteals")
    # Everything typed is kept.
    assert 'value="Samantha Rivera"' in html
    assert re.search(r'name="consent_gluteals" value="yes"[^>]*checked', html)
    assert not Intake.objects.exists()

    resolved = post_step(client, token, "consent", consent_abdomen="no")

    assert resolved["Location"] == reverse("intake:done", args=[token])
    intake = Intake.objects.get()
    assert intake.consent_abdomen is False and "abdomen" in intake.do_not_work


def test_changing_the_areas_after_signing_is_caught_when_submitting(client, verified):
    _, token = verified
    fill_steps(client, token, LINK_STEPS[:-1])
    client.post(step_url(token, "consent"), {**step_data("consent"), "go": "later"})  # abdomen: yes
    fill_steps(client, token, ["lifestyle"], lifestyle={"do_not_work": ["abdomen"]})

    response = post_step(client, token, "consent")

    assert response.status_code == 200
    assert "You asked us not to work on the abdomen" in question_block(response.content.decode(), "consent_abdomen")
    assert not Intake.objects.exists()


def test_refusing_consent_to_an_area_also_listed_not_to_work_on_is_fine(client, verified):
    _, token = verified
    fill_steps(client, token, LINK_STEPS[:-1], lifestyle={"do_not_work": ["chest"]})

    response = post_step(client, token, "consent", consent_chest="no")

    assert response["Location"] == reverse("intake:done", args=[token])


# --- Within the health step ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "question", "message"),
    [
        (
            {"caution_dvt": "no", "caution_dvt_details": "Clot in my calf in 2023"},
            "caution_dvt",
            "You answered No but wrote details",
        ),
        ({"allergies": ["oils"], "caution_allergy": "no"}, "caution_allergy", "You ticked an allergy to"),
        ({"allergies": ["oils"], "caution_allergy": "no"}, "allergies", "does not match your answer"),
        ({"medications": "None", "caution_blood_thinners": "yes"}, "medications", "You said you take blood thinners"),
        (
            {"medications": "none.", "caution_blood_thinners": "yes"},
            "caution_blood_thinners",
            "you wrote “none” under medications",
        ),
    ],
    ids=["details-with-no", "allergy-ticked-but-no", "allergy-list", "no-medications-but-thinners", "thinners"],
)
def test_contradicting_health_answers_are_questioned_next_to_the_question(client, verified, change, question, message):
    link, token = verified

    response = post_step(client, token, "health", **change)

    html = response.content.decode()
    assert response.status_code == 200
    assert message in question_block(html, question)
    assert "Warfarin 5 mg since March" in html or "caution_blood_thinners_details" in change
    link.refresh_from_db()
    assert "health" not in link.draft["_done"]
    for key, value in change.items():
        assert link.draft["health"][key] == (value if isinstance(value, list) else [value])


def test_an_injury_before_the_year_of_birth_is_questioned(client, verified, client_record):
    _, token = verified
    year = client_record.date_of_birth.year - 1

    response = post_step(client, token, "health", event_0_year=str(year))

    html = response.content.decode()
    assert response.status_code == 200
    assert "That year is before your year of birth" in question_block(html, "event_0_year")
    assert f'value="{year}"' in html


def test_the_website_form_checks_injury_years_against_the_date_of_birth_given(client):
    response = client.post(reverse("intake:new"), step_data("contact", identity=True))  # born 1985
    token = response["Location"].split("/")[3]

    refused = post_step(client, token, "health", event_0_year="1984")
    accepted = post_step(client, token, "health", event_0_year="1985")

    assert "That year is before your year of birth" in refused.content.decode()
    assert accepted.status_code == 302
    assert IntakeLink.objects.get().draft["_done"] == ["contact", "health"]


def test_consistent_health_answers_pass(client, verified):
    _, token = verified

    response = post_step(
        client,
        token,
        "health",
        allergies=["latex"],
        caution_allergy="no",
        caution_dvt="yes",
        caution_dvt_details="Clot in 2023",
        medications="Warfarin",
    )

    assert response.status_code == 302
