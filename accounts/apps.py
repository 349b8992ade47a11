from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in


class AccountsConfig(AppConfig):
    """Sign-in protection: lockout, two-factor sign-in, idle sign-out and the form stash."""

    name = "accounts"
    verbose_name = "Sign-in protection"

    def ready(self):
        from accounts import idle

        # The idle clock starts at sign-in (like Django's own update_last_login).
        user_logged_in.connect(idle.start_clock, dispatch_uid="accounts.idle.start_clock")
