"""The form stash: what was typed when the idle sign-out came, per person and per page."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import idle
from accounts.models import FormStash
from accounts.roles import THERAPIST
from accounts.tests.helpers import idle_for
from clinic.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

STASH = reverse("accounts:stash")
DISCARD = reverse("accounts:stash_discard")
NOTE_PATH = "/clients/7/notes/12/edit/"
VALUES = [
    ["version", "3"],
    ["update_since_last", "Slept badly; neck stiff on waking"],
    ["techniques", "Swedish"],
    ["techniques", "Myofascial release"],
    ["area-neck_back-side", "left"],
]
NAMES = ["version", "update_since_last", "techniques", "health_changed", "area-neck_back-side"]


def save(client, path=NOTE_PATH, values=VALUES, names=NAMES):
    return client.post(STASH, {"path": path, "values": json.dumps(values), "names": json.dumps(names)})


def load(client, path=NOTE_PATH):
    return client.get(STASH, {"path": path})


def test_saved_values_come_back_for_the_same_person_and_page(client, therapist):
    client.force_login(therapist)
    assert save(client).status_code == 201

    response = load(client)

    assert response.status_code == 200
    data = response.json()
    assert data["found"] is True
    assert data["values"] == VALUES
    assert data["names"] == NAMES


def test_the_page_is_stored_only_as_a_hash(client, therapist):
    """Intake links carry their secret in the path."""
    client.force_login(therapist)
    save(client, path="/intake/f/SECRET-TOKEN/health/")
    stash = FormStash.objects.get()
    assert "SECRET-TOKEN" not in stash.path_hash
    assert stash.path_hash == FormStash.hash_path("/intake/f/SECRET-TOKEN/health/")


def test_a_stash_is_per_page(client, therapist):
    client.force_login(therapist)
    save(client)
    assert load(client, path="/clients/7/notes/13/edit/").json() == {"found": False}


def test_saving_again_replaces_the_stash(client, therapist):
    client.force_login(therapist)
    save(client)
    save(client, values=[["update_since_last", "Second try"]])
    assert FormStash.objects.count() == 1
    assert load(client).json()["values"] == [["update_since_last", "Second try"]]


def test_other_people_cannot_read_a_stash(client, therapist):
    client.force_login(therapist)
    save(client)
    colleague = UserFactory(role=THERAPIST, username="colleague")
    client.force_login(colleague)

    response = load(client)

    assert response.json() == {"found": False}
    assert "Slept badly" not in response.content.decode()
    assert client.post(DISCARD, {"path": NOTE_PATH}).status_code == 200
    assert FormStash.objects.filter(user=therapist).exists()  # the colleague's discard touched only their own


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for response in (load(client), save(client), client.post(DISCARD, {"path": NOTE_PATH})):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert not FormStash.objects.exists()


def test_discard_after_restoring(client, therapist):
    client.force_login(therapist)
    save(client)
    assert client.post(DISCARD, {"path": NOTE_PATH}).json() == {"discarded": True}
    assert not FormStash.objects.exists()
    assert load(client).json() == {"found": False}


def test_old_stashes_are_not_restored_and_are_cleaned_up(client, therapist):
    client.force_login(therapist)
    save(client)
    FormStash.objects.update(saved_at=timezone.now() - timedelta(days=2))
    assert load(client).json() == {"found": False}
    save(client, path="/clients/8/notes/1/edit/")
    assert FormStash.objects.count() == 1


@pytest.mark.parametrize(
    "path, values",
    [
        ("https://elsewhere.example/", VALUES),
        ("//elsewhere.example/", VALUES),
        (NOTE_PATH, {"not": "pairs"}),
        (NOTE_PATH, [["name", 3]]),
        (NOTE_PATH, [["a", "b", "c"]]),
    ],
)
def test_malformed_stashes_are_refused(client, therapist, path, values):
    client.force_login(therapist)
    assert save(client, path=path, values=values).status_code == 400
    assert not FormStash.objects.exists()


def test_stash_sent_as_the_time_runs_out_is_kept_then_the_session_ends(client, therapist):
    """A tablet that slept through the timeout still saves what was typed, then is signed out."""
    client.force_login(therapist)
    idle_for(client, 45 * 60)

    response = save(client)

    assert response.status_code == 201
    assert FormStash.objects.filter(user=therapist).exists()
    assert "_auth_user_id" not in client.session
    # After signing in again, the page's script finds it.
    client.force_login(therapist)
    assert load(client).json()["values"] == VALUES


def test_saving_or_reading_a_stash_does_not_count_as_activity(client, therapist):
    client.force_login(therapist)
    idle_for(client, 20 * 60)
    save(client)
    load(client)
    assert idle.seconds_left(client.session) <= 10 * 60
