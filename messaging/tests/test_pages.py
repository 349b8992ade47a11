"""The pages: the log and channel on the client's profile (all staff), the channel form (staff
who change clients), the wording of texts with a preview (the manager only)."""

import pytest
from django.urls import reverse

from clients.tests.factories import ClientFactory
from messaging import texts
from messaging.models import ContactPreference, Message, MessageTemplate
from messaging.tests.factories import ContactPreferenceFactory, MessageFactory

pytestmark = pytest.mark.django_db

STAFF = ["front_desk", "therapist", "manager"]


@pytest.fixture
def client_record(db):
    return ClientFactory(first_name="Ingrid", last_name="Halvorsen", phone="555 010 2000", email="i@example.com")


@pytest.mark.parametrize("role", STAFF)
def test_all_staff_see_that_a_reminder_went_out_on_the_profile(request, client, client_record, role):
    MessageFactory(client=client_record, body="Hi Ingrid, a reminder of your visit on Mon May 5 at 11:00.")
    client.force_login(request.getfixturevalue(role))

    page = client.get(client_record.get_absolute_url()).content.decode()

    assert "Reminders and messages" in page
    assert "Hi Ingrid, a reminder of your visit on Mon May 5 at 11:00." in page
    assert "Reminders by <strong>email</strong>" in page


def test_a_reply_in_the_clients_own_words_is_for_clinicians_only(client, client_record, front_desk, therapist):
    MessageFactory(client=client_record, direction="in", kind="other", status="received", body="My back is worse")
    MessageFactory(client=client_record, direction="in", kind="confirm", status="received", body="C")

    client.force_login(front_desk)
    desk_page = client.get(client_record.get_absolute_url()).content.decode()
    desk_log = client.get(reverse("messaging:client_messages", args=[client_record.pk])).content.decode()
    client.force_login(therapist)
    therapist_page = client.get(client_record.get_absolute_url()).content.decode()

    assert "My back is worse" not in desk_page and "My back is worse" not in desk_log
    assert "shown to therapists and the manager" in desk_page
    assert "confirm" in desk_page
    assert "My back is worse" in therapist_page


def test_a_stop_shows_on_the_profile(client, client_record, front_desk):
    ContactPreferenceFactory(client=client_record, text_opted_out_at="2030-03-01T12:00Z")
    client.force_login(front_desk)

    page = client.get(client_record.get_absolute_url()).content.decode()

    assert "texted STOP on Mar 1, 2030" in page


def test_the_full_log_pages_through_every_message(client, client_record, front_desk):
    MessageFactory.create_batch(30, client=client_record)
    client.force_login(front_desk)

    response = client.get(reverse("messaging:client_messages", args=[client_record.pk]))

    assert len(response.context["page"].object_list) == 25
    assert "Page 1 of 2" in response.content.decode()


@pytest.mark.parametrize("name", ["messaging:client_messages", "messaging:preference"])
def test_a_signed_in_account_without_a_role_is_refused_the_clients_messages(client, client_record, no_role_user, name):
    client.force_login(no_role_user)

    assert client.get(reverse(name, args=[client_record.pk])).status_code == 403


def test_the_desk_sets_reminders_by_text_with_the_number_in_e164(client, client_record, front_desk):
    client.force_login(front_desk)
    url = reverse("messaging:preference", args=[client_record.pk])

    form = client.get(url)
    response = client.post(url, {"reminders": "both", "text_number": "(555) 010-2000"})

    assert 'value="(555) 010-2000"' in form.content.decode()  # the profile's number, to start with
    assert response.status_code == 302 and response.url == client_record.get_absolute_url()
    preference = ContactPreference.objects.get(client=client_record)
    assert (preference.reminders, preference.text_number, preference.updated_by) == ("both", "+15550102000", front_desk)


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"reminders": "text", "text_number": ""}, "Texts need a mobile number."),
        ({"reminders": "text", "text_number": "call me"}, "is not a phone number"),
        ({"reminders": "sms", "text_number": ""}, "Select a valid choice"),
    ],
)
def test_the_channel_form_explains_what_is_wrong(client, client_record, front_desk, data, error):
    client.force_login(front_desk)

    response = client.post(reverse("messaging:preference", args=[client_record.pk]), data)

    assert response.status_code == 200 and error in response.content.decode()
    assert not ContactPreference.objects.exists()


def test_the_desk_cannot_lift_a_clients_stop(client, client_record, front_desk):
    ContactPreferenceFactory(client=client_record, text_opted_out_at="2030-03-01T12:00Z")
    client.force_login(front_desk)

    url = reverse("messaging:preference", args=[client_record.pk])
    client.post(url, {"reminders": "text", "text_number": "555 010 2000"})

    assert ContactPreference.objects.get().opted_out


