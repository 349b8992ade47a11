"""Two-factor sign-in: authenticator apps (TOTP) and one-time recovery codes.

These tests sign in without the root conftest's auto-verification (real_two_factor), so they
see exactly what a person sees.
"""

import re
from urllib.parse import quote

import pytest
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import ClinicPolicy
from accounts.tests.helpers import code_for, code_for_key
from accounts.views import PENDING_KEY
from clinic.tests.factories import PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.real_two_factor]

SETUP = reverse("accounts:two_factor_setup")
VERIFY = reverse("accounts:two_factor_verify")


@pytest.fixture(autouse=True)
def _no_throttle_delay(settings):
    # django-otp makes a person wait after a wrong code (1 s, then 2 s, ...): not in these tests.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def sign_in(client, username: str, next_url: str = ""):
    data = {"username": username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("login"), data)


def set_up_authenticator(client) -> TOTPDevice:
    """Open the set-up page, read the secret, confirm with the app's code."""
    page = client.get(SETUP)
    assert page.status_code == 200
    key = client.session[PENDING_KEY]
    response = client.post(SETUP, {"code": code_for_key(key)})
    assert response.status_code == 302
    return TOTPDevice.objects.get(user__username=response.wsgi_request.user.username)


def recovery_codes_from(response) -> list[str]:
    return re.findall(r"<li>([a-z2-7]{8})</li>", response.content.decode())


def test_manager_without_authenticator_is_sent_to_set_up_from_any_page(client, manager):
    client.force_login(manager)
    for name in ["home", "clients:list", "scheduling:services", "accounts:security", "admin:index"]:
        path = reverse(name)
        response = client.get(path)
        assert response.status_code == 302, name
        assert response["Location"] == f"{SETUP}?next={quote(path, safe='/')}", name


def test_setup_page_shows_a_qr_code_and_the_secret_to_type(client, manager):
    client.force_login(manager)
    page = client.get(SETUP).content.decode()
    assert "<svg" in page and "QR code for your authenticator app" in page
    secret = page.split('id="totp-secret">')[1].split("<")[0]
    assert re.fullmatch(r"([A-Z2-7]{4} ){7}[A-Z2-7]{4}", secret.strip())
    assert "Clinic managers sign in with a second step" in page
    # Only the clinic's name and "Sign out" until it is set up: no way around the step.
    assert "Sign out" in page and reverse("clients:list") not in page


def test_setup_with_the_apps_code_turns_two_factor_on_and_shows_recovery_codes_once(client, manager):
    client.force_login(manager)
    client.get(SETUP)
    key = client.session[PENDING_KEY]

    response = client.post(SETUP, {"code": code_for_key(key), "next": "/clients/"}, follow=True)

    device = TOTPDevice.objects.get(user=manager)
    assert device.confirmed and device.key == key
    page = response.content.decode()
    assert "Two-factor sign-in is on." in page
    codes = recovery_codes_from(response)
    assert len(codes) == 10
    assert set(StaticToken.objects.filter(device__user=manager).values_list("token", flat=True)) == set(codes)
    assert 'href="/clients/"' in page
    # Signed in with the second factor: pages open now.
    assert client.get(reverse("clients:list")).status_code == 200
    # Shown once.
    assert client.get(reverse("accounts:recovery_codes")).status_code == 302


def test_setup_refuses_a_wrong_code(client, manager):
    client.force_login(manager)
    client.get(SETUP)
    key = client.session[PENDING_KEY]
    wrong = f"{(int(code_for_key(key)) + 1) % 1_000_000:06d}"

    response = client.post(SETUP, {"code": wrong})

    assert response.status_code == 200
    assert "That code does not match" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=manager).exists()
    assert client.get(reverse("clients:list"))["Location"].startswith(SETUP)


def test_next_sign_in_asks_for_a_code_and_a_right_code_lets_in(client, manager):
    client.force_login(manager)
    device = set_up_authenticator(client)
    client.logout()

    response = sign_in(client, "boss", next_url="/clients/")
    assert response.status_code == 302 and response["Location"] == "/clients/"
    response = client.get("/clients/")
    assert response["Location"] == f"{VERIFY}?next={quote('/clients/', safe='/')}"
    page = client.get(response["Location"]).content.decode()
    assert "Open your authenticator app" in page

    # The code used at set-up cannot be used again: the app's next code is.
    response = client.post(VERIFY, {"code": code_for(device, steps_ahead=1), "next": "/clients/"})
    assert response.status_code == 302 and response["Location"] == "/clients/"
    assert client.get("/clients/").status_code == 200


