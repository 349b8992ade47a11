from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef, Q, Value
from django.db.models.functions import Concat

from accounts import selectors


class StaffBackend(ModelBackend):
    """Django's ModelBackend, but the signed-in person is loaded in ONE query together with
    what every page asks: their role groups (navigation), their permissions (every view and
    menu checks them), and the two-factor facts (has an authenticator app? does the clinic
    require one?). Without this, each page paid four more queries before doing anything."""

    def get_user(self, user_id):
        model = get_user_model()
        users = selectors.with_two_factor_state(model._default_manager.all()).annotate(
            group_names=ArraySubquery(Group.objects.filter(user=OuterRef("pk")).values("name")),
            permission_names=ArraySubquery(
                Permission.objects.filter(Q(group__user=OuterRef("pk")) | Q(user=OuterRef("pk")))
                .annotate(full_name=Concat("content_type__app_label", Value("."), "codename"))
                .values("full_name")
            ),
        )
        try:
            user = users.get(pk=user_id)
        except model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

    def get_all_permissions(self, user_obj, obj=None):
        loaded = getattr(user_obj, "permission_names", None)
        if loaded is not None and not hasattr(user_obj, "_perm_cache") and not user_obj.is_superuser:
            if not user_obj.is_active or obj is not None:
                return set()
            user_obj._perm_cache = set(loaded)
        return super().get_all_permissions(user_obj, obj)
