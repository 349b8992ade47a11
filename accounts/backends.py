from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from accounts import selectors


class StaffBackend(ModelBackend):
    """Django's ModelBackend, but the signed-in person is loaded together with what two-factor
    enforcement asks on every page (has an authenticator app? does the clinic require one?),
    in the same query."""

    def get_user(self, user_id):
        model = get_user_model()
        try:
            user = selectors.with_two_factor_state(model._default_manager.all()).get(pk=user_id)
        except model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
