"""Intake links: the token, the email, identity confirmation, expiry, single use, revoking, status."""

import base64
import hashlib
import re
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from clients.models import Client
from intake.models import Intake, IntakeLink
from intake.tests.factories import IntakeFactory, expired_link, make_link
from intake.tests.helpers import (
    CAUTION_DETAIL,
    LINK_STEPS,
    MAIN_COMPLAINT,
    fill_steps,
    step_url,
    verify_identity,
)

pytestmark = pytest.mark.django_db

UNAVAILABLE = "This link is not available"


def main_html(response) -> str:
    """The page's main content (the rest of the page carries a per-request CSRF token)."""
    return re.search(r"<main.*</main>", response.content.decode(), re.DOTALL).group(0)


def emailed_link(body: str) -> str:
    return re.search(r"https?://\S+/intake/f/[^/\s]+/", body).group(0)


def shown_link(html: str) -> str:
    return re.search(r'id="new-intake-link"[^>]*value="([^"]+)"', html).group(1)


def token_of(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


def database_contains(text: str) -> list[str]:
    """Every table row (and decoded session) in which `text` appears."""
    found = []
    for model in apps.get_models():
        for row in model.objects.values_list():
            if text in str(row):
                found.append(model._meta.label)
    for session in Session.objects.all():
        if text in str(session.get_decoded()):
            found.append("session")
    return found


# --- The token ---------------------------------------------------------------------------------


def test_front_desk_gets_a_link_to_copy_whose_token_is_long_and_stored_only_hashed(client, front_desk, client_record):
    client.force_login(front_desk)

    response = client.post(reverse("intake:link_create", args=[client_record.pk]), follow=True)

    html = response.content.decode()
    url = shown_link(html)
    assert url.startswith("http://testserver/intake/f/")
    assert "Copy it below; it is shown only now." in html
    token = token_of(url)
    assert len(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))) * 8 >= 128
    link = IntakeLink.objects.get(client=client_record)
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert link.created_by == front_desk
    assert link.emailed_at is None
    assert database_contains(token) == []

    # Shown once: the next visit to the client page no longer has it.
    assert url not in client.get(client_record.get_absolute_url()).content.decode()


def test_no_link_for_a_client_without_a_date_of_birth(client, front_desk, client_record):
    """Imported clients may lack one, and the form's identity check asks for it."""
    Client.objects.filter(pk=client_record.pk).update(date_of_birth=None)
    client.force_login(front_desk)

    response = client.post(reverse("intake:link_create", args=[client_record.pk]), follow=True)

    assert "Add the client&#x27;s date of birth first" in response.content.decode()
    assert not IntakeLink.objects.filter(client=client_record).exists()


def test_two_links_never_share_a_token(client_record):
    tokens = {make_link(client=client_record)[1] for _ in range(20)}
    assert len(tokens) == 20


def test_link_expires_after_seven_days_by_default(client_record, settings):
    link, _ = make_link(client=client_record)
    assert abs(link.expires_at - timezone.now() - timedelta(days=7)) < timedelta(minutes=1)

    settings.INTAKE_LINK_DAYS = 2
    link, _ = make_link(client=client_record)
    assert abs(link.expires_at - timezone.now() - timedelta(days=2)) < timedelta(minutes=1)


# --- The email -------------------------------------------------------------------------------------


