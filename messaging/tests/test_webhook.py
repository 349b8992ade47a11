"""Replies through Twilio's webhook: signed, limited, and acted on (STOP, START, C, X)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from twilio.request_validator import RequestValidator

from accounts.models import RateLimitCounter
from messaging.models import ContactPreference, Message
from messaging.tests.conftest import ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER
from messaging.tests.factories import ContactPreferenceFactory
from scheduling.models import Appointment
from scheduling.reminders import send_due_reminders
from scheduling.tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db

URL = reverse("messaging:twilio_inbound")
SITE = "https://clinic.example"
EMPTY = b'<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


@pytest.fixture(autouse=True)
def twilio_settings(settings, sms_outbox):
    settings.SITE_URL = SITE
    settings.SMS_URL = f"twilio://{ACCOUNT_SID}:{AUTH_TOKEN}@api.twilio.com?from=%2B15550001111"
    settings.SMS_QUIET_HOURS = ""
    settings.CLINIC_NAME = "Harbourside Massage Therapy"


@pytest.fixture
def answers(monkeypatch, sms_outbox):
    """The texts the app sends back, kept in memory (the provider's backend is replaced by locmem)."""
    from messaging.backends.locmem import LocmemBackend

    monkeypatch.setattr("messaging.services.get_backend", lambda: LocmemBackend())
    return sms_outbox


_sids = iter(range(10**6))


def form(body: str, *, sender: str, sid: str | None = None) -> dict:
    return {
        "AccountSid": ACCOUNT_SID,
        "MessageSid": sid or f"SM{next(_sids):032d}",
        "From": sender,
        "To": FROM_NUMBER,
        "Body": body,
        "NumMedia": "0",
    }


def signed(client, data: dict, *, token: str = AUTH_TOKEN, url: str = SITE + URL):
    signature = RequestValidator(token).compute_signature(url, data)
    return client.post(URL, data, HTTP_X_TWILIO_SIGNATURE=signature)


@pytest.fixture
def texter(db):
    """A client who gets reminders by text, and their visit tomorrow whose text reminder went out."""
    preference = ContactPreferenceFactory(client__first_name="Henrietta", client__email="")
    start = timezone.now() + timedelta(hours=20)
    visit = AppointmentFactory(
        client=preference.client, starts_at=start, ends_at=start + timedelta(hours=1), text_reminder_sent_for=start
    )
    return preference, visit


def test_a_bad_signature_is_refused_and_changes_nothing(client, texter):
    preference, visit = texter

    forged = signed(client, form("STOP", sender=preference.text_number), token="not-the-token")
    unsigned = client.post(URL, form("X", sender=preference.text_number))

    assert forged.status_code == unsigned.status_code == 403
    preference.refresh_from_db()
    visit.refresh_from_db()
    assert preference.text_opted_out_at is None
    assert visit.status == Appointment.Status.BOOKED
    assert not Message.objects.exists()


def test_a_signature_for_another_address_is_refused(client, texter):
    preference, _ = texter

    response = signed(client, form("C", sender=preference.text_number), url="https://elsewhere.example" + URL)

    assert response.status_code == 403


def test_another_accounts_request_is_refused(client, texter, settings):
    preference, _ = texter
    data = form("C", sender=preference.text_number)
    data["AccountSid"] = "AC" + "f" * 32

    assert signed(client, data).status_code == 403


def test_stop_is_honoured_then_no_more_texts(client, texter, answers, settings):
    preference, visit = texter

    response = signed(client, form("Stop ", sender=preference.text_number))

    assert response.status_code == 200 and response.content == EMPTY
    preference.refresh_from_db()
    assert preference.opted_out
    assert Message.objects.get().kind == "stop"
    # Nothing more goes by text, not even the reminder of a visit moved to a new time.
    settings.SMS_URL = "locmem://"
    Appointment.objects.filter(pk=visit.pk).update(text_reminder_sent_for=None)
    assert send_due_reminders() == 0
    assert answers == []


@pytest.mark.parametrize("word", ["STOPALL", "unsubscribe", "CANCEL", "end", "Quit"])
def test_twilios_stop_synonyms_opt_out(client, texter, word):
    preference, visit = texter

    signed(client, form(word, sender=preference.text_number))

    preference.refresh_from_db()
    visit.refresh_from_db()
    assert preference.opted_out
    assert visit.status == Appointment.Status.BOOKED  # CANCEL is STOP, never a cancelled visit


@pytest.mark.parametrize("word", ["START", "unstop"])
def test_start_opts_back_in(client, texter, word):
    preference, _ = texter
    ContactPreference.objects.filter(pk=preference.pk).update(text_opted_out_at=timezone.now())

    signed(client, form(word, sender=preference.text_number))

    preference.refresh_from_db()
    assert not preference.opted_out


def test_c_confirms_the_next_reminded_visit_and_says_so(client, texter, answers):
    preference, visit = texter

    response = signed(client, form("c", sender=preference.text_number))

    assert response.status_code == 200 and response.content == EMPTY
    visit.refresh_from_db()
    assert visit.confirmed_at is not None and visit.status == Appointment.Status.BOOKED
    (answer,) = answers
    assert answer.to == preference.text_number
    assert answer.body.startswith("Thank you, Henrietta: your visit on ")
    assert "is confirmed. Harbourside Massage Therapy" in answer.body
    assert list(Message.objects.order_by("id").values_list("direction", "kind")) == [
        ("in", "confirm"),
        ("out", "reply_confirmed"),
    ]


def test_x_cancels_the_next_reminded_visit(client, texter, answers):
    preference, visit = texter

    signed(client, form("X", sender=preference.text_number))

    visit.refresh_from_db()
    assert visit.status == Appointment.Status.CANCELLED
    assert visit.cancel_reason == "Cancelled by the client (text reply X)"
    (answer,) = answers
    assert " is cancelled." in answer.body


def test_c_without_a_reminded_visit_changes_nothing(client, texter, answers):
    preference, visit = texter
    Appointment.objects.filter(pk=visit.pk).update(text_reminder_sent_for=None)

    signed(client, form("C", sender=preference.text_number))

    visit.refresh_from_db()
    assert visit.confirmed_at is None
    (answer,) = answers
    assert answer.body.startswith("We found no upcoming visit")


def test_a_reply_sent_twice_by_twilio_is_acted_on_once(client, texter, answers):
    preference, visit = texter
    data = form("X", sender=preference.text_number, sid="SM" + "1" * 32)

    first, again = signed(client, data), signed(client, data)

    assert first.status_code == again.status_code == 200
    assert Message.objects.filter(direction="in").count() == 1
    assert len(answers) == 1


def test_an_unknown_number_gets_the_same_empty_answer_and_nothing_is_stored(client, texter, answers):
    preference, visit = texter

    known = signed(client, form("C", sender=preference.text_number))
    Message.objects.all().delete()
    unknown = signed(client, form("C", sender="+15559998888"))
    stop = signed(client, form("STOP", sender="+15559998888"))

    assert known.status_code == unknown.status_code == stop.status_code == 200
    assert known.content == unknown.content == stop.content == EMPTY
    assert not Message.objects.exists()
    assert len(answers) == 1  # the known client's, none to the stranger


def test_a_free_text_reply_is_logged_and_not_answered(client, texter, answers):
    preference, visit = texter

    signed(client, form("Running ten minutes late, sorry", sender=preference.text_number))

    message = Message.objects.get()
    assert (message.kind, message.client) == ("other", preference.client)
    assert message.body == "Running ten minutes late, sorry"
    assert answers == []


def test_a_shared_number_logs_the_reply_for_each_client_and_stop_covers_them_all(client, texter):
    preference, _ = texter
    sibling = ContactPreferenceFactory(text_number=preference.text_number)

    signed(client, form("STOP", sender=preference.text_number))

    assert Message.objects.filter(kind="stop").count() == 2
    assert ContactPreference.objects.filter(text_opted_out_at__isnull=False).count() == 2
    sibling.refresh_from_db()
    assert sibling.opted_out


def test_an_oversize_request_is_refused_before_it_is_read(client, texter):
    preference, _ = texter
    data = form("C" + " " * 20_000, sender=preference.text_number)

    response = signed(client, data)

    assert response.status_code == 413
    assert not Message.objects.exists()


def test_the_webhook_is_rate_limited_per_address(client, texter, settings):
    preference, _ = texter
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "sms_inbound": (3, 60)}

    codes = [signed(client, form("hello", sender=preference.text_number)).status_code for _ in range(5)]

    assert codes == [200, 200, 200, 429, 429]
    assert Message.objects.count() == 3
    assert RateLimitCounter.objects.filter(key__startswith="sms_inbound:").exists()


def test_the_webhook_only_takes_posts(client):
    assert client.get(URL).status_code == 405


def test_without_twilio_configured_there_is_no_webhook(client, settings, texter):
    preference, _ = texter
    settings.SMS_URL = "console://"

    assert signed(client, form("STOP", sender=preference.text_number)).status_code == 404
