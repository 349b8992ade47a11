"""Lockout after repeated failed sign-ins, per username and address, with a cool-off."""

from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest
from axes.models import AccessAttempt
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from accounts import lockout
from clinic.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

ATTACKER = "203.0.113.7"


def sign_in(client, username: str, password: str, address: str = ATTACKER, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address, **extra)


def fail(client, username: str, times: int, address: str = ATTACKER, **extra):
    response = None
    for _ in range(times):
        response = sign_in(client, username, "not-the-password", address, **extra)
    return response


def is_signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_four_wrong_passwords_only_ask_to_try_again(client, therapist):
    response = fail(client, "thera", 4)
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert sign_in(client, "thera", PASSWORD).status_code == 302
    assert is_signed_in(client)


def test_fifth_wrong_password_locks_that_username_from_that_address(client, therapist):
    response = fail(client, "thera", 5)

    assert response.status_code == 429
    assert "Sign-in locked for now" in response.content.decode()
    # Even the right password is refused until the cool-off is over.
    response = sign_in(client, "thera", PASSWORD)
    assert response.status_code == 429
    assert not is_signed_in(client)


def test_lockout_page_says_when_to_try_again(client, therapist, monkeypatch):
    frozen = timezone.make_aware(datetime(2026, 3, 2, 9, 41), timezone.get_current_timezone())
    # The clock the lockout page reads (the lockout itself keeps the real one).
    monkeypatch.setattr(lockout, "timezone", SimpleNamespace(localtime=lambda: frozen))

    page = fail(client, "thera", 5).content.decode()

    assert "There were 5 wrong sign-ins for this username from your connection" in page
    assert "Try again after 09:56 (15 minutes from now)" in page
    assert "Colleagues, and you on another connection, can still sign in" in page


def test_a_colleague_behind_the_same_address_still_signs_in(client, therapist, front_desk):
    fail(client, "thera", 5)
    response = sign_in(client, "desk", PASSWORD)
    assert response.status_code == 302
    assert is_signed_in(client)


def test_the_same_person_from_another_address_still_signs_in(client, therapist):
    fail(client, "thera", 5)
    response = sign_in(client, "thera", PASSWORD, address="198.51.100.20")
    assert response.status_code == 302
    assert is_signed_in(client)


def test_sign_in_works_again_after_the_cool_off(client, therapist):
    fail(client, "thera", 5)
    # 16 minutes pass.
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=16))

    response = sign_in(client, "thera", PASSWORD)

    assert response.status_code == 302
    assert is_signed_in(client)


def test_still_locked_just_before_the_cool_off_ends(client, therapist):
    fail(client, "thera", 5)
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=14))
    assert sign_in(client, "thera", PASSWORD).status_code == 429


def test_limit_and_cool_off_come_from_the_settings(client, therapist, settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = timedelta(minutes=60)
    response = fail(client, "thera", 3)
    assert response.status_code == 429
    assert "60 minutes from now" in response.content.decode()


def test_a_right_password_clears_earlier_failures(client, therapist):
    fail(client, "thera", 4)
    sign_in(client, "thera", PASSWORD)
    client.post(reverse("logout"))
    assert fail(client, "thera", 4).status_code == 200


def test_behind_a_proxy_the_forwarded_address_is_counted(client, therapist, settings):
    settings.TRUST_X_FORWARDED_FOR = True
    proxy = "10.0.0.2"
    fail(client, "thera", 5, address=proxy, HTTP_X_FORWARDED_FOR="198.51.100.9")

    assert AccessAttempt.objects.get().ip_address == "198.51.100.9"
    # The same person at the clinic, through the same proxy, is not locked out.
    response = sign_in(client, "thera", PASSWORD, address=proxy, HTTP_X_FORWARDED_FOR="192.0.2.44")
    assert response.status_code == 302


def test_without_a_trusted_proxy_a_forged_header_changes_nothing(client, therapist):
    fail(client, "thera", 5, HTTP_X_FORWARDED_FOR="198.51.100.9")
    response = sign_in(client, "thera", PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.44")
    assert response.status_code == 429


def test_the_admin_sign_in_page_is_protected_too(client, manager):
    response = None
    for _ in range(5):
        response = client.post(
            reverse("admin:login"), {"username": "boss", "password": "wrong-password"}, REMOTE_ADDR=ATTACKER
        )
    assert response.status_code == 429
    assert "Sign-in locked for now" in response.content.decode()


def test_the_test_clients_login_still_works(client, therapist):
    """Sign-ins without a request (the test client's login(), scripts) skip the lockout check."""
    assert client.login(username="thera", password=PASSWORD)
    assert client.get(reverse("clients:list")).status_code == 200
    assert not client.login(username="thera", password="not-the-password")


def test_an_overlong_username_is_refused_without_an_error(client, therapist):
    response = sign_in(client, "a" * 10_001, "not-the-password")
    assert response.status_code == 200
    assert AccessAttempt.objects.get().username == "a" * 150
