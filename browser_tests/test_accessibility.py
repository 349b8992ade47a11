"""Accessibility in a real browser: axe-core (WCAG 2 A and AA rules) on the main pages, and the
keyboard alone through an intake step's body-map list and the client search results.

Zero violations of impact "serious" or "critical" are allowed; a failure lists every one (rule,
impact, help text and the elements), page by page.
"""

import re
from datetime import date, time, timedelta

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from accounts.roles import FRONT_DESK, THERAPIST
from browser_tests.helpers import DESK_CONTEXT, Axe, sign_in, watch
from clients.tests.factories import ClientFactory
from clinic.tests.factories import UserFactory
from intake.models import ConsentText, IntakeLink
from intake.tests.factories import IntakeFactory
from scheduling.tests.factories import AppointmentFactory, WorkingHoursFactory, at
from sessions.tests.factories import AssessmentFactory, SessionNoteFactory, TreatmentPlanFactory, signed_note
from timekeeping.timeutil import today

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

INTAKE_STEPS = [
    ("contact", "Contact"),
    ("reason", "Reason and body map"),
    ("health", "Health history"),
    ("lifestyle", "Lifestyle and preferences"),
    ("consent", "Consent and signature"),
]


def consent_text() -> ConsentText:
    """The clinic's consent wording (migration 0002's does not survive a transactional flush)."""
    latest = ConsentText.objects.current()
    return ConsentText.objects.create(version=(latest.version if latest else 0) + 1, text="I consent to treatment.")


@pytest.fixture
def clinic_with_history():
    """A therapist's client with an accepted intake (with a caution), a plan, an assessment, two
    signed notes and a draft, and a visit today; a front-desk colleague."""
    therapist = UserFactory(role=THERAPIST, username="a11y-thera", first_name="Mara", last_name="Lindqvist")
    UserFactory(role=FRONT_DESK, username="a11y-desk")
    WorkingHoursFactory(therapist=therapist, weekday=today().weekday(), starts=time(9), ends=time(17))
    client = ClientFactory(first_name="Ottoline", last_name="Barnaby-Quist", date_of_birth=date(1975, 5, 17))
    IntakeFactory(
        client=client,
        consent=consent_text(),
        areas=[("neck_back", "both", 6), ("shoulder", "right", 4)],
        cautions=["blood_thinners"],
        caution_details={"blood_thinners": "Warfarin"},
    )
    TreatmentPlanFactory(client=client, therapist=therapist)
    AssessmentFactory(client=client, therapist=therapist, rom=[("cervical_rotation", "left", "limited", 60)])
    for weeks_ago, (before, after) in ((3, (7, 4)), (1, (5, 2))):
        signed_note(
            client=client,
            therapist=therapist,
            visit_date=today() - timedelta(weeks=weeks_ago),
            pain_before=before,
            pain_after=after,
            areas=[("neck_back", "both", before), ("shoulder", "right", after)],
        )
    draft = SessionNoteFactory(client=client, therapist=therapist, areas=[("lower_back", "left", 3)])
    AppointmentFactory(client=client, therapist=therapist, starts_at=at(today(), "10:00"))
    return client, draft


@pytest.mark.browser_context_args(**DESK_CONTEXT)
def test_staff_pages_have_no_serious_accessibility_violations(live_server, page: Page, clinic_with_history):
    client, draft = clinic_with_history
    axe = Axe()
    errors = watch(page)

    page.goto(live_server.url + reverse("login"))
    axe.check(page, "sign-in")
    page.get_by_role("button", name="Sign in").click()  # empty: the errors shown on the form
    expect(page.get_by_text("This field is required.").first).to_be_visible()
    axe.check(page, "sign-in with errors")

    sign_in(page, live_server.url, "a11y-thera")
    page.goto(live_server.url + reverse("clients:list"))
    page.get_by_label("Find a client").fill("barnby quist")
    expect(page.locator("#client-results")).to_contain_text("Barnaby-Quist")
    axe.check(page, "client list with a live search result")
    page.get_by_label("Find a client").fill("zzzqqx")
    expect(page.locator("#client-results")).to_contain_text("No client matches")
    axe.check(page, "client list without a match")

    page.goto(live_server.url + client.get_absolute_url())
    expect(page.get_by_role("heading", name="Ottoline Barnaby-Quist", level=1)).to_be_visible()
    page.get_by_label("Find a client by name, phone or email").fill("barnaby")  # the navbar's search
    expect(page.locator("#global-search-results")).to_contain_text("Barnaby-Quist")
    axe.check(page, "client profile (therapist) with the navbar search open")

    page.goto(live_server.url + reverse("visits:note_edit", args=[client.pk, draft.pk]))
    expect(page.get_by_role("heading", name="Session note (draft)")).to_be_visible()
    axe.check(page, "session note form")

    page.goto(live_server.url + reverse("visits:chart", args=[client.pk]))
    expect(page.get_by_role("heading", name="Timeline")).to_be_visible()
    axe.check(page, "chart")

    page.goto(live_server.url + reverse("visits:progress", args=[client.pk]))
    expect(page.get_by_role("heading", name="Pain before and after each visit")).to_be_visible()
    axe.check(page, "progress")

    page.goto(live_server.url + reverse("scheduling:day"))
    expect(page.get_by_role("table", name=re.compile("Visits of the day"))).to_contain_text("Barnaby-Quist")
    axe.check(page, "day calendar")

    axe.assert_clean()
    assert not errors, errors


