"""Creating, editing, archiving and restoring a client through the pages staff use."""

import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from clients.models import Client
from clients.tests.factories import ClientFactory

NEW_URL = reverse("clients:new")


def years_ago(years: int, today: date | None = None) -> date:
    today = today or date.today()
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February in a year without one
        return today.replace(year=today.year - years, day=28)


def form_data(**overrides) -> dict:
    """Everything a receptionist would type for a new client, with distinctive values."""
    data = {
        "first_name": "Maria",
        "last_name": "Okafor",
        "preferred_name": "Mimi",
        "pronouns": "she/her",
        "date_of_birth": "1985-03-14",
        "phone": "(555) 010-2000",
        "email": "maria.okafor@example.com",
        "address": "12 Linden Street, Springfield",
        "emergency_contact_name": "Daniel Okafor",
        "emergency_contact_relationship": "Brother",
        "emergency_contact_phone": "555-010-2999",
        "preferred_pressure": "firm",
        "referral_source": "Running club flyer",
        "desk_notes": "Prefers late afternoon slots",
    }
    data.update(overrides)
    return data


@pytest.fixture
def desk(client, front_desk):
    client.force_login(front_desk)
    return client


def creation_key(http_client) -> str:
    """The hidden key the new-client page hands out, as a browser would send it back."""
    response = http_client.get(NEW_URL)
    assert response.status_code == 200
    key = str(response.context["creation_key"])
    assert f'name="creation_key" value="{key}"' in response.content.decode()
    return key


def field_block(html: str, field: str) -> str:
    """The HTML of one form field: its label, input and messages (crispy wraps each in div_id_<field>)."""
    start = html.index(f'id="div_id_{field}"')
    end = html.find('id="div_id_', start + 1)
    return html[start : end if end != -1 else len(html)]


def duplicate_warning(html: str) -> str:
    start = html.index('id="duplicate-warning"')
    return html[start : html.index("</div>", start)]


# Creating ---------------------------------------------------------------------------------


def test_front_desk_creates_a_client_and_is_recorded_as_creator(desk, front_desk):
    key = creation_key(desk)

    response = desk.post(NEW_URL, form_data(creation_key=key))

    client_record = Client.objects.get()
    assert response.status_code == 302
    assert response["Location"] == client_record.get_absolute_url()
    assert (client_record.first_name, client_record.last_name) == ("Maria", "Okafor")
    assert client_record.preferred_name == "Mimi"
    assert client_record.date_of_birth == date(1985, 3, 14)
    assert client_record.email == "maria.okafor@example.com"
    assert client_record.emergency_contact_name == "Daniel Okafor"
    assert client_record.preferred_pressure == "firm"
    assert client_record.status == Client.Status.ACTIVE
    assert client_record.created_by == front_desk
    assert client_record.updated_by == front_desk
    assert str(client_record.creation_key) == key

    page = desk.get(response["Location"])
    assert "Created Maria “Mimi” Okafor." in page.content.decode()


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("(555) 010-2000", "5550102000"),
        ("555.010.2000", "5550102000"),
        ("+1 555 010 2000", "15550102000"),
        ("  555   010 2000 ", "5550102000"),
    ],
)
def test_phone_is_stored_with_a_digits_only_copy(desk, typed, stored):
    desk.post(NEW_URL, form_data(phone=typed, creation_key=creation_key(desk)))

    client_record = Client.objects.get()
    assert client_record.phone_digits == stored
    assert client_record.phone == " ".join(typed.split())


def test_names_and_email_are_tidied_before_storing(desk):
    desk.post(
        NEW_URL,
        form_data(
            first_name="  Mary   Kate ",
            last_name=" Okafor ",
            email=" Maria.Okafor@Example.COM ",
            creation_key=creation_key(desk),
        ),
    )

    client_record = Client.objects.get()
    assert client_record.first_name == "Mary Kate"
    assert client_record.last_name == "Okafor"
    assert client_record.email == "maria.okafor@example.com"


