from django.contrib.auth.models import AbstractUser, UserManager

from accounts import access
from accounts.roles import ROLE_PERMISSIONS, Role


class StaffManager(UserManager):
    def therapists(self):
        """Active staff in the therapist role, for booking and the day view."""
        from accounts.roles import THERAPIST

        return self.filter(groups__name=THERAPIST, is_active=True).order_by("first_name", "last_name", "id")


class User(AbstractUser):
    """A staff member. Clients never have accounts."""

    objects = StaffManager()

    class Meta:
        db_table = "clinic_user"
        permissions = [
            ("view_clinical_records", "Can read and write clinical records"),
            ("manage_clinic", "Can manage staff, services, fees and audits"),
        ]

    def __str__(self):
        return self.get_full_name() or self.username

    @property
    def roles(self) -> list[str]:
        """Names of the role groups this person belongs to (order of ROLE_PERMISSIONS)."""
        loaded = getattr(self, "group_names", None)  # the signed-in person: see accounts.backends
        names = set(loaded) if loaded is not None else {group.name for group in self.groups.all()}
        return [role for role in ROLE_PERMISSIONS if role in names]

    @property
    def role_label(self) -> str:
        labels = dict(Role.choices)
        return ", ".join(labels[r] for r in self.roles) or ("Administrator" if self.is_superuser else "No role")

    @property
    def can_read_clinical(self) -> bool:
        return access.can_read_clinical(self)
