"""Idle sign-out after IDLE_TIMEOUT_MINUTES without a request, with "Stay signed in"."""

import re
import time
from urllib.parse import quote

import pytest
from django.urls import reverse

from accounts import idle
from accounts.tests.helpers import idle_for
from clients.tests.factories import ClientFactory
from sessions.tests.factories import SessionNoteFactory

pytestmark = pytest.mark.django_db


def test_a_request_after_the_timeout_signs_out_and_goes_to_sign_in_with_next(client, therapist):
    client.force_login(therapist)
    idle_for(client, 31 * 60)
    path = reverse("clients:list") + "?q=smith"

    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={quote(path, safe='/')}"
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"]).content.decode()
    assert "You were signed out after 30 minutes without activity" in page


def test_a_request_before_the_timeout_keeps_the_session(client, therapist):
    client.force_login(therapist)
    idle_for(client, 29 * 60)
    assert client.get(reverse("clients:list")).status_code == 200
    # ... and counts as activity.
    assert idle.seconds_left(client.session) > 29 * 60


def test_timeout_comes_from_the_setting(client, therapist, settings):
    settings.IDLE_TIMEOUT_MINUTES = 5
    client.force_login(therapist)
    idle_for(client, 6 * 60)
    assert client.get(reverse("clients:list"))["Location"].startswith(reverse("login"))


def test_keep_alive_extends_the_session(client, therapist):
    client.force_login(therapist)
    idle_for(client, 29 * 60)

    response = client.post(reverse("accounts:keep_alive"))

    assert 30 * 60 - 1 <= response.json()["seconds_left"] <= 30 * 60
    idle_for_more = int(time.time()) - client.session[idle.LAST_ACTIVITY]
    assert idle_for_more <= 1
    assert client.get(reverse("clients:list")).status_code == 200


def test_keep_alive_after_the_timeout_does_not_bring_the_session_back(client, therapist):
    client.force_login(therapist)
    idle_for(client, 31 * 60)
    response = client.post(reverse("accounts:keep_alive"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_asking_how_long_is_left_does_not_count_as_activity(client, therapist):
    client.force_login(therapist)
    idle_for(client, 20 * 60)

    response = client.get(reverse("accounts:session_status"))

    assert 9 * 60 <= response.json()["seconds_left"] <= 10 * 60
    assert idle.seconds_left(client.session) <= 10 * 60


def test_status_after_the_timeout_says_none_left(client, therapist):
    client.force_login(therapist)
    idle_for(client, 40 * 60)
    assert client.get(reverse("accounts:session_status")).json() == {"seconds_left": 0}


def test_pages_tell_the_script_the_time_left_and_where_to_go(client, therapist):
    client.force_login(therapist)
    page = client.get(reverse("clients:list")).content.decode()
    assert 'data-idle-seconds-left="1800"' in page or 'data-idle-seconds-left="1799"' in page
    assert 'data-idle-warning-seconds="120"' in page
    assert f'data-idle-keep-alive-url="{reverse("accounts:keep_alive")}"' in page
    assert f'data-stash-url="{reverse("accounts:stash")}"' in page
    assert 'role="alertdialog"' in page and "Stay signed in" in page
    assert "<script>" not in page  # all of it lives in static/js/idle.js


def test_anonymous_pages_have_no_idle_timer(client):
    page = client.get(reverse("login")).content.decode()
    assert "data-idle-seconds-left" not in page
    assert "idle-warning" not in page


def test_draft_note_form_is_marked_for_the_stash(client, therapist):
    note = SessionNoteFactory(therapist=therapist)
    client.force_login(therapist)
    page = client.get(reverse("visits:note_edit", args=[note.client_id, note.pk])).content.decode()
    assert re.search(r'<form [^>]*class="note-form"[^>]*data-stash', page)


def test_intake_form_filled_in_by_staff_is_marked_for_the_stash(client, therapist):
    client.force_login(therapist)
    response = client.post(reverse("intake:in_clinic", args=[ClientFactory().pk]), follow=True)
    assert re.search(r'<form [^>]*class="intake-form" data-stash', response.content.decode())


def test_public_intake_form_is_never_stashed(client):
    page = client.get(reverse("intake:new")).content.decode()
    assert "intake-form" in page and "data-stash" not in page


def test_an_htmx_request_after_the_timeout_sends_the_whole_page_to_sign_in(client, therapist):
    client.force_login(therapist)
    idle_for(client, 31 * 60)

    response = client.get(
        reverse("clients:list"),
        {"q": "smi"},
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/clients/?sort=name"},
    )

    assert response["HX-Redirect"] == f"{reverse('login')}?next={quote('/clients/?sort=name', safe='/')}"
    assert "_auth_user_id" not in client.session