INVALID_INPUTS = [
    pytest.param(
        "date_of_birth",
        (date.today() + timedelta(days=1)).isoformat(),
        "The date of birth cannot be in the future.",
        id="future-date-of-birth",
    ),
    pytest.param(
        "date_of_birth",
        years_ago(121).isoformat(),
        "over 120.",
        id="age-over-120",
    ),
    pytest.param("email", "maria.okafor.example.com", "Enter a valid email address.", id="bad-email"),
    pytest.param(
        "phone", "555-CALL-NOW", "Use digits, spaces, brackets, dots, dashes or a leading +.", id="phone-with-letters"
    ),
    pytest.param("phone", "555-01", "A phone number has 7 to 15 digits; this one has 5.", id="phone-too-short"),
    pytest.param(
        "emergency_contact_phone",
        "call Daniel",
        "Use digits, spaces, brackets, dots, dashes or a leading +.",
        id="emergency-phone-with-letters",
    ),
    pytest.param("first_name", "", "This field is required.", id="missing-first-name"),
    pytest.param("last_name", "   ", "This field is required.", id="blank-last-name"),
    pytest.param("date_of_birth", "", "This field is required.", id="missing-date-of-birth"),
]


@pytest.mark.parametrize(("field", "bad_value", "message"), INVALID_INPUTS)
def test_invalid_input_is_explained_next_to_the_field_and_everything_typed_is_kept(desk, field, bad_value, message):
    data = form_data(**{field: bad_value}, creation_key=creation_key(desk))

    response = desk.post(NEW_URL, data)

    html = response.content.decode()
    assert response.status_code == 200
    assert not Client.objects.exists()
    block = field_block(html, field)
    assert message in block
    assert "is-invalid" in block
    assert "Please correct the fields marked below." in html
    for name, value in data.items():
        if value.strip():
            assert escape(value) in html, f"{name}: {value!r} was not kept"
    assert 'value="firm" selected' in html
    # The same key comes back, so the corrected form still creates the client only once.
    assert f'name="creation_key" value="{data["creation_key"]}"' in html


def test_client_aged_exactly_120_can_be_created(desk):
    # The oldest plausible age is 120: a client whose 121st birthday is tomorrow is 120 today.
    dob = years_ago(121) + timedelta(days=1)

    response = desk.post(NEW_URL, form_data(date_of_birth=dob.isoformat(), creation_key=creation_key(desk)))

    assert response.status_code == 302
    assert Client.objects.get().date_of_birth == dob


def test_client_born_today_can_be_created(desk):
    today = date.today()

    response = desk.post(NEW_URL, form_data(date_of_birth=today.isoformat(), creation_key=creation_key(desk)))

    assert response.status_code == 302
    assert Client.objects.get().date_of_birth == today


def test_corrected_form_creates_the_client(desk):
    key = creation_key(desk)
    desk.post(NEW_URL, form_data(email="not-an-email", creation_key=key))

    response = desk.post(NEW_URL, form_data(creation_key=key))

    assert response.status_code == 302
    assert Client.objects.get().email == "maria.okafor@example.com"


# Duplicates -------------------------------------------------------------------------------

