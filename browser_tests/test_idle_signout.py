"""Idle sign-out in a real browser: the warning, "Stay signed in", and a draft note that
survives the sign-out (saved to the server, put back after signing in again).

The timeout is 15 seconds here (IDLE_TIMEOUT_MINUTES accepts a fraction for this); the
live server runs in this process, so the settings fixture reaches it.
"""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from accounts.models import FormStash
from accounts.roles import THERAPIST
from clinic.tests.factories import PASSWORD, UserFactory
from sessions.tests.factories import SessionNoteFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TYPED = "Slept badly after a long drive; right side of the neck tight on waking"


def sign_in(page: Page, username: str) -> None:
    expect(page.get_by_role("heading", name=re.compile("sign in"))).to_be_visible()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_idle_warning_stay_signed_in_then_sign_out_keeps_the_draft(live_server, page: Page, settings):
    therapist = UserFactory(role=THERAPIST, username="idle-thera")
    note = SessionNoteFactory(therapist=therapist, update_since_last="")
    note_url = live_server.url + reverse("visits:note_edit", args=[note.client_id, note.pk])
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    settings.IDLE_TIMEOUT_MINUTES = 0.25  # 15 seconds; the warning comes 7 seconds before
    page.goto(note_url)
    sign_in(page, "idle-thera")
    expect(page.get_by_role("heading", name="Session note (draft)")).to_be_visible()

    # The warning: an alert dialog with the keyboard focus on "Stay signed in".
    dialog = page.get_by_role("alertdialog", name="Are you still there?")
    expect(dialog).to_be_visible(timeout=15000)
    stay = dialog.get_by_role("button", name="Stay signed in")
    expect(stay).to_be_focused()
    stay.click()
    expect(dialog).to_be_hidden()

    # Typing, then nothing more: the second warning runs out.
    page.get_by_label("Client's update since the last visit").fill(TYPED)
    page.wait_for_url(re.compile(r"/accounts/login/\?next="), timeout=30000)
    expect(page.get_by_text("You were signed out after")).to_be_visible()
    assert FormStash.objects.filter(user=therapist).count() == 1

    # Signing in again returns to the note, with what was typed.
    settings.IDLE_TIMEOUT_MINUTES = 30
    sign_in(page, "idle-thera")
    expect(page.get_by_role("heading", name="Session note (draft)")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Restored what you were typing")).to_be_visible()
    expect(page.get_by_label("Client's update since the last visit")).to_have_value(TYPED)
    page.wait_for_timeout(500)  # the restored copy is deleted right after
    assert not FormStash.objects.filter(user=therapist).exists()
    assert not errors, errors
