"""The manager runs staff, working hours, techniques and services from the admin."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "name",
    [
        "admin:index",
        "admin:clinic_user_changelist",
        "admin:visits_technique_changelist",
        "admin:scheduling_service_changelist",
        "admin:scheduling_workinghours_changelist",
        "admin:clients_client_changelist",
    ],
)
def test_manager_opens_admin_pages(client, manager, name):
    client.force_login(manager)
    assert client.get(reverse(name)).status_code == 200


def test_manager_edits_a_therapists_working_hours_on_the_staff_page(client, manager, therapist):
    client.force_login(manager)
    page = client.get(reverse("admin:clinic_user_change", args=[therapist.pk])).content.decode()
    assert "Working hours" in page


@pytest.mark.parametrize("persona", ["front_desk", "therapist"])
def test_other_roles_cannot_use_the_admin(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_a_manager_cannot_make_anyone_a_superuser_or_grant_single_permissions(client, manager, therapist):
    client.force_login(manager)
    page = client.get(reverse("admin:clinic_user_change", args=[therapist.pk])).content.decode()
    assert 'name="is_superuser"' not in page
    assert 'name="user_permissions"' not in page
