"""Public intake pages are rate-limited per address."""

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from intake.models import IntakeLink
from intake.tests.helpers import step_data, step_url, verify_identity

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def tight_limit(settings):
    settings.RATE_LIMITS = {"public_intake": (3, 600)}


def test_fourth_request_from_one_address_gets_429(client):
    responses = [client.get(reverse("intake:new")) for _ in range(4)]

    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    assert responses[-1]["Retry-After"] == "600"
    assert "Too many requests" in responses[-1].content.decode()


def test_other_addresses_are_not_held_back(client):
    for _ in range(4):
        client.get(reverse("intake:new"), REMOTE_ADDR="203.0.113.7")

    assert client.get(reverse("intake:new"), REMOTE_ADDR="203.0.113.8").status_code == 200
    assert HttpClient().get(reverse("intake:new"), REMOTE_ADDR="203.0.113.7").status_code == 429


def test_a_forged_forwarded_for_header_does_not_reset_the_count(client):
    for n in range(3):
        client.get(reverse("intake:new"), headers={"X-Forwarded-For": f"198.51.100.{n}"})

    response = client.get(reverse("intake:new"), headers={"X-Forwarded-For": "198.51.100.99"})

    assert response.status_code == 429


def test_limited_post_creates_nothing(client):
    for _ in range(3):
        client.get(reverse("intake:new"))

    response = client.post(reverse("intake:new"), step_data("contact", identity=True))

    assert response.status_code == 429
    assert not IntakeLink.objects.exists()


def test_guessing_identity_is_limited_too(client, client_record, link_and_token):
    link, token = link_and_token
    statuses = [verify_identity(client, token, client_record, last_name=f"Guess{n}").status_code for n in range(4)]

    assert statuses == [200, 200, 200, 429]
    link.refresh_from_db()
    assert link.failed_attempts == 3


def test_front_door_and_steps_share_one_budget(client, client_record, link_and_token):
    _, token = link_and_token
    client.get(reverse("intake:open", args=[token]))
    verify_identity(client, token, client_record)
    client.get(step_url(token, "contact"))

    response = client.post(step_url(token, "contact"), step_data("contact"))

    assert response.status_code == 429
    link = IntakeLink.objects.get()
    assert link.draft == {}
