from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from audit import export_urls
from clients import urls as clients_urls
from clinic import views

admin.site.site_header = "Clinic administration"
admin.site.site_title = "Clinic administration"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    # Two-factor sign-in, the manager's sign-in security page, idle sign-out and the form stash.
    path("accounts/", include("accounts.urls")),
    # The client pages, and each client's complete record (audit/export_urls.py) beside them.
    path("clients/", include((clients_urls.urlpatterns + export_urls.urlpatterns, "clients"))),
    path("intake/", include("intake.urls")),
    path("", include("sessions.urls")),
    path("", include("scheduling.urls")),
    # The manager's audit log (/audit/) and each client's access history (/clients/<id>/access/).
    path("", include("audit.urls")),
    # The manager's background jobs: run now, progress, the latest runs.
    path("jobs/", include("jobs.urls")),
    # The manager's imports (Jane, Cliniko, CSV, Excel) and the whole-clinic archive.
    path("imports/", include("imports.urls")),
    path("archive/", include("archive.urls")),
    # Online booking and the waitlist (/book/ is public), text messages (the provider's webhook is
    # public, signed), therapists' calendar feeds (a secret link each).
    path("book/", include("booking.urls")),
    path("messaging/", include("messaging.urls")),
    path("feeds/", include("feeds.urls")),
    path("admin/", admin.site.urls),
]

# Pages anyone may open without signing in. Every other page requires sign-in
# (LoginRequiredMiddleware); clinic/tests/test_public_pages.py fails when a
# page becomes public without being listed here.
PUBLIC_URL_NAMES = {
    "login",
    "healthz",
    "admin:login",
    # The online intake form: the website's new-client form and clients' secret links.
    "intake:new",
    "intake:open",
    "intake:step",
    "intake:done",
    # Twilio posts the texts clients send (replies C, X, STOP): signed, rate- and size-limited.
    "messaging:twilio_inbound",
    # A therapist's calendar feed: calendar apps fetch it by its secret address (feeds/).
    "feeds:feed",
    # Online booking: clients choose, pick a time, give details; their private link to manage it.
    "booking:start",
    "booking:times",
    "booking:details",
    "booking:booked",
    "booking:manage",
    "booking:move",
    "booking:waitlist_join",
    "booking:waitlist_joined",
    "booking:offer",
}
