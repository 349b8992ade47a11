"""Staff roles, defined in one place.

Each role is a Django group; what it may do is the permission list below.
Views check permissions (never group names), so a clinic can adjust a group
in the admin without code changes, and `migrate` restores these defaults for
any permission that is missing.
"""

from django.contrib.auth.models import Group, Permission
from django.db import models

from accounts.access import CLINICAL_RECORDS, MANAGE_CLINIC

FRONT_DESK = "Front desk"
THERAPIST = "Therapist"
MANAGER = "Clinic manager"


class Role(models.TextChoices):
    FRONT_DESK = FRONT_DESK, "Front desk"
    THERAPIST = THERAPIST, "Therapist"
    MANAGER = MANAGER, "Clinic manager"


# Client profiles: everyone at the clinic works with contact details.
_CLIENT_PROFILE = [
    "clients.view_client",
    "clients.add_client",
    "clients.change_client",
    "clients.archive_client",
]

# Intake links and website submissions: their status and contact details, never the answers.
_INTAKE_DESK = [
    "intake.add_intakelink",
    "intake.view_intakelink",
    "intake.change_intakelink",
    "intake.match_intake",
]

# The schedule: everyone books and runs visits.
_SCHEDULE = [
    "scheduling.view_appointment",
    "scheduling.add_appointment",
    "scheduling.change_appointment",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    FRONT_DESK: [*_CLIENT_PROFILE, *_INTAKE_DESK, *_SCHEDULE],
    THERAPIST: [*_CLIENT_PROFILE, *_INTAKE_DESK, *_SCHEDULE, CLINICAL_RECORDS],
    MANAGER: [
        *_CLIENT_PROFILE,
        *_INTAKE_DESK,
        *_SCHEDULE,
        "scheduling.view_service",
        "scheduling.add_service",
        "scheduling.change_service",
        "scheduling.view_workinghours",
        "scheduling.add_workinghours",
        "scheduling.change_workinghours",
        "scheduling.delete_workinghours",
        "visits.view_technique",
        "visits.add_technique",
        "visits.change_technique",
        "intake.add_consenttext",
        CLINICAL_RECORDS,
        MANAGE_CLINIC,
        "clinic.view_user",
        "clinic.add_user",
        "clinic.change_user",
        "auth.view_group",
        # Sign-in protection in the admin: see and lift lockouts, see sign-ins.
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
        "axes.view_accesslog",
    ],
}


def _permission(dotted: str) -> Permission | None:
    app_label, codename = dotted.split(".", 1)
    return Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()


def sync_role_groups(**kwargs) -> None:
    """Create the role groups and grant each the permissions listed above."""
    for role, dotted_names in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        permissions = [p for p in map(_permission, dotted_names) if p is not None]
        group.permissions.add(*permissions)