DUPLICATE_CASES = [
    pytest.param(
        {"first_name": "John", "last_name": "Smith", "date_of_birth": date(1980, 5, 1)},
        {"first_name": "John", "last_name": "Smith", "date_of_birth": "1980-05-01"},
        id="same-name-and-date-of-birth",
    ),
    pytest.param(
        {"first_name": "John", "last_name": "Smith", "date_of_birth": date(1980, 5, 1)},
        {"first_name": "john", "last_name": "SMITH", "date_of_birth": "1980-05-01"},
        id="same-name-other-case",
    ),
    pytest.param(
        {"email": "j.smith@example.com"},
        {"email": "J.Smith@Example.com"},
        id="same-email",
    ),
    pytest.param(
        {"phone": "555-010-2000"},
        {"phone": "(555) 010 2000"},
        id="same-phone-other-format",
    ),
    pytest.param(
        {"first_name": "John", "last_name": "Smith", "date_of_birth": date(1980, 5, 1)},
        {"first_name": "Jon", "last_name": "Smith", "date_of_birth": "1980-05-01"},
        id="similar-name-same-date-of-birth",
    ),
    pytest.param(
        {"first_name": "Zoë", "last_name": "Martin", "date_of_birth": date(1990, 2, 3)},
        {"first_name": "Zoe", "last_name": "Martin", "date_of_birth": "1990-02-03"},
        id="name-without-accent-same-date-of-birth",
    ),
    pytest.param(
        {"first_name": "Elizabeth", "last_name": "Taylor", "preferred_name": "Liz", "date_of_birth": date(1975, 8, 30)},
        {"first_name": "Liz", "last_name": "Taylor", "preferred_name": "", "date_of_birth": "1975-08-30"},
        id="preferred-name-typed-as-first-name",
    ),
]


@pytest.mark.parametrize(("existing", "typed"), DUPLICATE_CASES)
def test_likely_duplicate_is_shown_with_a_link_and_nothing_is_stored(desk, front_desk, existing, typed):
    on_file = ClientFactory(**existing)
    key = creation_key(desk)
    data = form_data(**{"phone": "555-777-1234", "email": "new.person@example.com", **typed}, creation_key=key)

    response = desk.post(NEW_URL, data)

    html = response.content.decode()
    assert response.status_code == 200
    assert Client.objects.count() == 1
    warning = duplicate_warning(html)
    assert "This may be someone already on file" in warning
    assert f'href="{on_file.get_absolute_url()}"' in warning
    assert escape(on_file.display_name) in warning
    assert 'name="confirm_new" value="1"' in html
    assert escape(data["first_name"]) in html  # the typed form is still there to confirm

    response = desk.post(NEW_URL, {**data, "confirm_new": "1"})

    assert response.status_code == 302
    assert Client.objects.count() == 2
    created = Client.objects.get(creation_key=key)
    assert response["Location"] == created.get_absolute_url()
    assert created.created_by == front_desk


def test_archived_client_is_offered_as_a_duplicate_and_marked_archived(desk):
    on_file = ClientFactory(
        first_name="John", last_name="Smith", date_of_birth=date(1980, 5, 1), status=Client.Status.ARCHIVED
    )

    response = desk.post(
        NEW_URL,
        form_data(first_name="John", last_name="Smith", date_of_birth="1980-05-01", creation_key=creation_key(desk)),
    )

    warning = duplicate_warning(response.content.decode())
    assert f'href="{on_file.get_absolute_url()}"' in warning
    assert "Archived" in warning
    assert Client.objects.count() == 1


def test_different_person_born_the_same_day_is_created_without_warning(desk):
    ClientFactory(first_name="John", last_name="Smith", date_of_birth=date(1980, 5, 1))

    response = desk.post(
        NEW_URL,
        form_data(first_name="Maria", last_name="Okafor", date_of_birth="1980-05-01", creation_key=creation_key(desk)),
    )

    assert response.status_code == 302
    assert Client.objects.count() == 2


def test_same_name_with_another_date_of_birth_is_not_a_duplicate(desk):
    ClientFactory(first_name="John", last_name="Smith", date_of_birth=date(1980, 5, 1))

    response = desk.post(
        NEW_URL,
        form_data(first_name="John", last_name="Smith", date_of_birth="1992-11-20", creation_key=creation_key(desk)),
    )

    assert response.status_code == 302
    assert Client.objects.count() == 2


def test_pressing_create_twice_stores_one_client_and_the_second_press_opens_it(desk):
    key = creation_key(desk)
    data = form_data(creation_key=key)

    first = desk.post(NEW_URL, data)
    second = desk.post(NEW_URL, data)

    client_record = Client.objects.get()
    assert first.status_code == 302
    assert second.status_code == 302
    assert second["Location"] == first["Location"] == client_record.get_absolute_url()


