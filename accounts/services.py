import time
from binascii import unhexlify

from django.db import transaction
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from accounts.models import ClinicPolicy, FormStash

RECOVERY_CODE_COUNT = 10
AUTHENTICATOR_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"


# --- Two-factor sign-in -----------------------------------------------------------------------


def new_authenticator_key() -> str:
    """A fresh TOTP secret (hex, as django-otp stores it), kept in the session until confirmed."""
    return default_key()


def pending_authenticator(*, user, key: str) -> TOTPDevice:
    """An unsaved device for the set-up page's QR code and secret."""
    return TOTPDevice(user=user, key=key, name=AUTHENTICATOR_NAME, confirmed=False)


@transaction.atomic
def authenticator_enable(*, user, key: str, code: str) -> TOTPDevice | None:
    """Confirm a new authenticator app with a code it shows; it replaces any earlier one.

    Returns the saved device, or None when the code does not match the secret.
    """
    try:
        token = int(code)
    except ValueError:
        return None
    totp = TOTP(unhexlify(key.encode()))
    totp.time = time.time()
    if not totp.verify(token, tolerance=1):
        return None
    TOTPDevice.objects.filter(user=user).delete()
    return TOTPDevice.objects.create(
        user=user,
        key=key,
        name=AUTHENTICATOR_NAME,
        confirmed=True,
        drift=totp.drift,
        last_t=totp.t(),  # this code cannot be used again to sign in
        last_used_at=timezone.now(),
    )


@transaction.atomic
def recovery_codes_create(*, user) -> list[str]:
    """Ten new one-time recovery codes; earlier ones stop working. Shown to the person once."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def two_factor_verify(*, user, code: str):
    """Check a code from the authenticator app or a recovery code (used up on success).

    Returns (device, wait): the device that accepted the code, or None; `wait` is True when
    too many wrong codes were tried and the device asks to wait before the next try.
    """
    code = "".join(code.split()).replace("-", "").lower()
    if code.isdigit() and len(code) == 6:
        devices = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True)
    else:
        devices = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True)
    wait = False
    for device in devices:
        allowed, _ = device.verify_is_allowed()
        if not allowed:
            wait = True
            continue
        if device.verify_token(code):
            return device, False
    return None, wait


@transaction.atomic
def two_factor_disable(*, user) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def clinic_policy_update(*, policy: ClinicPolicy, require_two_factor: bool, by) -> ClinicPolicy:
    policy.require_two_factor = require_two_factor
    policy.updated_by = by
    policy.full_clean()
    policy.save()
    return policy


# --- The form stash (idle sign-out) -----------------------------------------------------------


def stash_save(*, user, path: str, data: dict) -> FormStash:
    """Keep what this person typed on this page (one stash per person and page) and forget
    stashes nobody came back for."""
    FormStash.objects.filter(saved_at__lt=timezone.now() - FormStash.MAX_AGE).delete()
    stash, _ = FormStash.objects.update_or_create(
        user=user,
        path_hash=FormStash.hash_path(path),
        defaults={"data": data, "saved_at": timezone.now()},
    )
    return stash


def stash_discard(*, user, path: str) -> None:
    FormStash.objects.filter(user=user, path_hash=FormStash.hash_path(path)).delete()
