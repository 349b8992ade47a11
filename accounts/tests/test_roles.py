"""Role groups: created from accounts/roles.py and kept in step by sync_role_groups."""

import pytest
from django.contrib.auth.models import Group, Permission

from accounts.roles import FRONT_DESK, MANAGER, ROLE_PERMISSIONS, THERAPIST, sync_role_groups

pytestmark = pytest.mark.django_db


def group_permissions() -> dict[str, set[str]]:
    return {
        group.name: {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        for group in Group.objects.prefetch_related("permissions__content_type")
    }


def test_sync_creates_the_three_role_groups_with_their_listed_permissions():
    Group.objects.all().delete()

    sync_role_groups()

    assert group_permissions() == {role: set(names) for role, names in ROLE_PERMISSIONS.items()}
    assert set(group_permissions()) == {FRONT_DESK, THERAPIST, MANAGER}


def test_every_listed_permission_exists():
    # A misspelt name would otherwise be skipped silently and the role would lack it.
    for names in ROLE_PERMISSIONS.values():
        for dotted in names:
            app_label, codename = dotted.split(".", 1)
            assert Permission.objects.filter(content_type__app_label=app_label, codename=codename).exists(), dotted


def test_running_sync_twice_changes_nothing():
    Group.objects.all().delete()
    sync_role_groups()
    ids_before = dict(Group.objects.values_list("name", "id"))
    permissions_before = group_permissions()

    sync_role_groups()

    assert dict(Group.objects.values_list("name", "id")) == ids_before
    assert group_permissions() == permissions_before


def test_sync_restores_a_missing_permission_and_keeps_one_added_in_the_admin():
    therapist_group = Group.objects.get(name=THERAPIST)
    clinical = Permission.objects.get(content_type__app_label="clinic", codename="view_clinical_records")
    extra = Permission.objects.get(content_type__app_label="auth", codename="view_group")
    therapist_group.permissions.remove(clinical)
    therapist_group.permissions.add(extra)

    sync_role_groups()

    names = group_permissions()[THERAPIST]
    assert "clinic.view_clinical_records" in names
    assert "auth.view_group" in names


def test_front_desk_cannot_read_clinical_records(front_desk):
    assert not front_desk.has_perm("clinic.view_clinical_records")
    assert not front_desk.can_read_clinical
    assert front_desk.has_perm("clients.view_client")
    assert not front_desk.has_perm("clinic.manage_clinic")


@pytest.mark.parametrize("persona", ["therapist", "manager"])
def test_clinicians_and_manager_can_read_clinical_records(request, persona):
    user = request.getfixturevalue(persona)

    assert user.has_perm("clinic.view_clinical_records")
    assert user.can_read_clinical


def test_only_the_manager_can_manage_the_clinic(front_desk, therapist, manager):
    assert [u.has_perm("clinic.manage_clinic") for u in (front_desk, therapist, manager)] == [False, False, True]


def test_user_without_a_role_has_no_permissions(no_role_user):
    assert no_role_user.get_all_permissions() == set()
    assert no_role_user.role_label == "No role"


def test_role_label_names_the_persona_role(front_desk, therapist, manager):
    assert (front_desk.role_label, therapist.role_label, manager.role_label) == (
        "Front desk",
        "Therapist",
        "Clinic manager",
    )
