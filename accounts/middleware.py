"""Idle sign-out and two-factor enforcement, for every page."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import resolve_url
from django.urls import reverse

from accounts import idle, selectors

# Requests idle.js makes on its own: they neither count as activity nor sign anyone out
# (the stash is saved just as the time runs out; the sign-out follows it).
BACKGROUND_URL_NAMES = ["accounts:session_status", "accounts:stash", "accounts:stash_discard"]

# Pages a signed-in person may open before the second factor: what it takes to finish signing in.
TWO_FACTOR_EXEMPT = {
    "logout",
    "admin:logout",
    "accounts:two_factor_setup",
    "accounts:two_factor_verify",
    "accounts:session_status",
    "accounts:keep_alive",
}


def with_next(url: str, next_url: str) -> str:
    """url?next=next_url, written as Django's own sign-in redirect writes it."""
    query = QueryDict(mutable=True)
    query["next"] = next_url
    return f"{url}?{query.urlencode(safe='/')}"


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    """A redirect; for htmx requests, one the whole page follows (not the fragment)."""
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    response = HttpResponse(status=302)
    response["Location"] = url
    return response


class IdleTimeoutMiddleware:
    """Signs a person out after IDLE_TIMEOUT_MINUTES without a request.

    Runs before LoginRequiredMiddleware's view check, which then sends the request to the
    sign-in page with ?next= the page that was asked for.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self._background_paths = None

    def background_paths(self) -> set[str]:
        if self._background_paths is None:
            self._background_paths = {reverse(name) for name in BACKGROUND_URL_NAMES}
        return self._background_paths

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.user.is_authenticated:
            return self.get_response(request)
        background = request.path in self.background_paths()
        if idle.is_expired(request.session):
            if background and request.method == "POST":
                # The stash sent as the time ran out (possibly late, from a device that slept) is
                # kept for the person, then the sign-out happens.
                response = self.get_response(request)
                self.sign_out(request)
                return response
            if request.path != reverse("accounts:session_status"):
                self.sign_out(request)
                if request.headers.get("HX-Request"):
                    # Not the login page inside a fragment: the whole page goes, and comes back after.
                    current = urlsplit(request.headers.get("HX-Current-URL", ""))
                    page = current.path + (f"?{current.query}" if current.query else "") or request.get_full_path()
                    return _redirect(request, with_next(resolve_url(settings.LOGIN_URL), page))
        elif not background:
            idle.touch(request.session)
        return self.get_response(request)

    @staticmethod
    def sign_out(request: HttpRequest) -> None:
        logout(request)
        minutes = max(1, idle.timeout_seconds() // 60)
        unit = "minute" if minutes == 1 else "minutes"
        messages.info(request, f"You were signed out after {minutes} {unit} without activity. Sign in to go on.")


class TwoFactorMiddleware:
    """Before any other page: a person with an authenticator app enters a code from it, and a
    person who must have one (managers; everyone when the clinic requires it) sets one up."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        view_class = getattr(view_func, "view_class", None)
        if getattr(view_func, "login_required", True) is False or getattr(view_class, "login_required", True) is False:
            return None  # public pages (the intake form, the health check) stay open
        match = request.resolver_match
        if match is not None and match.view_name in TWO_FACTOR_EXEMPT:
            return None
        state = selectors.two_factor_state(user)
        if state.has_device:
            target = "accounts:two_factor_verify"
        elif state.required:
            target = "accounts:two_factor_setup"
        else:
            return None
        url = resolve_url(target)
        if request.method in ("GET", "HEAD"):
            url = with_next(url, request.get_full_path())
        return _redirect(request, url)
