from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, QuerySet
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.access import can_manage_clinic
from accounts.models import ClinicPolicy, FormStash


@dataclass(frozen=True)
class TwoFactorState:
    has_device: bool  # a confirmed authenticator app
    required: bool  # the manager role, or the clinic-wide switch


def with_two_factor_state(users: QuerySet) -> QuerySet:
    """Staff with has_two_factor_device and two_factor_for_everyone (the clinic-wide switch)."""
    return users.annotate(
        has_two_factor_device=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)),
        two_factor_for_everyone=Exists(ClinicPolicy.objects.filter(require_two_factor=True)),
    )


def two_factor_state(user) -> TwoFactorState:
    """Whether this person has an authenticator app and whether they must have one.

    The signed-in person comes with both facts (accounts.backends.StaffBackend), so pages pay
    no query for them; anyone else costs one. The role check uses the permission cache that
    the page's own permission checks fill anyway.
    """
    has_device = getattr(user, "has_two_factor_device", None)
    everyone = getattr(user, "two_factor_for_everyone", None)
    if has_device is None or everyone is None:
        has_device, everyone = (
            with_two_factor_state(get_user_model().objects.filter(pk=user.pk))
            .values_list("has_two_factor_device", "two_factor_for_everyone")
            .get()
        )
    return TwoFactorState(has_device=has_device, required=everyone or can_manage_clinic(user))


def two_factor_required(user) -> bool:
    return two_factor_state(user).required


def authenticator_for(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def staff_two_factor_overview() -> QuerySet:
    """Active staff with has_two_factor, for the manager's sign-in security page."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .annotate(has_two_factor=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)))
        .prefetch_related("groups")
        .order_by("first_name", "last_name", "username")
    )


def stash_for(*, user, path: str) -> FormStash | None:
    return FormStash.objects.for_page(user=user, path=path).first()
