from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

# The signed-in person, with what every page asks of them, in ONE statement: their role
# groups (navigation), their permissions as "app_label.codename" (every view and menu checks
# them), whether they have a confirmed authenticator app and whether the clinic requires one
# of everybody (two-factor enforcement). Fixed SQL rather than a queryset: every request runs
# it, and building the equivalent queryset cost more Python time than the query itself.
SIGNED_IN_USER_SQL = """
SELECT u.*,
    ARRAY(SELECT g.name FROM auth_group g JOIN clinic_user_groups ug ON ug.group_id = g.id
          WHERE ug.user_id = u.id) AS group_names,
    ARRAY(SELECT ct.app_label || '.' || p.codename
          FROM auth_permission p JOIN django_content_type ct ON ct.id = p.content_type_id
          WHERE p.id IN (SELECT gp.permission_id FROM auth_group_permissions gp
                         JOIN clinic_user_groups ug ON ug.group_id = gp.group_id WHERE ug.user_id = u.id
                         UNION
                         SELECT up.permission_id FROM clinic_user_user_permissions up WHERE up.user_id = u.id)
    ) AS permission_names,
    EXISTS(SELECT 1 FROM otp_totp_totpdevice d WHERE d.user_id = u.id AND d.confirmed) AS has_two_factor_device,
    EXISTS(SELECT 1 FROM accounts_clinicpolicy c WHERE c.require_two_factor) AS two_factor_for_everyone
FROM clinic_user u
WHERE u.id = %s
"""


class StaffBackend(ModelBackend):
    """Django's ModelBackend, but the signed-in person comes with their groups, permissions
    and two-factor state in one query (accounts.selectors reads the two-factor attributes;
    clinic.models.User.roles the groups). Without this, each page paid four more queries."""

    def get_user(self, user_id):
        try:
            user_id = int(user_id)
        except (TypeError, ValueError):
            return None
        user = next(iter(get_user_model().objects.raw(SIGNED_IN_USER_SQL, [user_id])), None)
        return user if user is not None and self.user_can_authenticate(user) else None

    def get_all_permissions(self, user_obj, obj=None):
        loaded = getattr(user_obj, "permission_names", None)
        if loaded is not None and not hasattr(user_obj, "_perm_cache") and not user_obj.is_superuser:
            if not user_obj.is_active or obj is not None:
                return set()
            user_obj._perm_cache = set(loaded)
        return super().get_all_permissions(user_obj, obj)
