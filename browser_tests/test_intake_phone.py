"""A client completes the online intake form on a phone, in a real browser.

Debian's Chromium at 390x844 against live_server and PostgreSQL: identity check, all five
steps, the body map (figure and list), save-and-finish-later, a fresh browser session, the
consent step's errors and the submitted Intake.
"""

import re
from datetime import date

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from clients.tests.factories import ClientFactory
from intake.models import ConsentText, Intake, IntakeLink

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOULDER_LEFT = '[data-body-map="intake-map"] [data-region="shoulder"][data-side="left"]'
SHOULDER_LIST = 'select[data-body-region="shoulder"]'
LOWER_BACK_LIST = 'select[data-body-region="lower_back"]'
CAUTIONS_YES = {"Taking blood thinners": "Warfarin, 5 mg daily"}


def watch(page: Page) -> list[str]:
    """JavaScript errors on this page: uncaught exceptions and console errors (the browser's own
    /favicon.ico request, which the app does not serve, aside)."""
    errors: list[str] = []

    def console(message) -> None:
        if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
            errors.append(f"console: {message.text} ({message.location.get('url')})")

    page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
    page.on("console", console)
    return errors


def check_fits_phone(page: Page) -> None:
    """Nothing is wider than the phone, and every visible control has a label."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{page.url} scrolls sideways at 390px: {width}px wide"
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll("input, select, textarea")]
            .filter(el => el.type !== "hidden" && el.offsetParent !== null)
            .filter(el => !el.labels.length && !el.getAttribute("aria-label") && !el.getAttribute("aria-labelledby"))
            .map(el => el.name || el.id)"""
    )
    assert not unlabelled, f"{page.url}: controls without a label: {unlabelled}"


def confirm_identity(page: Page, last_name: str, dob: date) -> None:
    expect(page.get_by_role("heading", name="Your intake form")).to_be_visible()
    check_fits_phone(page)
    page.get_by_label("Your last name").fill(last_name)
    page.get_by_label("Date of birth").fill(dob.isoformat())
    page.get_by_role("button", name="Continue").click()


def expect_step(page: Page, number: int, title: str) -> None:
    expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible()
    expect(page.get_by_text(f"Step {number} of 5")).to_be_visible()
    check_fits_phone(page)