def test_each_new_client_page_hands_out_its_own_key(desk):
    first_key = creation_key(desk)
    second_key = creation_key(desk)
    assert first_key != second_key

    desk.post(NEW_URL, form_data(creation_key=first_key))
    desk.post(NEW_URL, form_data(first_name="Ada", last_name="Lovelace", email="", phone="", creation_key=second_key))

    assert Client.objects.count() == 2


def test_post_without_a_creation_key_still_creates_the_client(desk):
    response = desk.post(NEW_URL, form_data())

    assert response.status_code == 302
    assert Client.objects.get().creation_key is not None


# Editing ----------------------------------------------------------------------------------


def test_therapist_edits_a_client_and_is_recorded_as_last_editor(client, therapist, front_desk):
    client_record = ClientFactory(first_name="Maria", last_name="Okafor", created_by=front_desk, updated_by=front_desk)
    client.force_login(therapist)
    edit_url = reverse("clients:edit", args=[client_record.pk])

    page = client.get(edit_url)
    assert 'value="Maria"' in page.content.decode()
    response = client.post(edit_url, form_data(phone="555.010.2111", desk_notes="Moved to Tuesdays"))

    assert response.status_code == 302
    assert response["Location"] == client_record.get_absolute_url()
    client_record.refresh_from_db()
    assert client_record.phone == "555.010.2111"
    assert client_record.phone_digits == "5550102111"
    assert client_record.desk_notes == "Moved to Tuesdays"
    assert client_record.updated_by == therapist
    assert client_record.created_by == front_desk
    assert Client.objects.count() == 1
    assert "Saved." in client.get(response["Location"]).content.decode()


def test_editing_a_client_does_not_warn_that_it_duplicates_itself(desk):
    client_record = ClientFactory(**{k: v for k, v in form_data().items() if k != "date_of_birth"})

    response = desk.post(reverse("clients:edit", args=[client_record.pk]), form_data(pronouns="they/them"))

    assert response.status_code == 302
    client_record.refresh_from_db()
    assert client_record.pronouns == "they/them"


