"""Reminder emails (manage.py send_reminders): once per start time, never with health data."""

import re
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import get_script_prefix, set_script_prefix
from django.utils import timezone

from clients.tests.factories import ClientFactory
from intake.models import IntakeLink, hash_token
from intake.tests.factories import IntakeFactory
from scheduling import services as booking
from scheduling.models import Appointment
from scheduling.reminders import send_due_reminders
from scheduling.tests.factories import AppointmentFactory, ServiceFactory
from sessions.tests.factories import HOME_CARE_STRETCHES, TISSUE_RESPONSE, signed_note

pytestmark = pytest.mark.django_db

NOW = datetime(2031, 5, 5, 12, 0, tzinfo=UTC)  # a Monday, 08:00 in New York


@pytest.fixture(autouse=True)
def frozen_clock(settings, monkeypatch):
    settings.TIME_ZONE = "America/New_York"
    settings.REMINDER_HOURS_BEFORE = 24
    settings.CLINIC_NAME = "Harbourside Massage Therapy"
    settings.SITE_URL = "https://clinic.example"
    monkeypatch.setattr(timezone, "now", lambda: NOW)


@pytest.fixture
def service(db):
    return ServiceFactory(name="Swedish, 60 minutes")


def returning_client(**fields):
    """A client with an intake on file (so no intake link is added to the reminder)."""
    client_record = ClientFactory(**fields)
    IntakeFactory(client=client_record)
    return client_record


def visit(client_record, therapist, service, *, hours_from_now: float, **fields):
    return AppointmentFactory(
        client=client_record,
        therapist=therapist,
        service=service,
        starts_at=NOW + timedelta(hours=hours_from_now),
        **fields,
    )


def run_command() -> str:
    out = StringIO()
    call_command("send_reminders", stdout=out)
    return out.getvalue()


def test_visits_within_the_window_are_reminded_exactly_once(mailoutbox, therapist, service):
    soon = visit(returning_client(first_name="Soon", email="soon@example.com"), therapist, service, hours_from_now=3)
    edge = visit(returning_client(first_name="Edge", email="edge@example.com"), therapist, service, hours_from_now=24)
    visit(returning_client(email="later@example.com"), therapist, service, hours_from_now=25)
    visit(returning_client(email="past@example.com"), therapist, service, hours_from_now=-1)

    first = run_command()
    second = run_command()

    assert first.strip() == "2 reminder(s) sent."
    assert second.strip() == "0 reminder(s) sent."
    assert sorted(m.to[0] for m in mailoutbox) == ["edge@example.com", "soon@example.com"]
    for appointment in (soon, edge):
        appointment.refresh_from_db()
        assert appointment.reminder_sent_for == appointment.starts_at


def test_the_reminder_says_when_where_and_with_whom(mailoutbox, therapist, service):
    visit(returning_client(first_name="Henrietta", email="h@example.com"), therapist, service, hours_from_now=3)

    run_command()

    (message,) = mailoutbox
    assert message.subject == "Reminder: your visit on Mon May 5 at 11:00"  # 15:00 UTC in New York
    assert "Hello Henrietta," in message.body
    assert "Monday, May 5 at 11:00" in message.body
    assert str(therapist) in message.body
    assert "Swedish, 60 minutes" in message.body
    assert "Harbourside Massage Therapy" in message.body


def test_a_rescheduled_visit_gets_a_new_reminder(mailoutbox, therapist, service):
    appointment = visit(returning_client(email="moved@example.com"), therapist, service, hours_from_now=3)
    assert send_due_reminders() == 1

    booking.appointment_reschedule(appointment=appointment, starts_at=NOW + timedelta(hours=6))

    assert send_due_reminders() == 1
    assert send_due_reminders() == 0
    assert [m.subject for m in mailoutbox] == [
        "Reminder: your visit on Mon May 5 at 11:00",
        "Reminder: your visit on Mon May 5 at 14:00",
    ]
    appointment.refresh_from_db()
    assert appointment.reminder_sent_for == NOW + timedelta(hours=6)


@pytest.mark.parametrize("status", ["cancelled", "no_show", "checked_in", "completed"])
def test_visits_no_longer_booked_get_no_reminder(mailoutbox, therapist, service, status):
    visit(returning_client(email="x@example.com"), therapist, service, hours_from_now=3, status=status)

    assert run_command().strip() == "0 reminder(s) sent."
    assert mailoutbox == []


def test_an_archived_client_gets_no_reminder(mailoutbox, therapist, service):
    visit(returning_client(email="gone@example.com", status="archived"), therapist, service, hours_from_now=3)

    assert run_command().strip() == "0 reminder(s) sent."
    assert mailoutbox == []


def test_a_cancellation_after_the_reminder_sends_nothing_more(mailoutbox, therapist, service):
    appointment = visit(returning_client(email="c@example.com"), therapist, service, hours_from_now=3)
    send_due_reminders()
    booking.appointment_cancel(appointment=appointment, reason="Client ill")

    assert send_due_reminders() == 0
    assert len(mailoutbox) == 1


