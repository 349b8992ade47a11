from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("2fa/", views.two_factor_manage, name="two_factor"),
    path("2fa/setup/", views.two_factor_setup, name="two_factor_setup"),
    path("2fa/verify/", views.two_factor_verify, name="two_factor_verify"),
    path("2fa/recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("2fa/recovery-codes/new/", views.recovery_codes_new, name="recovery_codes_new"),
    path("2fa/disable/", views.two_factor_disable, name="two_factor_disable"),
    path("security/", views.security_policy, name="security"),
    path("security/<int:user_pk>/reset-two-factor/", views.two_factor_reset, name="two_factor_reset"),
    path("session/", views.session_status, name="session_status"),
    path("session/keep-alive/", views.keep_alive, name="keep_alive"),
    path("stash/", views.stash, name="stash"),
    path("stash/discard/", views.stash_discard, name="stash_discard"),
]