def test_emailed_link_contains_the_link_and_no_health_data(
    client, front_desk, client_record, mailoutbox, django_capture_on_commit_callbacks
):
    IntakeFactory(
        client=client_record,
        main_complaint=MAIN_COMPLAINT,
        cautions=["blood_thinners"],
        caution_details={"blood_thinners": CAUTION_DETAIL},
    )
    client.force_login(front_desk)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("intake:link_create", args=[client_record.pk]), {"send_email": "1"}, follow=True)

    html = response.content.decode()
    assert "Intake link created and emailed to zoe.muller@example.com." in html
    assert 'id="new-intake-link"' not in html  # only the client has an emailed link
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == ["zoe.muller@example.com"]
    assert re.search(r"https?://\S+/intake/f/\S+", email.body)
    for secret in (MAIN_COMPLAINT, CAUTION_DETAIL, "blood thinners", "Warfarin", "Müller", "Zoë"):
        assert secret.lower() not in email.body.lower()
        assert secret.lower() not in email.subject.lower()
    link = IntakeLink.objects.get(client=client_record)
    assert link.emailed_to == "zoe.muller@example.com"
    assert link.emailed_at is not None
    assert link.status == "sent"


def test_no_email_is_sent_when_front_desk_only_copies_the_link(
    client, front_desk, client_record, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(front_desk)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("intake:link_create", args=[client_record.pk]), follow=True)

    assert mailoutbox == []
    assert "(copied)" in response.content.decode()
    assert IntakeLink.objects.get(client=client_record).emailed_to == ""


# --- Identity before the form opens ------------------------------------------------------------


def test_the_form_opens_only_after_last_name_and_date_of_birth_are_confirmed(client, client_record, link_and_token):
    link, token = link_and_token

    front_door = client.get(reverse("intake:open", args=[token]))
    straight_to_form = client.get(step_url(token, "contact"))

    assert front_door.status_code == 200
    html = front_door.content.decode()
    assert "please confirm who you are first" in html
    assert "Zoë" not in html and "Müller" not in html and "zoe.muller" not in html
    assert straight_to_form.status_code == 404
    assert "zoe.muller" not in straight_to_form.content.decode()

    response = verify_identity(client, token, client_record)

    assert response.status_code == 302
    assert response["Location"] == step_url(token, "contact")
    form = client.get(step_url(token, "contact"))
    assert form.status_code == 200
    assert 'value="zoe.muller@example.com"' in form.content.decode()  # the profile's details, to confirm
    link.refresh_from_db()
    assert link.opened_at is not None
    assert link.failed_attempts == 0


@pytest.mark.parametrize("typed", ["müller-ortega", "MULLER-ORTEGA", "  Muller-Ortega ", "Muller-ortega"])
def test_last_name_check_ignores_case_and_accents(client, client_record, link_and_token, typed):
    _, token = link_and_token

    response = verify_identity(client, token, client_record, last_name=typed)

    assert response.status_code == 302
    assert response["Location"] == step_url(token, "contact")


@pytest.mark.parametrize(
    "answer",
    [
        {"last_name": "Miller-Ortega", "date_of_birth": "1979-11-23"},
        {"last_name": "Müller-Ortega", "date_of_birth": "1979-11-24"},
        {"last_name": "Müller", "date_of_birth": "1979-11-23"},
    ],
    ids=["wrong-name", "wrong-date", "part-of-name"],
)
def test_wrong_identity_answer_shows_the_same_page_and_reveals_nothing(client, client_record, link_and_token, answer):
    link, token = link_and_token

    response = client.post(reverse("intake:open", args=[token]), answer)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Those details do not match what the clinic has." in html
    assert "please confirm who you are first" in html
    for secret in ("Zoë", "Müller-Ortega", "1979-11-23", "zoe.muller", "555-100-2000"):
        if secret not in answer.values():
            assert secret not in html
    assert client.get(step_url(token, "contact")).status_code == 404
    link.refresh_from_db()
    assert link.failed_attempts == 1
    assert link.is_usable


def test_five_wrong_answers_lock_the_link_even_for_the_right_answer(client, client_record, link_and_token):
    link, token = link_and_token
    for _ in range(4):
        response = verify_identity(client, token, client_record, last_name="Nobody")
        assert response.status_code == 200

    fifth = verify_identity(client, token, client_record, last_name="Nobody")
    right_answer = verify_identity(client, token, client_record)
    another_browser = HttpClient().get(reverse("intake:open", args=[token]))

    for response in (fifth, right_answer, another_browser):
        assert response.status_code == 404
        assert UNAVAILABLE in response.content.decode()
        assert "Müller" not in response.content.decode()
    link.refresh_from_db()
    assert link.failed_attempts == 5
    assert link.status == "locked"
    assert not IntakeLink.objects.usable().filter(pk=link.pk).exists()


