"""Reminders by each client's channel (email, text, both, none), quiet hours for texts, and
one reminder per start time per channel, even with two runs at once."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.utils import timezone

import messaging
from clients.tests.factories import ClientFactory
from intake.tests.factories import IntakeFactory
from messaging.models import Channel, ContactPreference, Message
from messaging.tests.conftest import twilio_stand_in  # noqa: F401
from messaging.tests.factories import ContactPreferenceFactory
from scheduling import services as booking
from scheduling.reminders import send_due_reminders
from scheduling.tests.factories import AppointmentFactory, ServiceFactory
from sessions.tests.factories import HOME_CARE_STRETCHES, TISSUE_RESPONSE, signed_note

pytestmark = pytest.mark.django_db

NOW = datetime(2031, 5, 5, 16, 0, tzinfo=UTC)  # a Monday, 12:00 in New York


@pytest.fixture(autouse=True)
def clinic(settings, monkeypatch):
    settings.TIME_ZONE = "America/New_York"
    settings.REMINDER_HOURS_BEFORE = 24
    settings.CLINIC_NAME = "Harbourside Massage Therapy"
    settings.SITE_URL = "https://clinic.example"
    settings.SMS_URL = "locmem://"
    settings.SMS_QUIET_HOURS = "21-8"
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    messaging.outbox = []
    yield
    messaging.outbox = []


def client_by(channel: str, *, email="c@example.com", **fields):
    client_record = ClientFactory(email=email, **fields)
    IntakeFactory(client=client_record)
    if channel != "default":
        ContactPreferenceFactory(
            client=client_record, reminders=channel, text_number="" if channel in ("email", "none") else "+15550102000"
        )
    return client_record


def visit(client_record, *, hours_from_now: float = 3, **fields):
    return AppointmentFactory(
        client=client_record,
        service=ServiceFactory(name="Swedish, 60 minutes"),
        starts_at=NOW + timedelta(hours=hours_from_now),
        **fields,
    )


@pytest.mark.parametrize(
    ("channel", "emails", "texts"),
    [("default", 1, 0), ("email", 1, 0), ("text", 0, 1), ("both", 1, 1), ("none", 0, 0)],
)
def test_reminders_go_by_the_clients_channel(mailoutbox, channel, emails, texts):
    appointment = visit(client_by(channel))

    assert send_due_reminders() == emails + texts
    assert send_due_reminders() == 0

    assert (len(mailoutbox), len(messaging.outbox)) == (emails, texts)
    appointment.refresh_from_db()
    assert (appointment.reminder_sent_for is not None) == bool(emails)
    assert (appointment.text_reminder_sent_for is not None) == bool(texts)
    logged = Message.objects.filter(client=appointment.client)
    assert sorted(logged.values_list("medium", flat=True)) == sorted(["email"] * emails + ["text"] * texts)


def test_the_text_says_when_and_with_whom_in_clinic_time(therapist):
    appointment = visit(client_by("text", first_name="Henrietta"), therapist=therapist)

    send_due_reminders()

    (text,) = messaging.outbox
    assert text.to == "+15550102000"
    assert text.body == (
        "Hi Henrietta, a reminder of your visit at Harbourside Massage Therapy on Mon May 5 at 15:00 "
        f"with {therapist}. Reply C to confirm or X to cancel."
    )
    assert Message.objects.get(medium="text").body == text.body
    assert appointment.client.messages.get(medium="text").kind == "reminder"


def test_the_managers_wording_is_used(client, manager):
    client.force_login(manager)
    client.post("/messaging/templates/reminder/", {"action": "save", "body": "See you $date at $time, $first_name!"})
    visit(client_by("text", first_name="Olu", preferred_name=""))

    send_due_reminders()

    assert messaging.outbox[0].body == "See you Mon May 5 at 15:00, Olu!"


def test_a_moved_visit_gets_a_new_text(mailoutbox):
    appointment = visit(client_by("both"))
    send_due_reminders()
    booking.appointment_reschedule(appointment=appointment, starts_at=NOW + timedelta(hours=6), outside_hours_ok=True)

    assert send_due_reminders() == 2
    assert len(messaging.outbox) == 2 and len(mailoutbox) == 2


def test_texts_wait_out_the_quiet_hours_and_emails_do_not(monkeypatch, mailoutbox):
    late_evening = datetime(2031, 5, 6, 2, 30, tzinfo=UTC)  # 22:30 in New York
    monkeypatch.setattr(timezone, "now", lambda: late_evening)
    appointment = AppointmentFactory(client=client_by("both"), starts_at=late_evening + timedelta(hours=12))

    assert send_due_reminders() == 1  # the email
    assert messaging.outbox == [] and len(mailoutbox) == 1

    monkeypatch.setattr(timezone, "now", lambda: datetime(2031, 5, 6, 11, 59, tzinfo=UTC))  # 07:59
    assert send_due_reminders() == 0
    monkeypatch.setattr(timezone, "now", lambda: datetime(2031, 5, 6, 12, 0, tzinfo=UTC))  # 08:00: the first run after
    assert send_due_reminders() == 1
    assert len(messaging.outbox) == 1 and len(mailoutbox) == 1
    appointment.refresh_from_db()
    assert appointment.text_reminder_sent_for == appointment.starts_at


def test_without_quiet_hours_texts_go_at_night(settings, monkeypatch):
    settings.SMS_QUIET_HOURS = ""
    night = datetime(2031, 5, 6, 6, 0, tzinfo=UTC)  # 02:00 in New York
    monkeypatch.setattr(timezone, "now", lambda: night)
    AppointmentFactory(client=client_by("text"), starts_at=night + timedelta(hours=8))

    assert send_due_reminders() == 1


def test_a_client_who_texted_stop_gets_email_instead_if_they_chose_texts_only(mailoutbox):
    texts_only, both = client_by("text", email="t@example.com"), client_by("both", email="b@example.com")
    ContactPreference.objects.update(text_opted_out_at=NOW - timedelta(days=1))
    visit(texts_only)
    visit(both, hours_from_now=5)

    assert send_due_reminders() == 2

    assert messaging.outbox == []
    assert sorted(m.to[0] for m in mailoutbox) == ["b@example.com", "t@example.com"]


def test_with_texting_off_text_clients_get_email(settings, mailoutbox):
    settings.SMS_URL = ""
    appointment = visit(client_by("text"))

    assert send_due_reminders() == 1

    assert len(mailoutbox) == 1
    appointment.refresh_from_db()
    assert appointment.text_reminder_sent_for is None


def test_a_text_the_provider_refuses_for_good_is_logged_and_not_retried(twilio_stand_in):  # noqa: F811
    twilio_stand_in.answer_status, twilio_stand_in.answer_code = 400, 21614  # not a mobile number
    appointment = visit(client_by("text", email=""))

    assert send_due_reminders() == 0
    assert send_due_reminders() == 0

    assert len(twilio_stand_in.requests) == 1
    failed = Message.objects.get()
    assert failed.status == "failed" and "21614" in failed.error
    appointment.refresh_from_db()
    assert appointment.text_reminder_sent_for == appointment.starts_at


def test_a_text_that_failed_for_now_is_tried_again_next_run(twilio_stand_in):  # noqa: F811
    twilio_stand_in.answer_status, twilio_stand_in.answer_code = 503, 20500
    appointment = visit(client_by("text", email=""))

    assert send_due_reminders() == 0
    twilio_stand_in.answer_status = 201
    assert send_due_reminders() == 1

    assert len(twilio_stand_in.requests) == 2
    assert list(Message.objects.order_by("id").values_list("status", flat=True)) == ["failed", "sent"]
    appointment.refresh_from_db()
    assert appointment.text_reminder_sent_for == appointment.starts_at


def test_reminders_through_the_provider_reach_the_stand_in(twilio_stand_in):  # noqa: F811
    visit(client_by("text", email="", first_name="Ana", preferred_name=""))

    assert send_due_reminders() == 1

    (request,) = twilio_stand_in.requests
    assert request["form"]["To"] == "+15550102000"
    assert request["form"]["Body"].startswith("Hi Ana, a reminder of your visit")


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_send_each_text_once(settings):
    """Two workers reminding at the same moment: each visit is locked by one of them."""
    for n in range(6):
        client_record = ClientFactory(email="")
        IntakeFactory(client=client_record)
        ContactPreferenceFactory(client=client_record, reminders=Channel.TEXT)
        visit(client_record, hours_from_now=1 + n)
    barrier = threading.Barrier(2)
    counts = []

    def run():
        try:
            barrier.wait()
            counts.append(send_due_reminders())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(counts) == 6
    assert len(messaging.outbox) == 6
    assert len({t.to for t in messaging.outbox}) == 6
    assert Message.objects.filter(medium="text").count() == 6


def test_texts_contain_no_health_data(therapist):
    client_record = client_by("text", first_name="Prudence")
    IntakeFactory(
        client=client_record,
        cautions=["blood_thinners"],
        caution_details={"blood_thinners": "Warfarin since March"},
        main_complaint="Sciatica down the left leg",
        medications="Warfarin",
    )
    note = signed_note(client=client_record, therapist=therapist, visit_date=NOW.date() - timedelta(days=14))
    visit(client_record, therapist=therapist, desk_notes="Prefers the quiet room")

    send_due_reminders()

    (text,) = messaging.outbox
    assert "Prudence" in text.body
    for health in (
        "Sciatica",
        "Warfarin",
        "blood thinners",
        TISSUE_RESPONSE,
        HOME_CARE_STRETCHES,
        note.client_feedback,
    ):
        assert health not in text.body
    assert "Swedish" not in text.body  # not even the service: its name may say what it treats
    assert "quiet room" not in text.body


def test_a_confirmation_shows_on_the_visit_and_the_days_calendar_and_a_move_clears_it(client, front_desk):
    appointment = visit(client_by("text"), hours_from_now=20)
    booking.appointment_confirm(appointment=appointment, at=NOW)
    client.force_login(front_desk)

    detail = client.get(appointment.get_absolute_url()).content.decode()
    day = client.get("/schedule/", {"date": "2031-05-06"}).content.decode()

    assert "Confirmed</span> by the client (text reply)" in detail
    assert '· <span class="fw-semibold">confirmed</span>' in day
    booking.appointment_reschedule(appointment=appointment, starts_at=NOW + timedelta(hours=30), outside_hours_ok=True)
    appointment.refresh_from_db()
    assert appointment.confirmed_at is None


def test_only_a_booked_visit_is_confirmed():
    appointment = visit(client_by("text"), status="cancelled")

    with pytest.raises(Exception, match="Only booked visits"):
        booking.appointment_confirm(appointment=appointment)


@pytest.mark.parametrize(
    ("quiet", "local_time", "waits"),
    [
        ("21-8", "22:00", True),
        ("21-8", "07:59", True),
        ("21-8", "08:00", False),
        ("21-8", "20:59", False),
        ("12:30-13:30", "13:00", True),
        ("12:30-13:30", "13:30", False),
        ("", "03:00", False),
    ],
)
def test_quiet_hours_in_clinic_time(settings, quiet, local_time, waits):
    from datetime import date, time

    from messaging.services import in_quiet_hours
    from timekeeping.timeutil import local_datetime

    settings.SMS_QUIET_HOURS = quiet
    assert in_quiet_hours(local_datetime(date(2031, 5, 5), time.fromisoformat(local_time))) is waits
