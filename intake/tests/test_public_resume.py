"""The website's new-client form, saved for later: reopening it asks who it is, like a client's link."""

import re
from datetime import date

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from intake.models import IntakeLink
from intake.tests.helpers import (
    CAUTION_DETAIL,
    MAIN_COMPLAINT,
    fill_steps,
    post_step,
    step_data,
    step_url,
)

pytestmark = pytest.mark.django_db

MISMATCH = "Those details do not match what the clinic has."


def main_html(response) -> str:
    return re.search(r"<main.*</main>", response.content.decode(), re.DOTALL).group(0)


def identify(http_client, token: str, last_name: str = "Rivera", date_of_birth: str = "1985-06-02", **extra):
    return http_client.post(
        reverse("intake:open", args=[token]), {"last_name": last_name, "date_of_birth": date_of_birth}, **extra
    )


@pytest.fixture
def saved_for_later(client):
    """Samantha Rivera (born 1985-06-02) starts the website form, answers two steps and stops."""
    response = client.post(reverse("intake:new"), step_data("contact", identity=True))
    token = response["Location"].split("/")[3]
    fill_steps(client, token, ["reason", "health"])
    later = client.post(step_url(token, "lifestyle"), {"occupation": "Teacher", "go": "later"})
    assert "Your answers are saved" in later.content.decode()
    return IntakeLink.objects.get(), token


def test_the_browser_that_started_the_form_carries_on_without_being_asked(client, saved_for_later):
    _, token = saved_for_later

    response = client.get(reverse("intake:open", args=[token]))

    assert response["Location"] == step_url(token, "lifestyle")
    assert client.get(step_url(token, "reason")).status_code == 200


def test_the_saved_page_says_that_name_and_date_of_birth_will_be_asked(client):
    response = client.post(reverse("intake:new"), step_data("contact", identity=True))
    token = response["Location"].split("/")[3]

    html = client.post(step_url(token, "reason"), {"go": "later"}).content.decode()

    assert "confirm your last name and date of birth" in html


def test_another_browser_must_confirm_last_name_and_date_of_birth_before_seeing_any_answer(saved_for_later):
    link, token = saved_for_later
    other = HttpClient()

    front_door = other.get(reverse("intake:open", args=[token]))
    straight_to_a_step = other.get(step_url(token, "reason"))
    posting_to_a_step = other.post(step_url(token, "reason"), {"main_complaint": "overwritten", "go": "later"})

    html = front_door.content.decode()
    assert front_door.status_code == 200
    assert "please confirm who you are first" in html
    for secret in (MAIN_COMPLAINT, CAUTION_DETAIL, "Samantha", "Rivera", "1985"):
        assert secret not in html
        assert secret not in straight_to_a_step.content.decode()
    assert straight_to_a_step.status_code == 404
    assert posting_to_a_step.status_code == 404
    link.refresh_from_db()
    assert link.draft["reason"]["main_complaint"] == [MAIN_COMPLAINT]

    response = identify(other, token, last_name="  RIVERA ")

    assert response.status_code == 302
    assert response["Location"] == step_url(token, "lifestyle")  # the first step not yet done
    assert MAIN_COMPLAINT in other.get(step_url(token, "reason")).content.decode()
    assert 'value="Teacher"' in other.get(step_url(token, "lifestyle")).content.decode()


@pytest.mark.parametrize(
    ("last_name", "date_of_birth"),
    [("Riviera", "1985-06-02"), ("Rivera", "1985-06-03"), ("Okafor", "1990-01-01")],
    ids=["wrong-name", "wrong-date", "someone-else"],
)
def test_wrong_details_open_nothing_and_count_as_a_try(saved_for_later, last_name, date_of_birth):
    link, token = saved_for_later
    other = HttpClient()

    response = identify(other, token, last_name, date_of_birth)

    assert response.status_code == 200
    html = response.content.decode()
    assert MISMATCH in html
    assert MAIN_COMPLAINT not in html and "Samantha" not in html
    assert other.get(step_url(token, "reason")).status_code == 404
    link.refresh_from_db()
    assert link.failed_attempts == 1


def test_five_wrong_tries_lock_the_form_even_for_the_right_details(saved_for_later):
    link, token = saved_for_later
    other = HttpClient()
    for _ in range(4):
        assert identify(other, token, last_name="Nobody").status_code == 200

    fifth = identify(other, token, last_name="Nobody")
    right = identify(HttpClient(), token)

    for response in (fifth, right):
        assert response.status_code == 404
        assert "This link is not available" in response.content.decode()
    link.refresh_from_db()
    assert link.is_locked


def test_the_answer_to_wrong_details_says_nothing_about_whose_form_it_is(saved_for_later, client_record):
    """The page for wrong details is the same whatever was typed, and the same as on a client's
    link: it reveals neither whether a form exists for those details nor anything in it."""
    _, token = saved_for_later
    other_form = HttpClient()
    blank_response = other_form.post(reverse("intake:new"), step_data("contact", identity=True, last_name="Okafor"))
    other_token = blank_response["Location"].split("/")[3]
    link_token = IntakeLink.issue(client=client_record, purpose=IntakeLink.Purpose.LINK)[1]

    pages = [
        main_html(identify(HttpClient(), token, "Okafor", "1985-06-02")),  # details of another form
        main_html(identify(HttpClient(), token, "Nobody", "1970-01-01")),  # details of no form
        main_html(identify(HttpClient(), other_token, "Rivera", "1985-06-02")),
        main_html(identify(HttpClient(), link_token, "Nobody", "1970-01-01")),  # a client's link
    ]

    assert all(MISMATCH in page for page in pages)
    assert len({re.sub(r'value="[^"]*"', "", page) for page in pages}) == 1


def test_a_form_whose_name_was_erased_can_only_be_reopened_where_it_was_started(client, saved_for_later):
    link, token = saved_for_later
    erased = step_data("contact", identity=True, last_name="", date_of_birth="")
    client.post(step_url(token, "contact"), {**erased, "go": "back"})

    for last_name, date_of_birth in (("", ""), ("Rivera", "1985-06-02")):
        response = identify(HttpClient(), token, last_name, date_of_birth)
        assert response.status_code == 200
    assert client.get(step_url(token, "reason")).status_code == 200


def test_the_date_of_birth_may_be_typed_as_the_form_accepts_it(client):
    response = client.post(reverse("intake:new"), step_data("contact", identity=True, date_of_birth="06/02/1985"))
    token = response["Location"].split("/")[3]

    other = HttpClient()
    assert identify(other, token, "Rivera", date(1985, 6, 2).isoformat()).status_code == 302


def test_identity_pages_of_the_website_form_share_the_public_rate_limit(settings, saved_for_later):
    settings.RATE_LIMITS = {"public_intake": (3, 600)}
    _, token = saved_for_later
    other = HttpClient()

    statuses = [identify(other, token, last_name=f"Guess{n}", REMOTE_ADDR="203.0.113.9").status_code for n in range(4)]

    assert statuses == [200, 200, 200, 429]


def test_the_reopened_form_submits_as_usual(saved_for_later):
    link, token = saved_for_later
    other = HttpClient()
    identify(other, token)

    responses = fill_steps(other, token, ["lifestyle", "consent"])

    assert responses[-1]["Location"] == reverse("intake:done", args=[token])
    link.refresh_from_db()
    assert link.submitted_at is not None
    assert post_step(HttpClient(), token, "reason").status_code == 404