def test_right_answer_on_the_fifth_try_still_opens_the_form(client, client_record, link_and_token):
    _, token = link_and_token
    for _ in range(4):
        verify_identity(client, token, client_record, last_name="Nobody")

    response = verify_identity(client, token, client_record)

    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200


def test_blank_identity_answers_do_not_count_as_attempts(client, link_and_token):
    link, token = link_and_token

    response = client.post(reverse("intake:open", args=[token]), {"last_name": "", "date_of_birth": ""})

    assert response.status_code == 200
    link.refresh_from_db()
    assert link.failed_attempts == 0


# --- Links that no longer work -----------------------------------------------------------------


def _unusable_link(state: str, client_record) -> str:
    if state == "unknown":
        return "x" * 32
    if state == "expired":
        return expired_link(client=client_record)[1]
    now = timezone.now()
    changes = {
        "revoked": {"revoked_at": now},
        "used": {"submitted_at": now},
        "locked": {"failed_attempts": 5},
    }[state]
    link, token = make_link(client=client_record, **changes)
    if state == "used":
        IntakeFactory(client=client_record, link=link, status=Intake.Status.AWAITING_REVIEW)
    return token


@pytest.mark.parametrize("state", ["expired", "used", "revoked", "locked", "unknown"])
def test_unusable_links_all_show_the_same_friendly_page_without_the_clients_name(client, client_record, state):
    reference = main_html(client.get(reverse("intake:open", args=["never-issued-token"])))
    token = _unusable_link(state, client_record)

    responses = [
        client.get(reverse("intake:open", args=[token])),
        verify_identity(client, token, client_record),
        client.get(step_url(token, "reason")),
        client.post(step_url(token, "reason"), {"main_complaint": "x"}),
        client.get(reverse("intake:done", args=[token])),
    ]

    for response in responses:
        assert response.status_code == 404
        assert main_html(response) == reference
        html = response.content.decode()
        assert UNAVAILABLE in html
        assert "Zoë" not in html and "Müller" not in html
    assert Intake.objects.count() == (1 if state == "used" else 0)
    assert all(link.draft == {} for link in IntakeLink.objects.all())


def test_link_that_expires_while_the_client_fills_it_in_stops_working(client, verified):
    link, token = verified
    assert client.get(step_url(token, "contact")).status_code == 200

    IntakeLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    response = client.get(step_url(token, "contact"))
    assert response.status_code == 404
    assert UNAVAILABLE in response.content.decode()


def test_a_submitted_link_cannot_be_used_again(client, client_record, verified):
    link, token = verified
    fill_steps(client, token, LINK_STEPS)

    same_browser = client.get(reverse("intake:open", args=[token]))
    other_browser = HttpClient()
    other_front_door = other_browser.get(reverse("intake:open", args=[token]))
    other_identity = verify_identity(other_browser, token, client_record)

    assert same_browser.status_code == 302
    assert same_browser["Location"] == reverse("intake:done", args=[token])
    assert other_front_door.status_code == 404
    assert other_identity.status_code == 404
    assert other_browser.get(reverse("intake:done", args=[token])).status_code == 404
    assert Intake.objects.filter(link=link).count() == 1


# --- Revoking --------------------------------------------------------------------------------------


