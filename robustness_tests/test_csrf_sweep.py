"""CSRF sweep: a form posted from another site is refused on every URL of the app.

Every named URL, found by walking the URL resolver (robustness_tests/urlwalk.py), is sent a
POST without a CSRF token by a browser that does have the CSRF cookie, as a visitor's
browser would when a forged form on another site submits to us. Each must answer with
Django's CSRF failure page (403 "CSRF verification failed"), not with anything of the view
(a redirect, the view's own 403, a saved form), and the database must be unchanged.
This runs as a signed-in manager on every URL, and as an anonymous visitor on the public
pages (sign-in, the online intake form and its links, the health check).

URL parameters are filled with real records: the cases of the object-access sweep
(object_urls.py) for the app's pages, and the first row of each model for the admin's. The
POST carries that case's form data, so a view that skipped the check would also be caught
by what it stored. A URL that cannot be filled is reported as a failure, never skipped, and
a view marked @csrf_exempt fails here with its URL in the message, unless it is listed in
NOT_BROWSER_POSTS with what proves each request instead (it must still refuse the forged post
and change nothing).
"""

import logging
import re
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from clinic.urls import PUBLIC_URL_NAMES
from robustness_tests.dbstate import changed_tables, fingerprint, tracked_tables
from robustness_tests.object_urls import CASES
from robustness_tests.test_object_access import _admin_object_kwargs
from robustness_tests.urlwalk import Route, routes

CSRF_PAGE = b"CSRF verification failed"
# Endpoints that browsers never post to, exempt from CSRF, and what proves their requests instead.
NOT_BROWSER_POSTS = {
    "messaging:twilio_inbound": "Twilio's webhook: each request is signed (X-Twilio-Signature) with the auth token",
}
TOKEN_IN_PAGE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture(autouse=True)
def quiet_csrf_log():
    """Django logs each refusal at WARNING; here they are expected, and 150 of them would bury a failure."""
    logger = logging.getLogger("django.security.csrf")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


@pytest.fixture
def world(module_world, db):
    """Nothing here should change the records (that is the point): build them once."""
    return module_world


class CannotFill(Exception):
    pass


def _target(route: Route, world) -> tuple[str, dict]:
    """The URL to post to, and form data the view would act on if it let the post through."""
    if route.namespace == "admin":
        # "post": "yes" confirms a delete page: a delete the check let through would show.
        return reverse(route.name, kwargs=_admin_object_kwargs(route, world)), {"post": "yes"}
    if not route.kwargs:
        return reverse(route.name), {}
    cases = CASES.get(route.name)
    if not cases:
        raise CannotFill(f"cannot fill {route.kwargs}: add it to CASES in robustness_tests/object_urls.py")
    case = next((case for case in cases if case.allowed or case.public), cases[0])
    url = reverse(route.name, kwargs=case.kwargs(world))
    query = case.query(world)
    return (f"{url}?{urlencode(query)}" if query else url), case.post(world)


def _browser_with_csrf_cookie(http, page_url: str) -> str:
    """Opens a page, as a visitor would before being lured elsewhere; returns the page's token."""
    page = http.get(page_url, follow=True)
    assert "csrftoken" in http.cookies, f"GET {page_url} set no CSRF cookie"
    token = TOKEN_IN_PAGE.search(page.content.decode())
    assert token, f"GET {page_url} has no form with a CSRF token"
    return token.group(1)


def _refusal_problem(response, *, signed_in: bool) -> str | None:
    """What is wrong with the answer to a POST without a token, or None if the CSRF check refused it."""
    if response.status_code != 403 or CSRF_PAGE not in response.content:
        where = f" to {response['Location']}" if response.has_header("Location") else ""
        kind = "the view's own 403" if response.status_code == 403 else f"HTTP {response.status_code}{where}"
        return f"{kind}, not the CSRF failure page"
    if signed_in and not response.wsgi_request.user.is_authenticated:
        return "refused, but no longer signed in (an earlier POST signed the manager out)"
    return None


def _sweep(http, world, swept: list[Route], *, signed_in: bool) -> list[str]:
    """POSTs without a token to every route; the list of failures, each naming its URL."""
    tables = tracked_tables()
    before = fingerprint(tables)
    failures = []
    for route in swept:
        try:
            url, data = _target(route, world)
        except CannotFill as error:
            failures.append(f"{route.name}: {error}")
            continue
        response = http.post(url, data)
        problem = _refusal_problem(response, signed_in=signed_in)
        if route.name in NOT_BROWSER_POSTS:  # the view's own refusal of an unsigned post is the point
            problem = None if response.status_code in (403, 404) else f"HTTP {response.status_code} without a signature"
        if problem:
            failures.append(f"POST {url} ({route.name}) without a CSRF token: {problem}")
        after = fingerprint(tables)
        changed = changed_tables(before, after)
        if changed:
            failures.append(f"POST {url} ({route.name}) without a CSRF token changed {changed}")
        before = after
    return failures


def test_every_page_outside_the_admin_has_a_name_of_its_own():
    """The sweeps below go by URL name: a pattern without a name, or with the name of another
    (reverse() finds only one of them), would be skipped without a word. The admin's unnamed
    patterns are Django's own (the redirect from /<id>/ to /<id>/change/ and the catch-all
    that sends to sign-in or a 404), behind the same middleware as every other page."""

    def patterns(resolver, prefix="", namespace=""):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                if entry.app_name != "admin":
                    inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                    yield from patterns(entry, prefix + str(entry.pattern), inner)
            elif isinstance(entry, URLPattern):
                yield prefix + str(entry.pattern), f"{namespace}{entry.name}" if entry.name else None

    found = list(patterns(get_resolver()))
    unnamed = [path for path, name in found if name is None]
    assert not unnamed, f"URL patterns without a name (the CSRF sweep cannot reach them): {unnamed}"
    names = [name for _, name in found]
    shared = sorted({f"{name}: {path}" for path, name in found if names.count(name) > 1})
    assert not shared, f"URL patterns sharing a name (the CSRF sweep reaches only one): {shared}"


def test_a_post_without_csrf_token_is_refused_on_every_url_for_a_signed_in_manager(manager, world):
    http = Client(enforce_csrf_checks=True)
    http.force_login(manager)  # counts as two-factor verified (the root conftest.py)
    token = _browser_with_csrf_cookie(http, reverse("home"))
    swept = routes()

    failures = _sweep(http, world, swept, signed_in=True)

    assert not failures, f"{len(failures)} problems over {len(swept)} URLs:\n" + "\n".join(failures)
    # The control: the same browser with the page's token gets through the check, so the
    # refusals above are about the missing token, not a broken cookie or a middleware before it.
    response = http.post(reverse("accounts:keep_alive"), {"csrfmiddlewaretoken": token})
    assert response.status_code == 200, f"POST keep-alive with the page's token: HTTP {response.status_code}"


def test_a_post_without_csrf_token_is_refused_on_every_public_page_for_an_anonymous_visitor(world):
    http = Client(enforce_csrf_checks=True)
    token = _browser_with_csrf_cookie(http, reverse("login"))
    swept = [route for route in routes() if route.name in PUBLIC_URL_NAMES]
    assert {route.name for route in swept} == PUBLIC_URL_NAMES

    failures = _sweep(http, world, swept, signed_in=False)

    assert not failures, f"{len(failures)} problems over {len(swept)} public URLs:\n" + "\n".join(failures)
    response = http.post(reverse("login"), {"username": "nobody", "password": "wrong", "csrfmiddlewaretoken": token})
    assert response.status_code == 200 and CSRF_PAGE not in response.content, "the sign-in form with its token"
