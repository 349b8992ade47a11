"""The main pages, as each role, under the Content-Security-Policy: no violation, no script error.

Chromium reports a blocked inline script, inline style or eval as a console error ("Refused to
..."); any console error or uncaught exception fails the test. Bootstrap's collapse and dropdown
and htmx's live search are used on the way, since they are what a policy would break.
"""

from datetime import date

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from accounts.roles import FRONT_DESK, MANAGER, THERAPIST
from clients.tests.factories import ClientFactory
from clinic.tests.factories import PASSWORD, UserFactory
from intake.models import IntakeLink
from scheduling.tests.factories import AppointmentFactory, at
from sessions.tests.factories import SessionNoteFactory, signed_note

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def watch(page: Page) -> list[str]:
    """Console errors (CSP violations included) and uncaught exceptions on this page."""
    errors: list[str] = []

    def console(message) -> None:
        if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
            errors.append(f"console: {message.text} ({message.location.get('url')})")

    page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
    page.on("console", console)
    return errors


def visit(page: Page, url: str, errors: list[str]) -> None:
    response = page.goto(url)
    assert response is not None and response.ok, f"{url}: {response.status if response else 'no response'}"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    page.wait_for_load_state("networkidle")
    assert not errors, f"{page.url}: {errors}"


def sign_in(page: Page, live_server, username: str) -> None:
    page.goto(live_server.url + reverse("login"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")


def open_menu(page: Page) -> None:
    """The phone's collapsed navigation (Bootstrap collapse), then the account menu (dropdown)."""
    page.get_by_role("button", name="Show navigation").click()
    expect(page.locator("#main-nav")).to_be_visible()
    account = page.locator("#main-nav .dropdown-toggle").last
    account.click()
    expect(account).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("link", name="Change password")).to_be_visible()


@pytest.fixture
def clinic_day():
    """A client with a signed note, a draft note and an appointment today, and the staff who see them."""
    therapist = UserFactory(role=THERAPIST, username="csp-therapist")
    UserFactory(role=FRONT_DESK, username="csp-desk")
    client_record = ClientFactory(first_name="Ottoline", last_name="Barnaby-Quist", date_of_birth=date(1975, 5, 17))
    signed = signed_note(client=client_record, therapist=therapist)
    draft = SessionNoteFactory(client=client_record, therapist=therapist)
    AppointmentFactory(client=client_record, therapist=therapist, starts_at=at(date.today(), "10:00"))
    return client_record, signed, draft


def test_front_desk_pages_keep_to_the_policy(live_server, page: Page, clinic_day):
    client_record, _, _ = clinic_day
    errors = watch(page)
    visit(page, live_server.url + reverse("login"), errors)
    sign_in(page, live_server, "csp-desk")

    visit(page, live_server.url + reverse("clients:list"), errors)
    page.locator("#client-search-q").fill("barnaby")  # htmx live search
    expect(page.locator("#client-results")).to_contain_text("Barnaby-Quist")
    open_menu(page)
    visit(page, live_server.url + client_record.get_absolute_url(), errors)
    visit(page, live_server.url + reverse("clients:new"), errors)
    visit(page, live_server.url + reverse("scheduling:day"), errors)
    expect(page.get_by_text("Barnaby-Quist").first).to_be_visible()
    assert not errors, errors


def test_therapist_pages_keep_to_the_policy(live_server, page: Page, clinic_day):
    client_record, signed, draft = clinic_day
    errors = watch(page)
    sign_in(page, live_server, "csp-therapist")

    visit(page, live_server.url + reverse("visits:chart", args=[client_record.pk]), errors)
    visit(page, live_server.url + reverse("visits:progress", args=[client_record.pk]), errors)
    visit(page, live_server.url + reverse("visits:note_detail", args=[client_record.pk, signed.pk]), errors)
    visit(page, live_server.url + reverse("visits:note_edit", args=[client_record.pk, draft.pk]), errors)
    # The note form's body map and area list (static/js/body_map.js, note_form.js).
    page.locator('select[data-body-region="shoulder"]').first.select_option("left")
    visit(page, live_server.url + reverse("scheduling:dashboard"), errors)
    open_menu(page)
    assert not errors, errors


def test_manager_sign_in_keeps_to_the_policy(live_server, page: Page):
    UserFactory(role=MANAGER, username="csp-manager", is_staff=True)
    errors = watch(page)
    sign_in(page, live_server, "csp-manager")  # lands on two-factor setup or the app

    page.reload()
    page.wait_for_load_state("networkidle")
    assert not errors, f"{page.url}: {errors}"


def test_client_intake_keeps_to_the_policy(live_server, page: Page):
    client_record = ClientFactory(last_name="Quist", date_of_birth=date(1975, 5, 17))
    _, token = IntakeLink.issue(client=client_record, purpose=IntakeLink.Purpose.LINK)
    errors = watch(page)

    visit(page, live_server.url + reverse("intake:open", args=[token]), errors)
    page.get_by_label("Your last name").fill("Quist")
    page.get_by_label("Date of birth").fill("1975-05-17")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("Step 1 of 5")).to_be_visible()
    visit(page, live_server.url + reverse("intake:step", args=[token, "reason"]), errors)
    page.locator('[data-body-map="intake-map"] [data-region="shoulder"][data-side="left"]').first.click()
    expect(page.locator('select[data-body-region="shoulder"]')).to_have_value("left")
    visit(page, live_server.url + reverse("intake:new"), errors)
    assert not errors, errors