def test_clients_without_email_are_skipped(mailoutbox, therapist, service):
    appointment = visit(returning_client(email=""), therapist, service, hours_from_now=3)

    assert run_command().strip() == "0 reminder(s) sent."
    assert mailoutbox == []
    appointment.refresh_from_db()
    assert appointment.reminder_sent_for is None


def test_a_first_visit_without_an_intake_gets_an_intake_link(mailoutbox, therapist, service):
    newcomer = ClientFactory(first_name="Nadia", email="nadia@example.com")
    visit(newcomer, therapist, service, hours_from_now=5)

    run_command()

    (message,) = mailoutbox
    assert "Before your first visit, please fill in our intake form:" in message.body
    link = IntakeLink.objects.get(client=newcomer)
    assert link.purpose == IntakeLink.Purpose.LINK
    assert (link.emailed_to, link.emailed_at) == ("nadia@example.com", NOW)
    token = re.search(r"https://clinic\.example/\S+/f/(\S+)/", message.body).group(1)
    assert hash_token(token) == link.token_hash
    run_command()
    assert IntakeLink.objects.filter(client=newcomer).count() == 1


def test_clients_with_an_intake_or_a_completed_visit_get_no_intake_link(mailoutbox, therapist, service):
    with_intake = returning_client(email="intake@example.com")
    regular = ClientFactory(email="regular@example.com")
    AppointmentFactory(
        client=regular, therapist=therapist, service=service, starts_at=NOW - timedelta(days=30), status="completed"
    )
    visit(with_intake, therapist, service, hours_from_now=3)
    visit(regular, therapist, service, hours_from_now=5)

    run_command()

    assert len(mailoutbox) == 2
    assert all("intake form" not in m.body for m in mailoutbox)
    assert not IntakeLink.objects.exists()


def test_reminders_contain_no_health_data(mailoutbox, therapist, service):
    client_record = ClientFactory(first_name="Prudence", email="prudence@example.com")
    IntakeFactory(
        client=client_record,
        cautions=["blood_thinners"],
        caution_details={"blood_thinners": "Warfarin since March"},
        main_complaint="Sciatica down the left leg",
        medications="Warfarin",
    )
    note = signed_note(client=client_record, therapist=therapist, visit_date=NOW.date() - timedelta(days=14))
    AppointmentFactory(
        client=client_record,
        therapist=therapist,
        service=service,
        starts_at=NOW - timedelta(days=14),
        status=Appointment.Status.COMPLETED,
        note=note,
    )
    visit(client_record, therapist, service, hours_from_now=3)

    run_command()

    (message,) = mailoutbox
    text = f"{message.subject}\n{message.body}"
    assert "Prudence" in text
    for health in (
        "Sciatica",
        "Warfarin",
        "blood thinners",
        "Blood thinners",
        TISSUE_RESPONSE,
        HOME_CARE_STRETCHES,
        note.update_since_last,
        note.client_feedback,
    ):
        assert health not in text


def test_the_reminder_gives_the_clinics_number_to_change_or_cancel(mailoutbox, therapist, service, settings):
    settings.CLINIC_PHONE = "(555) 010-0000"
    visit(returning_client(email="p@example.com"), therapist, service, hours_from_now=3)

    run_command()

    (message,) = mailoutbox
    assert "To change or cancel, please call us at (555) 010-0000." in message.body


def test_without_a_clinic_phone_number_the_reminder_does_not_ask_to_call(mailoutbox, therapist, service, settings):
    settings.CLINIC_PHONE = ""
    visit(returning_client(email="p@example.com"), therapist, service, hours_from_now=3)

    run_command()

    (message,) = mailoutbox
    assert "call us" not in message.body
    assert message.body.rstrip().endswith("Harbourside Massage Therapy")


@pytest.fixture
def served_under_a_prefix():
    """This process last served a request under /harbour/ (or FORCE_SCRIPT_NAME says so)."""
    previous = get_script_prefix()
    set_script_prefix("/harbour/")
    yield
    set_script_prefix(previous)


def intake_links(message) -> list[str]:
    return re.findall(r"\S+/f/\S+", message.body)


@pytest.mark.parametrize("site_url", ["https://clinic.example/harbour", "https://clinic.example/harbour/"])
def test_the_intake_link_is_on_the_site_url_whatever_prefix_the_process_served(
    mailoutbox, therapist, service, settings, served_under_a_prefix, site_url
):
    settings.SITE_URL = site_url
    newcomer = ClientFactory(email="nadia@example.com")
    visit(newcomer, therapist, service, hours_from_now=5)

    run_command()

    (message,) = mailoutbox
    (url,) = intake_links(message)
    assert re.fullmatch(r"https://clinic\.example/harbour/intake/f/[\w-]+/", url), url


@pytest.mark.parametrize("site_url", ["", "clinic.example", "/clinic"])
def test_no_reminder_is_sent_with_a_site_url_that_is_no_web_address(mailoutbox, therapist, service, settings, site_url):
    settings.SITE_URL = site_url
    visit(returning_client(email="early@example.com"), therapist, service, hours_from_now=2)
    visit(ClientFactory(email="nadia@example.com"), therapist, service, hours_from_now=5)

    with pytest.raises(CommandError, match="SITE_URL"):
        run_command()

    assert mailoutbox == []
    assert not IntakeLink.objects.exists()