def test_wrong_code_is_refused(client, therapist):
    device = TOTPDevice.objects.create(user=therapist, name="Phone", confirmed=True)
    sign_in(client, "thera")
    wrong = f"{(int(code_for(device)) + 500_000) % 1_000_000:06d}"

    response = client.post(VERIFY, {"code": wrong})

    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    assert client.get(reverse("clients:list"))["Location"].startswith(VERIFY)


def test_after_many_wrong_codes_the_person_must_wait(client, therapist, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 60
    device = TOTPDevice.objects.create(user=therapist, name="Phone", confirmed=True)
    sign_in(client, "thera")
    client.post(VERIFY, {"code": "000000" if code_for(device) != "000000" else "111111"})

    response = client.post(VERIFY, {"code": code_for(device)})

    assert "Too many wrong codes" in response.content.decode()
    assert client.get(reverse("clients:list"))["Location"].startswith(VERIFY)


def test_recovery_code_works_once(client, manager):
    client.force_login(manager)
    client.get(SETUP)
    response = client.post(SETUP, {"code": code_for_key(client.session[PENDING_KEY])}, follow=True)
    codes = recovery_codes_from(response)
    client.logout()

    sign_in(client, "boss")
    response = client.post(VERIFY, {"code": codes[0].upper()[:4] + "-" + codes[0][4:]}, follow=True)
    assert "You signed in with a recovery code" in response.content.decode()
    assert "9 left" in response.content.decode()
    assert client.get(reverse("clients:list")).status_code == 200
    client.logout()

    sign_in(client, "boss")
    response = client.post(VERIFY, {"code": codes[0]})
    assert response.status_code == 200
    assert "That code is not right (or was already used)" in response.content.decode()
    assert client.get(reverse("clients:list"))["Location"].startswith(VERIFY)


def test_a_verified_session_of_someone_else_device_does_not_count(client, therapist, front_desk):
    other = TOTPDevice.objects.create(user=front_desk, name="Phone", confirmed=True)
    TOTPDevice.objects.create(user=therapist, name="Phone", confirmed=True)
    sign_in(client, "thera")
    response = client.post(VERIFY, {"code": code_for(other)})
    assert response.status_code == 200
    assert client.get(reverse("clients:list"))["Location"].startswith(VERIFY)


def test_clinic_wide_switch_sends_a_therapist_to_set_up(client, therapist):
    ClinicPolicy.objects.create(pk=1, require_two_factor=True)
    client.force_login(therapist)

    response = client.get(reverse("scheduling:dashboard"))

    assert response["Location"].startswith(SETUP)
    page = client.get(SETUP).content.decode()
    assert "The clinic asks everyone to sign in with a second step" in page


def test_someone_not_required_without_an_authenticator_is_not_bothered(client, front_desk, therapist):
    for person in (front_desk, therapist):
        client.force_login(person)
        assert client.get(reverse("clients:list")).status_code == 200
        assert client.get(reverse("home")).status_code == 302
        assert not client.get(reverse("home"))["Location"].startswith((SETUP, VERIFY))


def test_someone_with_an_authenticator_verifies_even_when_not_required(client, front_desk):
    TOTPDevice.objects.create(user=front_desk, name="Phone", confirmed=True)
    client.force_login(front_desk)
    assert client.get(reverse("clients:list"))["Location"].startswith(VERIFY)


def test_pages_open_before_the_second_step(client, manager):
    client.force_login(manager)
    assert client.get(reverse("healthz")).status_code == 200
    assert client.get(reverse("intake:new")).status_code == 200
    assert client.get(reverse("accounts:session_status")).status_code == 200
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_set_up_page_cannot_replace_a_device_before_the_second_step(client, front_desk):
    """Otherwise a stolen password could add the thief's own phone."""
    TOTPDevice.objects.create(user=front_desk, name="Phone", confirmed=True)
    sign_in(client, "desk")
    response = client.get(SETUP)
    assert response["Location"].startswith(VERIFY)
    response = client.post(SETUP, {"code": "123456"})
    assert response["Location"].startswith(VERIFY)
    assert TOTPDevice.objects.filter(user=front_desk).count() == 1


def test_moving_to_a_new_phone_replaces_the_old_device(client, therapist):
    client.force_login(therapist)
    old = set_up_authenticator(client)
    client.get(SETUP)
    new_key = client.session[PENDING_KEY]
    assert new_key != old.key
    client.post(SETUP, {"code": code_for_key(new_key)})
    assert list(TOTPDevice.objects.filter(user=therapist).values_list("key", flat=True)) == [new_key]


def test_manage_page_makes_new_recovery_codes(client, therapist):
    client.force_login(therapist)
    set_up_authenticator(client)
    old = set(StaticToken.objects.filter(device__user=therapist).values_list("token", flat=True))

    response = client.post(reverse("accounts:recovery_codes_new"), follow=True)

    new = recovery_codes_from(response)
    assert len(new) == 10 and not old & set(new)
    assert set(StaticToken.objects.filter(device__user=therapist).values_list("token", flat=True)) == set(new)
    page = client.get(reverse("accounts:two_factor")).content.decode()
    assert "10 unused recovery codes left" in page


def test_someone_not_required_can_turn_two_factor_off_with_a_code(client, therapist):
    client.force_login(therapist)
    device = set_up_authenticator(client)

    response = client.post(reverse("accounts:two_factor_disable"), {"code": code_for(device, steps_ahead=1)})

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=therapist).exists()
    assert not StaticToken.objects.filter(device__user=therapist).exists()
    assert client.get(reverse("clients:list")).status_code == 200


