"""Every form on every page, found by opening the pages: a new form is fuzzed without being listed.

Each named URL is opened (ids filled as in object_urls.py) by the first role allowed to see
it; every form on the page that submits to this site (except signing out) is read from the
HTML and fuzzed from what a browser would submit unchanged. test_fuzz_forms.py fuzzes the
known forms harder and checks where their stored values are shown; this file makes sure no
form is missed.
"""

import pytest
from django.urls import Resolver404, resolve, reverse
from hypothesis import given, settings

from robustness_tests.htmlforms import forms_on
from robustness_tests.object_urls import CASES
from robustness_tests.payloads import FUZZ, assert_safe_response, form_data, rolled_back
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
