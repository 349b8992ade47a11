"""The staff's journeys through the app in a real browser, each step asserting what the person sees.

Front desk and therapists work at a tablet or PC (1024x768); everyone signs in through the real
sign-in page, the manager with a code from an authenticator app. The client's own journey, the
intake on a phone, is browser_tests/test_intake_phone.py.
"""

import re
from datetime import date, time, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from accounts.roles import FRONT_DESK, MANAGER, THERAPIST
from audit.models import AccessLog
from browser_tests.helpers import DESK_CONTEXT, sign_in, watch
from clients.models import Client
from clients.tests.factories import ClientFactory
from clinic.tests.factories import UserFactory
from intake.models import ConsentText, Intake, IntakeLink
from intake.tests.factories import IntakeFactory
from scheduling.models import Appointment
from scheduling.tests.factories import ServiceFactory, WorkingHoursFactory, next_weekday
from sessions.models import SessionNote
from sessions.tests.factories import signed_note
from timekeeping.timeutil import today

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.browser_context_args(**DESK_CONTEXT),
]


def see_message(page: Page, text: str) -> None:
    expect(page.get_by_role("status").filter(has_text=text)).to_be_visible()


def test_front_desk_finds_a_client_by_a_misspelled_name_and_is_warned_of_a_duplicate(live_server, page: Page):
    UserFactory(role=FRONT_DESK, username="j1-desk", first_name="Dana", last_name="Front")
    johanna = ClientFactory(
        first_name="Johanna", last_name="Kowalczyk", date_of_birth=date(1982, 4, 3), phone="514-555-0142"
    )
    ClientFactory(first_name="Grace", last_name="Okafor")
    errors = watch(page)

    # Signing in lands the front desk on the client list, its search box ready.
    sign_in(page, live_server.url, "j1-desk")
    expect(page.get_by_role("heading", name="Clients", level=1)).to_be_visible()
    search = page.get_by_label("Find a client")
    expect(search).to_be_focused()

    # A misspelled name, typed key by key: the results follow the typing.
    search.press_sequentially("johana kowalczik", delay=20)
    results = page.locator("#client-results")
    expect(results).to_contain_text("1 match for “johana kowalczik”")
    expect(results.get_by_role("link", name="Johanna Kowalczyk")).to_be_visible()
    expect(results).not_to_contain_text("Okafor")
    assert "q=johana" in page.url  # the search is in the address, for Back and bookmarks

    results.get_by_role("link", name="Johanna Kowalczyk").click()
    expect(page.get_by_role("heading", name="Johanna Kowalczyk", level=1)).to_be_visible()
    expect(page.get_by_role("region", name="Contact", exact=True)).to_contain_text("514-555-0142")
    # Nothing clinical for the front desk.
    expect(page.get_by_role("link", name="Chart")).to_have_count(0)

    # A new client who looks like her: same birthday, one letter off, another phone.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="New client").click()
    expect(page.get_by_role("heading", name="New client", level=1)).to_be_visible()
    page.get_by_label("First name").fill("Joanna")
    page.get_by_label("Last name").fill("Kowalczyk")
    page.get_by_label("Date of birth").fill("1982-04-03")
    page.get_by_label("Phone").first.fill("438-555-0190")
    page.get_by_role("button", name="Create client").click()

    warning = page.get_by_role("alert").filter(has_text="This may be someone already on file")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("Nothing has been saved yet")
    expect(warning.get_by_role("link", name=re.compile("Johanna Kowalczyk"))).to_be_visible()
    expect(page.get_by_label("First name")).to_have_value("Joanna")  # what was typed is kept
    assert Client.objects.count() == 2

    # It is the same person: open the existing record instead.
    warning.get_by_role("link", name=re.compile("Johanna Kowalczyk")).click()
    expect(page.get_by_role("heading", name="Johanna Kowalczyk", level=1)).to_be_visible()
    assert page.url == live_server.url + johanna.get_absolute_url()
    assert Client.objects.count() == 2
    assert not errors, errors