def test_invalid_edit_keeps_the_typed_values_and_changes_nothing(desk):
    client_record = ClientFactory(first_name="Maria", last_name="Okafor", phone="555-010-2000")

    response = desk.post(
        reverse("clients:edit", args=[client_record.pk]), form_data(phone="555-01", desk_notes="Call after 5")
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "A phone number has 7 to 15 digits; this one has 5." in field_block(html, "phone")
    assert 'value="555-01"' in html
    assert "Call after 5" in html
    client_record.refresh_from_db()
    assert client_record.phone == "555-010-2000"
    assert client_record.desk_notes == ""


# Archiving --------------------------------------------------------------------------------


def test_archiving_a_client_keeps_the_record_and_marks_it_archived(desk, front_desk):
    client_record = ClientFactory()

    response = desk.post(reverse("clients:archive", args=[client_record.pk]))

    assert response.status_code == 302
    assert response["Location"] == client_record.get_absolute_url()
    client_record.refresh_from_db()
    assert client_record.status == Client.Status.ARCHIVED
    assert client_record.updated_by == front_desk
    html = desk.get(response["Location"]).content.decode()
    assert re.search(r'<span class="badge[^"]*">Archived</span>', html)
    assert "Restore</button>" in html
    assert "Their records are kept; restore at any time." in html


def test_restoring_an_archived_client_makes_it_active_again(client, manager):
    client_record = ClientFactory(status=Client.Status.ARCHIVED)
    client.force_login(manager)

    response = client.post(reverse("clients:restore", args=[client_record.pk]))

    assert response.status_code == 302
    client_record.refresh_from_db()
    assert client_record.status == Client.Status.ACTIVE
    assert client_record.updated_by == manager
    html = client.get(response["Location"]).content.decode()
    assert not re.search(r'<span class="badge[^"]*">Archived</span>', html)
    assert "Archive</button>" in html


@pytest.mark.parametrize(
    ("action", "status"), [("clients:archive", Client.Status.ACTIVE), ("clients:restore", Client.Status.ARCHIVED)]
)
def test_archive_and_restore_refuse_get(desk, action, status):
    client_record = ClientFactory(status=status)

    response = desk.get(reverse(action, args=[client_record.pk]))

    assert response.status_code == 405
    client_record.refresh_from_db()
    assert client_record.status == status


def test_archiving_an_archived_client_changes_nothing(desk, therapist):
    client_record = ClientFactory(status=Client.Status.ARCHIVED, updated_by=therapist)

    response = desk.post(reverse("clients:archive", args=[client_record.pk]))

    assert response.status_code == 302
    client_record.refresh_from_db()
    assert client_record.status == Client.Status.ARCHIVED
    assert client_record.updated_by == therapist


@pytest.mark.parametrize("action", ["clients:detail", "clients:edit", "clients:archive", "clients:restore"])
def test_unknown_client_is_not_found(desk, action):
    url = reverse(action, args=[999999])

    response = desk.post(url) if action in ("clients:archive", "clients:restore") else desk.get(url)

    assert response.status_code == 404


def test_showing_who_created_and_edited_a_client_costs_no_extra_queries(
    desk, front_desk, therapist, django_assert_num_queries
):
    anonymous_history = ClientFactory()
    with CaptureQueriesContext(connection) as plain:
        desk.get(anonymous_history.get_absolute_url())
    client_record = ClientFactory(first_name="Maria", last_name="Okafor", created_by=front_desk, updated_by=therapist)

    with django_assert_num_queries(len(plain)):
        response = desk.get(client_record.get_absolute_url())

    html = response.content.decode()
    assert "Maria Okafor" in html
    assert f"by {front_desk}" in html
    assert f"by {therapist}" in html


# CSRF -------------------------------------------------------------------------------------


@pytest.fixture
def csrf_checked(front_desk):
    http_client = HttpClient(enforce_csrf_checks=True)
    http_client.force_login(front_desk)
    return http_client


def test_creating_a_client_without_csrf_token_is_refused(csrf_checked):
    response = csrf_checked.post(NEW_URL, form_data())

    assert response.status_code == 403
    assert not Client.objects.exists()


def test_archiving_without_csrf_token_is_refused(csrf_checked):
    client_record = ClientFactory()

    response = csrf_checked.post(reverse("clients:archive", args=[client_record.pk]))

    assert response.status_code == 403
    client_record.refresh_from_db()
    assert client_record.status == Client.Status.ACTIVE


def test_creating_a_client_with_the_page_csrf_token_works(csrf_checked):
    page = csrf_checked.get(NEW_URL)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)

    response = csrf_checked.post(
        NEW_URL, form_data(creation_key=str(page.context["creation_key"]), csrfmiddlewaretoken=token)
    )

    assert response.status_code == 302
    assert Client.objects.count() == 1


def test_simultaneous_second_press_opens_the_client_the_first_press_created(desk, monkeypatch):
    # Two presses that arrive together both pass the "already created?" check; the unique
    # creation key lets only one row in, and the loser must still land on that client.
    from clients import views

    key = creation_key(desk)
    real_create_client = views.create_client
    winner = {}

    def first_press_commits_meanwhile(**kwargs):
        winner["client"] = ClientFactory(first_name="Maria", last_name="Okafor", creation_key=key)
        return real_create_client(**kwargs)

    monkeypatch.setattr(views, "create_client", first_press_commits_meanwhile)

    response = desk.post(NEW_URL, form_data(creation_key=key))

    assert response.status_code == 302
    assert response["Location"] == winner["client"].get_absolute_url()
    assert Client.objects.count() == 1
