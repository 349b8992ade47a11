"""Two-factor helpers for tests: codes from a device's secret, and test sign-ins that count as
already verified (see the root conftest.py)."""

import time
from binascii import unhexlify

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP, totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import idle, selectors

TEST_DEVICE_NAME = "Test authenticator"


def code_for(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The code the person's authenticator app shows now (or `steps_ahead` 30-second steps later:
    a code that was already used is refused, so a second sign-in in the same step needs the next)."""
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift + steps_ahead):06d}"


def code_for_key(hex_key: str, *, at: float | None = None) -> str:
    generator = TOTP(unhexlify(hex_key.encode()))
    generator.time = time.time() if at is None else at
    return f"{generator.token():06d}"


def mark_two_factor_verified(client, user) -> TOTPDevice:
    """Give `user` an authenticator app if they have none, and mark the client's session as
    signed in with it (what the verify page does after a right code)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name=TEST_DEVICE_NAME, confirmed=True
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


def verify_required_test_logins(original_login):
    """Wrap Client._login (used by force_login() and login()): a person who must use two-factor
    sign-in gets a verified session, as after the second step."""

    def _login(client, user, backend=None):
        original_login(client, user, backend)
        # A fresh instance: has_perm caches permissions, and tests change roles after creating users.
        fresh = type(user)._default_manager.get(pk=user.pk)
        if selectors.two_factor_required(fresh):
            mark_two_factor_verified(client, fresh)

    return _login


def idle_for(client, seconds: int) -> None:
    """As if the session's last request that counted was `seconds` ago."""
    session = client.session
    session[idle.LAST_ACTIVITY] = int(time.time()) - seconds
    session.save()