def test_front_desk_books_a_visit_is_refused_a_double_booking_and_sends_an_intake_link(live_server, page: Page):
    UserFactory(role=FRONT_DESK, username="j2-desk", first_name="Dana", last_name="Front")
    therapist = UserFactory(role=THERAPIST, username="j2-thera", first_name="Mara", last_name="Lindqvist")
    day = next_weekday(0)  # next Monday
    WorkingHoursFactory(therapist=therapist, weekday=day.weekday(), starts=time(9), ends=time(17))
    ServiceFactory(name="Therapeutic massage", duration_minutes=60)
    priya = ClientFactory(
        first_name="Priya", last_name="Raman", date_of_birth=date(1990, 8, 21), email="priya.raman@example.com"
    )
    errors = watch(page)

    sign_in(page, live_server.url, "j2-desk")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Schedule").click()
    expect(page.get_by_role("heading", name=re.compile(today().strftime("%B %-d, %Y")))).to_be_visible()
    page.get_by_label("Go to date").fill(day.isoformat())
    page.get_by_role("button", name="Go").click()
    expect(page.get_by_role("heading", name=re.compile(day.strftime("%A, %B %-d, %Y")))).to_be_visible()

    # A free slot in Mara's column opens the booking form for that time.
    calendar = page.get_by_role("table", name=re.compile("Visits of the day"))
    calendar.get_by_role("link", name="Book Mara Lindqvist at 10:00").click()
    expect(page.get_by_role("heading", name="Book a visit")).to_be_visible()
    page.get_by_label("Find the client").fill("priya ramen")
    page.locator("#book-client-results").get_by_role("link", name=re.compile("Priya Raman")).click()
    expect(page.get_by_text("Priya Raman", exact=True)).to_be_visible()
    expect(page.get_by_role("combobox", name="Therapist")).to_have_value(str(therapist.pk))
    expect(page.get_by_label("Start time")).to_have_value("10:00")
    page.get_by_label("Service").select_option(label="Therapeutic massage (60 min)")
    page.get_by_role("button", name="Book").click()

    see_message(page, f"Booked Priya Raman with Mara Lindqvist on {day:%a %b %-d} at 10:00.")
    expect(page.get_by_role("heading", name=re.compile(day.strftime("%A, %B %-d, %Y")))).to_be_visible()
    visit = calendar.get_by_role("link", name=re.compile("Priya Raman"))
    expect(visit).to_contain_text("10:00–11:00")

    # Half an hour earlier with the same therapist overlaps: refused, the choices kept.
    calendar.get_by_role("link", name="Book Mara Lindqvist at 09:30").click()
    page.get_by_label("Find the client").fill("raman")
    page.locator("#book-client-results").get_by_role("link", name=re.compile("Priya Raman")).click()
    page.get_by_label("Service").select_option(label="Therapeutic massage (60 min)")
    page.get_by_role("button", name="Book").click()
    expect(page.get_by_role("alert").filter(has_text="That time is taken")).to_be_visible()
    expect(page.get_by_text("Mara Lindqvist already has Priya Raman from 10:00 to 11:00 that day")).to_be_visible()
    expect(page.get_by_label("Start time")).to_have_value("09:30")
    assert Appointment.objects.count() == 1

    # The intake link, from the client's profile (the navbar search finds her).
    page.get_by_label("Find a client by name, phone or email").fill("priya")
    page.locator("#global-search-results").get_by_role("link", name=re.compile("Priya Raman")).click()
    expect(page.get_by_role("heading", name="Priya Raman", level=1)).to_be_visible()
    upcoming = page.get_by_role("region", name="Upcoming visits")
    expect(upcoming).to_contain_text(f"{day:%a %b %-d, %Y} 10:00")
    intake = page.get_by_role("region", name="Intake and health history")
    expect(intake).to_contain_text("No intake on file yet.")
    expect(intake.get_by_label("Email it to priya.raman@example.com")).to_be_checked()
    intake.get_by_role("button", name="Create intake link").click()

    see_message(page, "Intake link created and emailed to priya.raman@example.com.")
    # An emailed link reaches the client only: the page does not show it to staff.
    expect(page.get_by_label("New intake link (shown only now)")).to_have_count(0)
    intake = page.get_by_role("region", name="Intake and health history")
    expect(intake.get_by_role("table")).to_contain_text("priya.raman@example.com")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["priya.raman@example.com"]
    assert re.search(re.escape(live_server.url + "/intake/f/") + r"[\w-]+/", mail.outbox[0].body)
    assert IntakeLink.objects.get(client=priya).emailed_to == "priya.raman@example.com"

    # A link to hand over another way (a text message): shown once, to copy.
    intake.get_by_label("Email it to priya.raman@example.com").uncheck()
    intake.get_by_role("button", name="Create intake link").click()
    see_message(page, "Intake link created. Copy it below; it is shown only now.")
    link_box = page.get_by_label("New intake link (shown only now)")
    expect(link_box).to_have_value(re.compile(re.escape(live_server.url + "/intake/f/") + r"[\w-]+/$"))
    expect(link_box).to_have_attribute("readonly", "")
    expect(page.get_by_role("button", name="Copy")).to_be_visible()
    assert len(mail.outbox) == 1

    # The link is shown once: a reload no longer shows it.
    page.reload()
    expect(page.get_by_label("New intake link (shown only now)")).to_have_count(0)
    assert not errors, errors


