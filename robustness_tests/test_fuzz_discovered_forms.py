"""Every form on every page, found by opening the pages: a new form is fuzzed without being listed.

Each named URL is opened (ids filled as in object_urls.py) by the first role allowed to see
it; every form on the page that submits to this site (except signing out) is read from the
HTML and fuzzed from what a browser would submit unchanged. test_fuzz_forms.py fuzzes the
known forms harder and checks where their stored values are shown; this file makes sure no
form is missed.
"""

from urllib.parse import urlencode

import pytest
from django.urls import Resolver404, resolve, reverse
from hypothesis import given, settings

from robustness_tests.htmlforms import ISO_DATE, date_links, forms_on
from robustness_tests.object_urls import CASES
from robustness_tests.payloads import EDGE_DATES, FUZZ, assert_safe_response, form_data, rolled_back
from robustness_tests.urlwalk import routes

# The known forms get FUZZ's full count in test_fuzz_forms.py; here every form of every page.
DISCOVERED = settings(FUZZ, max_examples=max(5, FUZZ.max_examples // 8))
NOT_FUZZED = {"logout"}  # signing out would end the session the other examples use
ROLE_ORDER = ("therapist", "manager", "front_desk", "anonymous")


@pytest.fixture
def world(module_world, db):
    """Every test here only reads the records (or rolls its writes back): build them once."""
    return module_world


def _page_names() -> list[str]:
    names = []
    for route in routes():
        if route.namespace == "admin":
            continue  # Django's own admin forms; access to them is swept in test_object_access.py
        if route.kwargs and not any(case.allowed or case.public for case in CASES.get(route.name, [])):
            continue  # no role may open it (or it is not filled yet: the sweep test says so)
        names.append(route.name)
    return names


def _url(name: str, world) -> tuple[str, tuple[str, ...]]:
    """The page's URL, and the roles that may open it (most privileged first)."""
    cases = [case for case in CASES.get(name, []) if case.allowed or case.public]
    if not cases:
        return reverse(name), ROLE_ORDER
    case = cases[0]
    url = reverse(name, kwargs=case.kwargs(world))
    roles = tuple(role for role in ROLE_ORDER if role in case.allowed or role == "anonymous")
    return url, roles


def _view_name(path: str) -> str | None:
    try:
        return resolve(path.split("?")[0]).view_name
    except Resolver404:
        return None


@pytest.fixture
def http_for(as_therapist, as_manager, as_front_desk, client):
    return {"therapist": as_therapist, "manager": as_manager, "front_desk": as_front_desk, "anonymous": client}


@pytest.mark.parametrize("name", _page_names())
def test_every_form_on_the_page_survives_hostile_input(http_for, world, name):
    url, roles = _url(name, world)
    page = None
    for role in roles:
        http = http_for[role]
        response = http.get(url)
        assert_safe_response(response, f"GET {url} as {role}")
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            page = response
            break
    if page is None:
        return  # an action (POST only) or a download: its form is on another page
    seen = set()
    for form in forms_on(page.content.decode(), url):
        view = _view_name(form.action)
        key = (form.method, form.action, tuple(sorted(form.fields)))
        if view in NOT_FUZZED or key in seen:
            continue
        seen.add(key)
        _fuzz(http, form, where=url)


# Pages whose dated form shows only with a query: the booking form, once a client is chosen.
DATED_FORM_QUERY = {"scheduling:book": lambda w: {"client": w.a.client.pk}}


@pytest.mark.parametrize("name", _page_names())
def test_every_date_on_the_page_survives_the_edges_of_the_calendar(http_for, world, name):
    """Each date a page sends (a date input or a date-valued field of its forms, a date in the
    query of its links, such as the schedule's ?date=) is tried with each of EDGE_DATES, the
    rest of the submission unchanged: a refusal or the nearest valid day, never a server error."""
    url, roles = _url(name, world)
    if name in DATED_FORM_QUERY:
        url = f"{url}?{urlencode(DATED_FORM_QUERY[name](world))}"
    page, http = None, None
    for role in roles:
        http = http_for[role]
        response = http.get(url)
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            page = response
            break
    if page is None:
        return
    html = page.content.decode()
    tries = []  # (method, path, data): all are sent, then the failures reported together
    for form in forms_on(html, url):
        if _view_name(form.action) in NOT_FUZZED:
            continue
        baseline = form.baseline()
        dates = form.date_fields | {k for k, v in baseline.items() if isinstance(v, str) and ISO_DATE.match(v)}
        tries += [(form.method, form.action, {**baseline, f: day}) for f in sorted(dates) for day in EDGE_DATES]
    for path, query, param in date_links(html, url):
        if _view_name(path) not in NOT_FUZZED:
            tries += [("get", path, {**query, param: day}) for day in EDGE_DATES]
    failures = []
    for method, path, data in tries:
        what = f"{method.upper()} {path} {data} (from {url})"
        try:
            with rolled_back():
                response = (http.get if method == "get" else http.post)(path, data)
        except Exception as error:  # the test client re-raises a view's exception (a 500 when served)
            failures.append(f"{what}: {error!r}")
        else:
            if response.status_code >= 500:
                failures.append(f"{what}: HTTP {response.status_code}")
    assert not failures, "\n".join(failures)


def _fuzz(http, form, *, where: str) -> None:
    send = http.get if form.method == "get" else http.post

    @DISCOVERED
    @given(drawn=form_data(form.baseline()))
    def fuzz(drawn):
        with rolled_back():
            response = send(form.action, drawn.data)
            assert_safe_response(response, f"{form.method.upper()} {form.action} (form on {where})")

    fuzz()


def test_the_form_reader_sees_what_a_browser_would_submit(as_therapist, world):
    """Guards the HTML reader the fuzzer relies on, on two known forms."""
    note = world.a.draft_note
    url = reverse("visits:note_edit", args=[note.client_id, note.pk])
    forms = [f for f in forms_on(as_therapist.get(url).content.decode(), url) if f.method == "post"]
    note_form = next(f for f in forms if f.action == url)
    baseline = note_form.baseline()
    assert baseline["version"] == str(note.version)
    assert baseline["tissue_response"] == note.tissue_response
    assert set(baseline["techniques"]) == set(note.techniques)
    assert baseline["pain_before"] == str(note.pain_before)
    assert "area_neck_back_side" in baseline

    response = as_therapist.post(url, baseline)
    assert response.status_code == 302, "the unchanged form as read from the page should save"
