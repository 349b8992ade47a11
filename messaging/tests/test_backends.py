"""The text backends (SMS_URL), like Django's email backends: memory, file, console, Twilio
(against a stand-in on 127.0.0.1), and numbers in E.164."""

import io

import pytest
from django.core.exceptions import ImproperlyConfigured

import messaging
from clients.tests.factories import ClientFactory
from messaging.backends import OutgoingText, SendError, get_backend
from messaging.backends.console import ConsoleBackend
from messaging.models import ContactPreference, Message
from messaging.phones import InvalidNumber, to_e164
from messaging.services import TextNotSent, send_text, texting_enabled
from messaging.sms_url import parse_quiet_hours, parse_sms_url
from messaging.tests.conftest import ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER
from messaging.tests.factories import ContactPreferenceFactory


@pytest.mark.parametrize(
    ("raw", "country", "e164"),
    [
        ("(555) 010-2000", "CA", "+15550102000"),
        ("555.010.2000", "US", "+15550102000"),
        ("1-555-010-2000", "CA", "+15550102000"),
        ("+44 20 7946 0000", "CA", "+442079460000"),
        ("020 7946 0000", "GB", "+442079460000"),
        ("06 12 34 56 78", "FR", "+33612345678"),
    ],
)
def test_numbers_are_written_in_e164_in_the_clinics_country(raw, country, e164):
    assert to_e164(raw, country=country) == e164


@pytest.mark.parametrize("raw", ["", "   ", "call me", "12", "555 010 2000 999 888 777"])
def test_what_cannot_be_a_number_is_refused(raw):
    with pytest.raises(InvalidNumber):
        to_e164(raw, country="CA")


def test_the_clinics_country_setting_is_used(settings):
    settings.CLINIC_COUNTRY = "GB"
    assert to_e164("020 7946 0000") == "+442079460000"


@pytest.mark.parametrize(
    ("url", "backend"),
    [
        ("", ""),
        ("off://", ""),
        ("console://", "messaging.backends.console.ConsoleBackend"),
        ("locmem://", "messaging.backends.locmem.LocmemBackend"),
        ("file:///tmp/texts/", "messaging.backends.filebased.FileBackend"),
        (
            f"twilio://{ACCOUNT_SID}:{AUTH_TOKEN}@api.twilio.com?from=%2B15550001111",
            "messaging.backends.twilio.TwilioBackend",
        ),
    ],
)
def test_sms_url_names_the_backend(url, backend):
    assert parse_sms_url(url).backend == backend


def test_a_twilio_url_gives_credentials_sender_and_https():
    config = parse_sms_url(f"twilio://{ACCOUNT_SID}:{AUTH_TOKEN}@api.twilio.com?from=%2B15550001111")
    assert config.options == {
        "account_sid": ACCOUNT_SID,
        "auth_token": AUTH_TOKEN,
        "from_number": FROM_NUMBER,
        "messaging_service_sid": "",
        "base_url": "https://api.twilio.com",
    }


@pytest.mark.parametrize(
    "url",
    [
        "sms://x",
        "file://",
        "twilio://api.twilio.com?from=%2B15550001111",  # no credentials
        f"twilio://{ACCOUNT_SID}:{AUTH_TOKEN}@api.twilio.com",  # no sender
        f"twilio+http://{ACCOUNT_SID}:{AUTH_TOKEN}@api.twilio.com?from=%2B1555",  # credentials in clear, outside
    ],
)
def test_a_mistyped_sms_url_stops_start_up(url):
    with pytest.raises(ImproperlyConfigured):
        parse_sms_url(url)


@pytest.mark.parametrize("value", ["8", "21-", "25-8", "21-8-9", "9-9", "nine-five"])
def test_mistyped_quiet_hours_stop_start_up(value):
    with pytest.raises(ImproperlyConfigured):
        parse_quiet_hours(value)


def test_tests_use_the_memory_backend_and_production_defaults_to_off():
    from django.conf import settings

    assert settings.SMS_URL == "locmem://"
    assert texting_enabled()


@pytest.mark.django_db
def test_the_memory_backend_keeps_texts_in_the_outbox_and_the_log(sms_outbox):
    client_record = ClientFactory()

    message = send_text(to="(555) 010-2000", body="See you soon.", kind="reminder", client=client_record)

    assert sms_outbox == [OutgoingText(to="+15550102000", body="See you soon.")]
    assert messaging.outbox is sms_outbox
    stored = Message.objects.get()
    assert stored == message
    assert (stored.client, stored.direction, stored.to, stored.status) == (client_record, "out", "+15550102000", "sent")
    assert stored.provider_id.startswith("locmem-")