def press(page: Page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()


def test_client_completes_intake_on_a_phone(live_server, page: Page, new_context):
    client = ClientFactory(first_name="Zoë", last_name="Lefèvre", date_of_birth=date(1984, 3, 9))
    link, token = IntakeLink.issue(client=client, purpose=IntakeLink.Purpose.LINK)
    # The clinic's newest consent wording is the one signed. (Migration 0002's version 1 does not
    # survive another transactional test's flush, so the test publishes its own.)
    latest = ConsentText.objects.current()
    consent = ConsentText.objects.create(
        version=(latest.version if latest else 0) + 1, text="I consent to massage therapy (browser test wording)."
    )
    url = live_server.url + reverse("intake:open", args=[token])
    errors = watch(page)

    # The link asks who it is; a wrong last name is refused, nothing is shown.
    page.goto(url)
    confirm_identity(page, "Martin", client.date_of_birth)
    expect(page.get_by_role("alert")).to_contain_text("Those details do not match what the clinic has")
    expect(page.get_by_label("Emergency contact: name")).to_have_count(0)
    # Accents and case do not matter.
    confirm_identity(page, "LEFEVRE", client.date_of_birth)

    # Step 1: contact details, prefilled from the clinic's record.
    expect_step(page, 1, "Contact")
    expect(page.get_by_label("Mobile phone")).to_have_value(client.phone)
    page.get_by_label("Emergency contact: name").fill("Marc Lefèvre")
    page.get_by_label("Relationship").fill("Brother")
    page.get_by_label("Emergency contact: phone").fill("(514) 555-0199")
    press(page, "Save and continue")

    # Step 2: the complaint and the body map.
    expect_step(page, 2, "Reason and body map")
    page.get_by_label("What brings you in").fill("Stiff left shoulder after moving house")
    shoulder = page.locator(SHOULDER_LEFT).first
    shoulder.scroll_into_view_if_needed()
    shoulder.click()
    expect(page.locator(SHOULDER_LIST)).to_have_value("left")
    expect(shoulder).to_have_class(re.compile(r"\bis-selected\b"))
    # A finger tap on the other shoulder adds it, a second tap takes it away again.
    right_shoulder = page.locator(SHOULDER_LEFT.replace('"left"', '"right"')).first
    right_shoulder.tap()
    expect(page.locator(SHOULDER_LIST)).to_have_value("both")
    right_shoulder.tap()
    expect(page.locator(SHOULDER_LIST)).to_have_value("left")
    expect(right_shoulder).not_to_have_class(re.compile(r"\bis-selected\b"))
    page.get_by_label("Shoulder (trapezius): pain").select_option("6")
    # The list alone, from the keyboard: lower back, both sides, pain 4.
    lower_back = page.locator(LOWER_BACK_LIST)
    lower_back.focus()
    page.keyboard.press("b")  # "Both sides"
    expect(lower_back).to_have_value("both")
    expect(page.locator('[data-body-map="intake-map"] [data-region="lower_back"].is-selected')).to_have_count(2)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Lower back (lumbar): pain")).to_be_focused()
    page.keyboard.press("4")
    expect(page.get_by_label("Lower back (lumbar): pain")).to_have_value("4")
    page.get_by_label("1 to 4 weeks").check()
    press(page, "Save and continue")

    # Step 3: health history; every caution answered, one injury.
    expect_step(page, 3, "Health history")
    page.get_by_label("Kind (row 1)").select_option("injury")
    page.get_by_label("Year (row 1)").fill("2019")
    page.get_by_label("What happened (row 1)").fill("Fell off a bike, broke the left collarbone")
    questions = page.locator("fieldset.caution-row")
    expect(questions).to_have_count(12)
    for i in range(questions.count()):
        question = questions.nth(i)
        label = question.locator("legend").inner_text()
        if label in CAUTIONS_YES:
            question.get_by_label("Yes", exact=True).check()
            question.get_by_label(f"{label}: details").fill(CAUTIONS_YES[label])
        else:
            question.get_by_label("No", exact=True).check()
    press(page, "Save and continue")

    # Step 4: lifestyle, then stop for now.
    expect_step(page, 4, "Lifestyle and preferences")
    page.get_by_label("Occupation").fill("Nurse")
    page.get_by_label("Mostly standing").check()
    page.get_by_label("Light (walking, occasional exercise)").check()
    page.get_by_label("3 · fair").check()
    page.get_by_label("Your stress level lately").select_option("5")
    page.get_by_label("Goals for treatment").fill("Lift my arm above my head")
    press(page, "Save and finish later")
    expect(page.get_by_role("heading", name="Your answers are saved")).to_be_visible()
    check_fits_phone(page)
    assert not errors, errors

    # Later, in a fresh browser session: identity again, then the answers are still there.
    later = new_context().new_page()
    errors = watch(later)
    later.goto(url)
    confirm_identity(later, "Lefèvre", client.date_of_birth)
    expect_step(later, 5, "Consent and signature")
    press(later, "Back")
    expect_step(later, 4, "Lifestyle and preferences")
    expect(later.get_by_label("Goals for treatment")).to_have_value("Lift my arm above my head")
    press(later, "Back")
    expect_step(later, 3, "Health history")
    expect(later.get_by_label("Taking blood thinners: details")).to_have_value(CAUTIONS_YES["Taking blood thinners"])
    press(later, "Back")
    expect_step(later, 2, "Reason and body map")
    expect(later.locator(SHOULDER_LIST)).to_have_value("left")
    expect(later.locator(SHOULDER_LEFT).first).to_have_class(re.compile(r"\bis-selected\b"))
    expect(later.get_by_label("Shoulder (trapezius): pain")).to_have_value("6")
    expect(later.locator(LOWER_BACK_LIST)).to_have_value("both")
    for step in (3, 4):
        press(later, "Save and continue")
        expect(later.get_by_text(f"Step {step} of 5")).to_be_visible()
    press(later, "Save and continue")

    # Step 5: consent. Submitting without answers shows each error next to its field.
    expect_step(later, 5, "Consent and signature")
    expect(later.get_by_role("heading", name=f"Consent to treatment (version {consent.version})")).to_be_visible()
    expect(later.get_by_text(consent.text)).to_be_visible()
    press(later, "Sign and submit")
    expect(later.get_by_role("alert")).to_contain_text("Some answers need attention")
    expect_step(later, 5, "Consent and signature")
    # Each error is shown under its field and is that field's accessible description.
    agree = later.get_by_label("I have read and agree to the consent above")
    signature = later.get_by_label("Type your full name as your signature")
    expect(agree).not_to_be_checked()
    expect(agree).to_have_attribute("aria-invalid", "true")
    expect(agree).to_have_accessible_description(re.compile("Please tick to confirm you agree"))
    expect(signature).to_have_attribute("aria-invalid", "true")
    expect(signature).to_have_accessible_description("This field is required.")
    sensitive = later.get_by_role("group", name=re.compile(r"^May we work on the "))
    expect(sensitive).to_have_count(4)
    for i in range(4):
        expect(sensitive.nth(i)).to_have_accessible_description("Please answer yes or no.")

    for area, answer in (("gluteals", "No"), ("chest", "Yes"), ("inner thigh", "No"), ("abdomen", "Yes")):
        question = later.get_by_role("group", name=re.compile(f"^May we work on the {area}"))
        question.get_by_label(answer, exact=True).check()
    agree.check()
    signature.fill("Zoë Lefèvre")
    # The optional drawn signature: one stroke across the pad.
    pad = later.locator("[data-signature-pad] canvas")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    later.mouse.move(box["x"] + 20, box["y"] + 100)
    later.mouse.down()
    later.mouse.move(box["x"] + 150, box["y"] + 40, steps=8)
    later.mouse.move(box["x"] + 280, box["y"] + 110, steps=8)
    later.mouse.up()
    press(later, "Sign and submit")

    expect(later.get_by_role("heading", name="Thank you")).to_be_visible()
    check_fits_phone(later)
    assert not errors, errors

    intake = Intake.objects.get()
    assert intake.client == client
    assert intake.status == Intake.Status.AWAITING_REVIEW
    assert {(a.region, a.side, a.pain) for a in intake.areas.all()} == {
        ("shoulder", "left", 6),
        ("lower_back", "both", 4),
    }
    assert intake.duration == "weeks"
    assert intake.cautions == ["blood_thinners"]
    assert intake.caution_details == {"blood_thinners": CAUTIONS_YES["Taking blood thinners"]}
    assert [(e.kind, e.year) for e in intake.history_events.all()] == [("injury", 2019)]
    assert intake.contact["emergency_contact_name"] == "Marc Lefèvre"
    assert (intake.consent_gluteals, intake.consent_chest, intake.consent_inner_thigh, intake.consent_abdomen) == (
        False,
        True,
        False,
        True,
    )
    assert intake.signature_name == "Zoë Lefèvre"
    assert intake.signature_drawing.startswith("data:image/png;base64,")
    assert intake.consent == consent
    link.refresh_from_db()
    assert link.submitted_at and link.draft == {}