def consent() -> ConsentText:
    latest = ConsentText.objects.current()
    return ConsentText.objects.create(version=(latest.version if latest else 0) + 1, text="I consent to treatment.")


def test_therapist_accepts_an_intake_writes_signs_and_amends_a_note_and_sees_progress(live_server, page: Page):
    therapist = UserFactory(role=THERAPIST, username="j4-thera", first_name="Mara", last_name="Lindqvist")
    client = ClientFactory(first_name="Ines", last_name="Carvalho", date_of_birth=date(1979, 11, 2))
    IntakeFactory(
        client=client,
        awaiting=True,
        consent=consent(),
        main_complaint="Stiff neck and a sore right shoulder after long days at the desk",
        areas=[("neck_back", "both", 6), ("shoulder", "right", 5)],
        cautions=["blood_thinners"],
        caution_details={"blood_thinners": "Warfarin, 5 mg daily"},
    )
    # A first visit two weeks ago, so the progress chart has a line to draw.
    signed_note(
        client=client, therapist=therapist, visit_date=today() - timedelta(weeks=2), pain_before=7, pain_after=4
    )
    errors = watch(page)

    # The review queue, then the intake: its cautions first.
    sign_in(page, live_server.url, "j4-thera")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Intakes").click()
    expect(page.get_by_role("heading", name="Intakes awaiting review")).to_be_visible()
    page.get_by_role("link", name=re.compile("Ines Carvalho")).click()
    expect(page.get_by_role("heading", name=re.compile(r"^Intake of .* Awaiting review"))).to_be_visible()
    expect(page.get_by_text(re.compile("blood thinners", re.I)).first).to_be_visible()
    expect(page.get_by_text("Neck, back, both sides: pain 6/10", exact=True)).to_be_visible()
    page.get_by_role("button", name="Accept intake").click()
    see_message(page, "Accepted into the client's health history.")
    expect(page.get_by_role("heading", name="Ines Carvalho", level=1)).to_be_visible()

    # The chart: the accepted intake is the current one.
    page.get_by_role("link", name="Chart", exact=True).click()
    story = page.get_by_role("region", name="Current intake")
    expect(story).to_contain_text("Stiff neck and a sore right shoulder")
    page.get_by_role("button", name="New session note").click()
    expect(page.get_by_role("heading", name="Session note (draft)")).to_be_visible()

    # The note, with areas from the body map (a tap on the figure) and from the list.
    page.get_by_label("Client's update since the last visit").fill("Neck better since last time; shoulder still sore")
    page.get_by_label("Pain before (0–10)").select_option("5")
    page.get_by_label("Pain after (0–10)").select_option("2")
    page.get_by_label("Duration (minutes)").fill("60")
    neck_left = page.locator('[data-body-map="note-map"] [data-region="neck_back"][data-side="left"]').first
    neck_left.scroll_into_view_if_needed()
    neck_left.click()
    expect(page.get_by_label("Neck, back: worked")).to_have_value("left")
    expect(neck_left).to_have_class(re.compile(r"\bis-selected\b"))
    page.get_by_label("Neck, back: pain").select_option("4")
    page.get_by_label("Shoulder (trapezius): worked").select_option("right")
    page.get_by_label("Shoulder (trapezius): pain").select_option("3")
    page.get_by_label("Shoulder (trapezius): pressure").select_option("firm")
    page.get_by_label("Tissue response and observations").fill("Right upper trapezius ropy, eased after ten minutes")
    page.get_by_role("button", name="Save and review for signing").click()

    # Review, then sign: locked.
    expect(page.get_by_role("heading", name=re.compile(r"^Session note\s+Draft"))).to_be_visible()
    page.get_by_role("button", name="Sign note").click()
    see_message(page, "Note signed. It is now locked")
    expect(page.get_by_role("heading", name=re.compile(r"^Session note\s+Signed and locked"))).to_be_visible()
    expect(page.get_by_text("The content matches its signature")).to_be_visible()
    expect(page.get_by_text("Right upper trapezius ropy, eased after ten minutes")).to_be_visible()
    expect(page.get_by_role("link", name="Edit draft")).to_have_count(0)
    note = SessionNote.objects.get(client=client, signed_at__isnull=False, pain_before=5)
    areas = {(a.region, a.side, a.pain) for a in note.areas.all()}
    assert areas == {("neck_back", "left", 4), ("shoulder", "right", 3)}

    # The edit page of a signed note only says so.
    page.goto(live_server.url + reverse("visits:note_edit", args=[client.pk, note.pk]))
    see_message(page, "This note is signed and locked. Add an addendum")
    expect(page.get_by_label("Client's update since the last visit")).to_have_count(0)
    assert page.url == live_server.url + reverse("visits:note_detail", args=[client.pk, note.pk])

    # A correction is an addendum.
    page.get_by_label("Reason").fill("Correction")
    page.get_by_label("Text").fill("Neck: both sides were worked, not only the left.")
    page.get_by_role("button", name="Add addendum").click()
    see_message(page, "Addendum added.")
    addenda = page.get_by_role("region", name="Addenda")
    expect(addenda).to_contain_text("Mara Lindqvist · Correction")
    expect(addenda).to_contain_text("Neck: both sides were worked, not only the left.")
    note.refresh_from_db()
    assert note.hash_matches()

    # Progress: two visits on the pain chart, and the table of the same numbers.
    page.get_by_role("link", name="Progress", exact=True).click()
    expect(page.get_by_role("heading", name="Progress")).to_be_visible()
    pain = page.get_by_role("region", name="Pain before and after each visit")
    expect(pain.get_by_role("img", name=re.compile("Pain"))).to_be_visible()
    pain.get_by_text("Table of the same numbers").click()
    rows = pain.get_by_role("table").locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.last).to_contain_text("5")
    expect(page.get_by_role("region", name="How often each region was worked")).to_contain_text("Neck, back")
    assert Intake.objects.get(client=client).status == Intake.Status.ACCEPTED
    assert not errors, errors