def test_front_desk_revokes_a_link_and_it_stops_working(client, front_desk, client_record, link_and_token):
    link, token = link_and_token
    client.force_login(front_desk)

    response = client.post(reverse("intake:link_revoke", args=[link.pk]), follow=True)

    html = response.content.decode()
    assert "The intake link no longer works." in html
    assert "link-status-revoked" in html
    link.refresh_from_db()
    assert link.revoked_at is not None
    assert link.revoked_by == front_desk
    client.logout()
    assert client.get(reverse("intake:open", args=[token])).status_code == 404


def test_a_submitted_link_cannot_be_revoked(client, front_desk, client_record):
    link, _ = make_link(client=client_record, submitted_at=timezone.now())
    client.force_login(front_desk)

    client.post(reverse("intake:link_revoke", args=[link.pk]))

    link.refresh_from_db()
    assert link.revoked_at is None


# --- Status as front desk sees it --------------------------------------------------------------


def _link_in_state(state: str, client_record) -> IntakeLink:
    now = timezone.now()
    if state == "created":
        return make_link(client=client_record)[0]
    if state == "expired":
        return expired_link(client=client_record)[0]
    changes = {
        "sent": {"emailed_at": now, "emailed_to": client_record.email},
        "opened": {"emailed_at": now, "opened_at": now},
        "revoked": {"revoked_at": now},
        "submitted": {"opened_at": now, "submitted_at": now},
        "accepted": {"opened_at": now, "submitted_at": now},
    }[state]
    link, _ = make_link(client=client_record, **changes)
    if state in ("submitted", "accepted"):
        status = Intake.Status.ACCEPTED if state == "accepted" else Intake.Status.AWAITING_REVIEW
        IntakeFactory(client=client_record, link=link, status=status, main_complaint=MAIN_COMPLAINT)
    return link


@pytest.mark.parametrize("state", ["created", "sent", "opened", "submitted", "accepted", "expired", "revoked"])
def test_front_desk_sees_the_link_status_and_never_the_answers(client, front_desk, client_record, state):
    link = _link_in_state(state, client_record)
    client.force_login(front_desk)

    html = client.get(client_record.get_absolute_url()).content.decode()

    assert link.status == state
    assert f"link-status-{state}" in html
    assert f">{state.capitalize()}</span>" in html
    assert MAIN_COMPLAINT not in html
    for intake in Intake.objects.filter(client=client_record):
        assert f'href="{intake.get_absolute_url()}"' not in html


def test_link_status_follows_the_client_through_the_form(
    client, front_desk, therapist, client_record, django_capture_on_commit_callbacks, mailoutbox
):
    desk = HttpClient()
    desk.force_login(front_desk)
    with django_capture_on_commit_callbacks(execute=True):
        desk.post(reverse("intake:link_create", args=[client_record.pk]), {"send_email": "1"})
    url = emailed_link(mailoutbox[0].body)  # an emailed link reaches the client only
    token = token_of(url)
    link = IntakeLink.objects.get(client=client_record)

    def desk_sees(state):
        assert f"link-status-{state}" in desk.get(client_record.get_absolute_url()).content.decode()

    desk_sees("sent")
    client.get(url)
    desk_sees("opened")
    verify_identity(client, token, client_record)
    fill_steps(client, token, LINK_STEPS)
    desk_sees("submitted")

    reviewer = HttpClient()
    reviewer.force_login(therapist)
    reviewer.post(reverse("intake:accept", args=[link.intake.pk]))
    desk_sees("accepted")


def test_answers_cannot_be_posted_before_identity_is_confirmed(client, link_and_token):
    link, token = link_and_token

    response = client.post(step_url(token, "reason"), {"main_complaint": "sneaky"})

    assert response.status_code == 404
    link.refresh_from_db()
    assert link.draft == {}


def test_confirming_identity_starts_a_fresh_session(client, client_record, link_and_token):
    _, token = link_and_token
    client.get(reverse("intake:open", args=[token]))
    verify_identity(client, token, client_record, last_name="Nobody")
    before = client.session.session_key
    assert before

    verify_identity(client, token, client_record)

    assert client.session.session_key != before