def test_manager_cannot_turn_two_factor_off(client, manager):
    client.force_login(manager)
    device = set_up_authenticator(client)
    page = client.get(reverse("accounts:two_factor")).content.decode()
    assert "required for you, so it cannot be turned off" in page

    response = client.post(reverse("accounts:two_factor_disable"), {"code": code_for(device, steps_ahead=1)})

    assert response.status_code == 302
    assert TOTPDevice.objects.filter(user=manager).exists()


def test_manager_turns_on_two_factor_for_everyone(client, manager, front_desk):
    client.force_login(manager)
    set_up_authenticator(client)

    page = client.get(reverse("accounts:security")).content.decode()
    assert "Require two-factor sign-in for all staff" in page
    assert page.count("Not set up") >= 1  # front desk, who has none
    response = client.post(reverse("accounts:security"), {"require_two_factor": "on"}, follow=True)

    assert "now required for all staff" in response.content.decode()
    policy = ClinicPolicy.objects.get()
    assert policy.require_two_factor and policy.updated_by == manager
    client.force_login(front_desk)
    assert client.get(reverse("clients:list"))["Location"].startswith(SETUP)


@pytest.mark.parametrize("persona", ["front_desk", "therapist"])
def test_only_the_manager_changes_the_clinic_wide_switch(client, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("accounts:security")).status_code == 403
    assert client.post(reverse("accounts:security"), {"require_two_factor": "on"}).status_code == 403
    assert not ClinicPolicy.objects.filter(require_two_factor=True).exists()


def test_htmx_requests_are_redirected_as_a_whole_page(client, manager):
    client.force_login(manager)
    response = client.get(reverse("clients:list"), {"q": "smith"}, headers={"HX-Request": "true"})
    assert response["HX-Redirect"].startswith(SETUP)


def test_manager_resets_two_factor_for_someone_who_lost_their_phone(client, manager, therapist):
    TOTPDevice.objects.create(user=therapist, name="Phone", confirmed=True)
    client.force_login(manager)
    set_up_authenticator(client)
    page = client.get(reverse("accounts:security")).content.decode()
    assert f"Reset two-factor sign-in for {therapist}" in page

    response = client.post(reverse("accounts:two_factor_reset", args=[therapist.pk]), follow=True)

    assert f"Two-factor sign-in reset for {therapist}" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=therapist).exists()
    client.force_login(therapist)
    assert client.get(reverse("clients:list")).status_code == 200


def test_only_the_manager_resets_someone_elses_two_factor(client, front_desk, therapist):
    TOTPDevice.objects.create(user=therapist, name="Phone", confirmed=True)
    client.force_login(front_desk)
    assert client.post(reverse("accounts:two_factor_reset", args=[therapist.pk])).status_code == 403
    assert TOTPDevice.objects.filter(user=therapist).exists()
