"""The audit trail's two middlewares: who made a change, and who opened which clinical page."""

from urllib.parse import urlsplit

import pghistory
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from pghistory.middleware import HistoryMiddleware

from accounts.access import can_read_clinical
from audit.access import record_access
from audit.pages import clinical_page

# Where a refused visitor is sent: signing in, or its second step (accounts/).
SIGN_IN_PAGES = {"login", "accounts:two_factor_verify", "accounts:two_factor_setup"}


class ChangeContextMiddleware(HistoryMiddleware):
    """Stamps every change a request makes (the triggers of audit.models) with who and where.

    The user's id and username, the path without its query string (which may hold a
    client's name typed into a search box) nor an intake link's token, and the URL name.
    A client on the public intake pages is signed in as nobody: the URL name tells their
    changes from those of scripts, which have no context at all (audit.models.Change.who).
    """

    def get_context(self, request: HttpRequest) -> dict:
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        return {
            "user": user.pk if signed_in else None,
            "username": user.get_username() if signed_in else None,
            "url": request.path,
        }

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if request.resolver_match is not None:
            context = {"url_name": request.resolver_match.view_name}
            if token := view_kwargs.get("token"):
                # An intake link's token opens a client's form: the clinic keeps only its hash
                # (intake.models), and the audit trail, append-only, must not keep it either.
                context["url"] = request.path.replace(token, "<token>")
            pghistory.context(**context)  # adds to the request's context
        return None


class ClinicalAccessMiddleware:
    """One access-log line for each clinical page a request opened, printed or was refused.

    Shown: a 2xx answer, or 400 (a form page shown again with its errors). Refused: 403, or a
    redirect to the sign-in page (or its two-factor step). Nothing is recorded for other
    pages, for "not found", or for the redirect after a change (the change history has it).
    Views that record their own access (exports) are not recorded twice.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(request, "access_recorded", False):
            return response
        page = clinical_page(request)
        if page is None:
            return response
        allowed = _outcome(response)
        if allowed is None:
            return response
        if allowed and page.clinical_for_clinicians_only and not can_read_clinical(request.user):
            return response
        record_access(
            request, client_id=page.client, page=page.name, kind=page.kind, allowed=allowed, object_id=page.object_id
        )
        return response


def _outcome(response: HttpResponse) -> bool | None:
    """True when the page was shown, False when refused, None when there is nothing to record."""
    status = response.status_code
    if status == 403:
        return False
    if 200 <= status < 300 and not response.has_header("HX-Redirect"):
        return True
    if status == 400:
        return True
    redirect = response.headers.get("Location") or response.headers.get("HX-Redirect")
    if redirect and _is_sign_in(redirect):
        return False
    return None


def _is_sign_in(url: str) -> bool:
    try:
        return resolve(urlsplit(url).path).view_name in SIGN_IN_PAGES
    except Resolver404:
        return False