def test_front_desk_is_refused_a_session_note_and_the_manager_reads_the_access_history(live_server, new_context):
    UserFactory(role=FRONT_DESK, username="j5-desk", first_name="Dana", last_name="Front")
    therapist = UserFactory(role=THERAPIST, username="j5-thera", first_name="Mara", last_name="Lindqvist")
    manager = UserFactory(role=MANAGER, username="j5-boss", first_name="Olu", last_name="Adeyemi", is_staff=True)
    # The manager's authenticator app, set up earlier with a key the test knows.
    device = TOTPDevice.objects.create(user=manager, name="Authenticator app", confirmed=True)
    client = ClientFactory(first_name="Ines", last_name="Carvalho", date_of_birth=date(1979, 11, 2))
    note = signed_note(client=client, therapist=therapist)
    note_url = live_server.url + reverse("visits:note_detail", args=[client.pk, note.pk])

    # The therapist reads the note.
    therapist_page = new_context().new_page()
    errors = watch(therapist_page)
    sign_in(therapist_page, live_server.url, "j5-thera")
    therapist_page.goto(note_url)
    expect(therapist_page.get_by_role("heading", name=re.compile(r"^Session note\s+Signed and locked"))).to_be_visible()
    assert not errors, errors

    # The front desk tries the same address: refused, nothing of the note shown.
    desk_page = new_context().new_page()
    errors = watch(desk_page)
    sign_in(desk_page, live_server.url, "j5-desk")
    response = desk_page.goto(note_url)
    assert response is not None and response.status == 403
    expect(desk_page.get_by_role("heading", name="Not allowed")).to_be_visible()
    expect(desk_page.get_by_text(note.tissue_response)).to_have_count(0)
    errors.clear()  # the browser logs the 403 itself as a failed resource

    # The manager: password, then the code from the app; then the client's access history.
    manager_page = new_context().new_page()
    errors = watch(manager_page)
    sign_in(manager_page, live_server.url, "j5-boss", otp_key=device.key)
    manager_page.get_by_label("Find a client").fill("carvalho")
    manager_page.locator("#client-results").get_by_role("link", name="Ines Carvalho").click()
    manager_page.get_by_role("link", name="Access history").click()
    expect(manager_page.get_by_role("heading", name="Access history: Ines Carvalho")).to_be_visible()
    reads = manager_page.locator("table.audit-reads tbody tr")
    refused = reads.filter(has_text="Dana Front").filter(has_text="Refused")
    expect(refused).to_have_count(1)
    expect(refused).to_contain_text("Session note")
    therapist_reads = reads.filter(has_text="Mara Lindqvist").filter(has_text="Session note")
    expect(therapist_reads.filter(has_text="Allowed")).to_have_count(1)
    # Only refused attempts, with the filter.
    manager_page.get_by_label("Refused attempts only").check()
    manager_page.get_by_role("button", name="Filter").click()
    expect(reads).to_have_count(1)
    expect(reads.first).to_contain_text("Dana Front")
    assert AccessLog.objects.filter(client_id=client.pk, allowed=False, user__username="j5-desk").count() == 1
    assert not errors, errors