@pytest.mark.django_db
def test_the_file_backend_writes_one_private_file_per_text(settings, tmp_path):
    folder = tmp_path / "texts"
    settings.SMS_URL = f"file://{folder}/"

    send_text(to="555 010 2000", body="First", kind="reminder", client=ClientFactory())
    send_text(to="555 010 2001", body="Second", kind="reminder", client=ClientFactory())

    files = sorted(folder.iterdir())
    assert len(files) == 2
    contents = sorted(f.read_text() for f in files)
    assert contents == ["To: +15550102000\n\nFirst\n", "To: +15550102001\n\nSecond\n"]
    assert all(f.stat().st_mode & 0o077 == 0 for f in files)


def test_the_console_backend_prints_the_text():
    out = io.StringIO()

    ident = ConsoleBackend(stream=out).send(OutgoingText(to="+15550102000", body="Hello there"))

    assert "Text to +15550102000:\nHello there\n" in out.getvalue()
    assert ident.startswith("console-")


def test_development_prints_texts(settings):
    settings.SMS_URL = "console://"
    assert isinstance(get_backend(), ConsoleBackend)


@pytest.mark.django_db
def test_with_texting_off_nothing_is_tried(settings, sms_outbox):
    settings.SMS_URL = ""

    with pytest.raises(TextNotSent):
        send_text(to="555 010 2000", body="x", kind="reminder", client=ClientFactory())

    assert sms_outbox == [] and not Message.objects.exists()


@pytest.mark.django_db
def test_a_client_who_texted_stop_gets_no_text(sms_outbox):
    preference = ContactPreferenceFactory(text_opted_out_at="2030-01-01T00:00Z")

    with pytest.raises(TextNotSent):
        send_text(to=preference.text_number, body="x", kind="reminder", client=preference.client)

    assert sms_outbox == []


@pytest.mark.django_db
def test_the_twilio_backend_posts_to_the_messages_api_as_twilio_expects(twilio_stand_in):
    client_record = ClientFactory()

    body = "Hi Ana, see you Mon at 11:00."
    message = send_text(to="(555) 010-2000", body=body, kind="reminder", client=client_record)

    (request,) = twilio_stand_in.requests
    assert twilio_stand_in.refusals == []
    assert request["path"] == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    assert request["form"] == {"To": "+15550102000", "From": FROM_NUMBER, "Body": "Hi Ana, see you Mon at 11:00."}
    message.refresh_from_db()
    assert message.status == "sent"
    assert message.provider_id.startswith("SM") and len(message.provider_id) == 34
    assert message.sender == FROM_NUMBER


@pytest.mark.django_db
def test_a_messaging_service_sends_instead_of_a_number(settings, twilio_stand_in):
    settings.SMS_URL = twilio_stand_in.url.replace("from=%2B15550001111", "messaging_service=MG0123")

    send_text(to="555 010 2000", body="Hello", kind="reminder", client=ClientFactory())

    (request,) = twilio_stand_in.requests
    assert request["form"]["MessagingServiceSid"] == "MG0123" and "From" not in request["form"]


@pytest.mark.django_db
def test_wrong_credentials_are_refused_by_the_stand_in_and_logged_as_not_sent(settings, twilio_stand_in):
    settings.SMS_URL = twilio_stand_in.url.replace(AUTH_TOKEN, "wrong-token")
    client_record = ClientFactory()

    with pytest.raises(SendError) as refused:
        send_text(to="555 010 2000", body="Hello", kind="reminder", client=client_record)

    assert refused.value.permanent
    assert twilio_stand_in.refusals == [["authentication"]]
    assert Message.objects.get().status == "failed"


@pytest.mark.django_db
def test_a_provider_outage_is_worth_trying_again(twilio_stand_in):
    twilio_stand_in.answer_status, twilio_stand_in.answer_code = 503, 20500

    with pytest.raises(SendError) as failed:
        send_text(to="555 010 2000", body="Hello", kind="reminder", client=ClientFactory())

    assert not failed.value.permanent


@pytest.mark.django_db
def test_an_unreachable_provider_is_worth_trying_again(settings):
    settings.SMS_URL = f"twilio+http://{ACCOUNT_SID}:{AUTH_TOKEN}@127.0.0.1:9?from=%2B15550001111"

    with pytest.raises(SendError) as failed:
        send_text(to="555 010 2000", body="Hello", kind="reminder", client=ClientFactory())

    assert not failed.value.permanent
    assert "Hello" not in Message.objects.get().error


@pytest.mark.django_db
def test_twilios_unsubscribed_error_records_the_clients_stop(twilio_stand_in):
    preference = ContactPreferenceFactory()
    twilio_stand_in.answer_status, twilio_stand_in.answer_code = 400, 21610

    with pytest.raises(SendError):
        send_text(to=preference.text_number, body="Hello", kind="reminder", client=preference.client)

    preference.refresh_from_db()
    assert preference.text_opted_out_at is not None
    assert ContactPreference.objects.get().opted_out