def test_intake_steps_have_no_serious_accessibility_violations_on_a_phone(live_server, page: Page):
    client = ClientFactory(last_name="Quist", date_of_birth=date(1975, 5, 17))
    consent_text()
    _, token = IntakeLink.issue(client=client, purpose=IntakeLink.Purpose.LINK)
    axe = Axe()
    errors = watch(page)

    page.goto(live_server.url + reverse("intake:open", args=[token]))
    expect(page.get_by_role("heading", name="Your intake form")).to_be_visible()
    axe.check(page, "intake: identity")
    page.get_by_label("Your last name").fill("Quist")
    page.get_by_label("Date of birth").fill("1975-05-17")
    page.get_by_role("button", name="Continue").click()
    for number, (slug, title) in enumerate(INTAKE_STEPS, start=1):
        if number > 1:
            page.goto(live_server.url + reverse("intake:step", args=[token, slug]))
        expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible()
        expect(page.get_by_text(f"Step {number} of 5")).to_be_visible()
        axe.check(page, f"intake step {number}: {title}")
    page.get_by_role("button", name="Sign and submit").click()
    expect(page.get_by_role("alert").filter(has_text="Some answers need attention")).to_be_visible()
    axe.check(page, "intake step 5 with errors")

    axe.assert_clean()
    assert not errors, errors


def focused(page: Page) -> dict:
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            return {tag: el.tagName.toLowerCase(), region: el.dataset.bodyRegion || "", id: el.id,
                    text: (el.innerText || "").trim(), type: el.type || "", name: el.name || ""};
        }"""
    )


def tab_until(page: Page, wanted, *, key: str = "Tab", limit: int = 200) -> dict:
    """Press Tab (or another key) until the focused element is the one wanted; fail if it never is."""
    for _ in range(limit):
        page.keyboard.press(key)
        element = focused(page)
        if wanted(element):
            return element
    raise AssertionError(f"{limit} presses of {key} never reached the element; last focus: {focused(page)}")


def test_keyboard_alone_fills_an_intake_step_and_opens_a_search_result(
    live_server, page: Page, new_desk_context, clinic_with_history
):
    client, _ = clinic_with_history
    link, token = IntakeLink.issue(client=client, purpose=IntakeLink.Purpose.LINK)
    errors = watch(page)

    # The client, on a phone, with a keyboard only: identity, then step 2.
    page.goto(live_server.url + reverse("intake:open", args=[token]))
    tab_until(page, lambda el: el.get("name") == "last_name")
    page.keyboard.type("Barnaby-Quist")
    page.keyboard.press("Tab")
    page.keyboard.type("05171975")  # the date field's month, day, year
    page.keyboard.press("Enter")
    expect(page.get_by_text("Step 1 of 5")).to_be_visible()
    page.goto(live_server.url + reverse("intake:step", args=[token, "reason"]))
    expect(page.get_by_role("heading", name="Reason and body map", exact=True)).to_be_visible()

    tab_until(page, lambda el: el["name"] == "main_complaint")
    page.keyboard.type("Stiff neck when I turn to the left")
    # Into the body-map list: the figure is hidden from the keyboard (and screen readers), the list is the way.
    side = tab_until(page, lambda el: el["region"] == "neck_back")
    page.keyboard.press("ArrowDown")  # "Left"
    page.keyboard.press("ArrowDown")  # "Right"
    page.keyboard.press("ArrowDown")  # "Both sides"
    expect(page.locator(f"#{side['id']}")).to_have_value("both")
    expect(page.locator('[data-body-map="intake-map"] [data-region="neck_back"].is-selected')).to_have_count(2)
    page.keyboard.press("Tab")
    pain = page.get_by_label(re.compile(r"^Neck, back: pain"))
    expect(pain).to_be_focused()
    for _ in range(6):
        page.keyboard.press("ArrowDown")  # "Pain?", 0, 1, ... 5
    expect(pain).to_have_value("5")
    # A step back and forth with Shift+Tab: the side is still chosen.
    page.keyboard.press("Shift+Tab")
    expect(page.locator(f"#{side['id']}")).to_be_focused()
    page.keyboard.press("Tab")
    # How long: the first radio of the group, checked with Space.
    tab_until(page, lambda el: el["name"] == "duration")
    page.keyboard.press("Space")
    expect(page.locator("input[name=duration]:checked")).to_have_count(1)
    tab_until(page, lambda el: el["text"] == "Save and continue")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Health history", exact=True)).to_be_visible()
    link.refresh_from_db()
    assert link.draft["reason"]["area_neck_back_side"] == ["both"]
    assert link.draft["reason"]["area_neck_back_pain"] == ["5"]
    assert "reason" in link.draft["_done"]
    assert not errors, errors

    # The front desk at a PC: type a name, Tab into the results, Enter opens the profile.
    desk = new_desk_context().new_page()
    errors = watch(desk)
    sign_in(desk, live_server.url, "a11y-desk")
    desk.goto(live_server.url + reverse("clients:list"))
    expect(desk.get_by_label("Find a client")).to_be_focused()  # the search box has the focus on arrival
    desk.keyboard.type("barnaby")
    expect(desk.locator("#client-results")).to_contain_text("1 match")
    tab_until(desk, lambda el: el["tag"] == "a" and "Barnaby-Quist" in el["text"])
    desk.keyboard.press("Enter")
    expect(desk.get_by_role("heading", name="Ottoline Barnaby-Quist", level=1)).to_be_visible()
    assert desk.url == live_server.url + client.get_absolute_url()
    assert not errors, errors
