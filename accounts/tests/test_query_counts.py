"""Query-count guards: the sign-in security page and the two-factor page cost the same however
many staff, authenticator apps and recovery codes there are."""

import pytest
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import ClinicPolicy
from accounts.roles import FRONT_DESK, MANAGER, THERAPIST
from accounts.services import clinic_policy_update, recovery_codes_create
from accounts.tests.helpers import mark_two_factor_verified
from clinic.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# Session, user, permissions, the manager's two-factor device, the policy and who changed it,
# the staff with their roles (one query) and whether each has an authenticator app.
SECURITY_QUERIES = 11
TWO_FACTOR_QUERIES = 9  # the authenticator app, the recovery codes left


def add_staff(count: int) -> None:
    """`count` staff in each role, every other one with an authenticator app."""
    for n in range(count):
        for role in (FRONT_DESK, THERAPIST, MANAGER):
            person = UserFactory(role=role)
            if n % 2 == 0:
                TOTPDevice.objects.create(user=person, name="Phone", confirmed=True)


def test_security_page_queries_do_not_grow_with_staff(client, manager, django_assert_max_num_queries):
    clinic_policy_update(policy=ClinicPolicy.load(), require_two_factor=False, by=manager)
    add_staff(1)
    client.force_login(manager)
    url = reverse("accounts:security")

    with django_assert_max_num_queries(SECURITY_QUERIES):
        client.get(url)
    add_staff(15)
    with django_assert_max_num_queries(SECURITY_QUERIES):
        response = client.get(url)

    html = response.content.decode()
    assert html.count("<td>Clinic manager</td>") == 17
    assert html.count("Reset (lost phone)") == 3 + 8 * 3  # not for the manager themself


def test_two_factor_page_queries_do_not_grow_with_recovery_codes(client, therapist, django_assert_max_num_queries):
    client.force_login(therapist)
    mark_two_factor_verified(client, therapist)
    device = StaticDevice.objects.create(user=therapist, name="Recovery codes", confirmed=True)
    StaticToken.objects.create(device=device, token="abcdefgh")
    url = reverse("accounts:two_factor")

    with django_assert_max_num_queries(TWO_FACTOR_QUERIES):
        few = client.get(url)
    recovery_codes_create(user=therapist)
    with django_assert_max_num_queries(TWO_FACTOR_QUERIES):
        many = client.get(url)

    assert "1 unused recovery code left" in few.content.decode()
    assert "10 unused recovery codes left" in many.content.decode()