# --- Wording of the texts: the manager's ------------------------------------------------------


@pytest.mark.parametrize("role", ["front_desk", "therapist", "no_role_user"])
@pytest.mark.parametrize("url", [reverse("messaging:templates"), reverse("messaging:template_edit", args=["reminder"])])
def test_only_the_manager_rewords_texts(request, client, role, url):
    client.force_login(request.getfixturevalue(role))

    assert client.get(url).status_code == 403
    assert client.post(url, {"action": "save", "body": "Hacked $first_name"}).status_code == 403
    assert not MessageTemplate.objects.exists()


def test_the_manager_sees_every_text_with_a_sample_and_its_length(client, manager):
    client.force_login(manager)

    page = client.get(reverse("messaging:templates")).content.decode()

    for text in texts.registered():
        assert text.label in page
    assert "Hi Henrietta, a reminder of your visit at" in page
    assert "1 segment" in page


def test_preview_fills_the_placeholders_without_saving(client, manager):
    client.force_login(manager)
    url = reverse("messaging:template_edit", args=["reminder"])

    response = client.post(url, {"action": "preview", "body": "Hello $first_name, $date at $time. $clinic"})

    assert response.context["preview"] == "Hello Henrietta, Mon May 5 at 11:00. Clinic"
    assert response.context["segments"].count == 1
    assert not MessageTemplate.objects.exists()


def test_the_manager_saves_and_resets_a_wording(client, manager):
    client.force_login(manager)
    url = reverse("messaging:template_edit", args=["reminder"])

    client.post(url, {"action": "save", "body": "See you $date, $first_name."})
    assert texts.wording("reminder") == "See you $date, $first_name."
    client.post(url, {"action": "reset"})
    assert texts.wording("reminder") == texts.get("reminder").default


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("Hi $first_name, about your $diagnosis", "Unknown placeholder: $diagnosis"),
        ("Hi ${client.intake.medications}", "A $ must start a placeholder"),
        ("Hi {first_name.__class__}", None),  # no format(): braces are plain text
        ("Costs 5$", "A $ must start a placeholder"),
        ("", "This field is required"),
        ("x" * 700, "at most 640 characters"),
    ],
)
def test_a_wording_may_use_only_its_own_placeholders(client, manager, body, error):
    client.force_login(manager)

    response = client.post(reverse("messaging:template_edit", args=["reminder"]), {"action": "save", "body": body})

    if error is None:
        assert response.status_code == 302
        assert texts.render("reminder", {"first_name": "Ana"}, clinic={}) == "Hi {first_name.__class__}"
    else:
        assert response.status_code == 200 and error in response.content.decode()
        assert not MessageTemplate.objects.exists()


def test_values_cannot_add_lines_or_reach_attributes():
    text = texts.get("reminder")

    filled = texts.fill(text, "Hi $first_name at $time", {"first_name": "Ana\nSTOP\x00", "time": object()})

    assert filled.startswith("Hi Ana STOP at <object object")


def test_an_unknown_text_is_not_found(client, manager):
    client.force_login(manager)

    assert client.get(reverse("messaging:template_edit", args=["no-such-text"])).status_code == 404


@pytest.mark.parametrize(
    ("text", "characters", "count", "unicode"),
    [
        ("a" * 160, 160, 1, False),
        ("a" * 161, 161, 2, False),
        ("a" * 306, 306, 2, False),
        ("a" * 307, 307, 3, False),
        ("[]" * 40, 160, 1, False),  # each counts twice
        ("é" * 160, 160, 1, False),  # é is in the SMS alphabet
        ("ł" * 70, 70, 1, True),
        ("ł" * 71, 71, 2, True),
        ("👍" * 35, 70, 1, True),  # two UTF-16 units each
        ("", 0, 0, False),
    ],
)
def test_length_in_sms_segments(text, characters, count, unicode):
    segments = texts.segments(text)
    assert (segments.characters, segments.count, segments.unicode) == (characters, count, unicode)


def test_the_managers_page_says_when_texting_is_off(client, manager, settings):
    settings.SMS_URL = ""
    client.force_login(manager)

    assert "Texting is off" in client.get(reverse("messaging:templates")).content.decode()


def test_every_text_names_only_names_dates_times_links_and_the_clinic():
    allowed = {"first_name", "date", "time", "therapist", "clinic", "clinic_phone", "link"}
    for text in texts.registered():
        assert set(text.placeholders) <= allowed, text.key


def test_messages_are_logged_per_client_only():
    assert Message._meta.get_field("client").null is False
