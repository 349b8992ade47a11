"""Password rules: Django's validators, at least 10 characters, no composition rules."""

import pytest
from django.urls import reverse

from clinic.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def change_password(client, new: str):
    return client.post(
        reverse("password_change"), {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )


def test_a_nine_character_password_is_refused(client, therapist):
    client.force_login(therapist)

    response = change_password(client, "kq7vmwzrt")

    assert response.status_code == 200
    assert "This password is too short. It must contain at least 10 characters." in response.content.decode()
    therapist.refresh_from_db()
    assert therapist.check_password(PASSWORD)


def test_a_long_lowercase_passphrase_is_accepted(client, therapist):
    client.force_login(therapist)

    response = change_password(client, "maple kettle harbour sunrise")

    assert response.status_code == 302
    assert response["Location"] == reverse("password_change_done")
    therapist.refresh_from_db()
    assert therapist.check_password("maple kettle harbour sunrise")


def test_a_common_password_is_refused_whatever_its_length(client, therapist):
    client.force_login(therapist)
    response = change_password(client, "password123")
    assert "This password is too common." in response.content.decode()
