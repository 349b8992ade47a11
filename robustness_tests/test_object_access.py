"""Object-level access sweep: every URL with an id, every role that must not open it.

Each URL with a parameter (pk, client_pk, token, ...) is filled with real records of two
clients. Every role that must not see the page gets 403 or 404 on GET and POST (an
anonymous visitor is sent to sign in), and the database is unchanged afterwards: row
counts and an md5 of every row of every table, except the tables written on purpose
(sessions, access log, rate limits, audit trails).

A new URL with a parameter fails `test_every_url_with_an_id_is_swept` until it is added to
CASES in robustness_tests/object_urls.py, with the roles allowed to open it.
"""

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.test import RequestFactory
from django.urls import reverse

from clients.models import Client
from robustness_tests.dbstate import changed_tables, fingerprint, tracked_tables
from robustness_tests.object_urls import CASES, ROLES
from robustness_tests.urlwalk import routes
from robustness_tests.world import World


@pytest.fixture
def world(module_world, db):
    """Every test here only reads the records (or rolls its writes back): build them once."""
    return module_world


def _object_routes():
    return [route for route in routes() if route.kwargs]


def _app_routes():
    return [route for route in _object_routes() if route.model_admin is None and route.namespace != "admin"]


def _admin_routes():
    return [route for route in _object_routes() if route.namespace == "admin"]


def test_every_url_with_an_id_is_swept():
    """A new page with an id in its URL must say here who may open it."""
    missing = sorted(route.name for route in _app_routes() if route.name not in CASES)
    assert not missing, (
        f"URLs with an id that the access sweep cannot fill: {missing}. "
        "Add them to CASES in robustness_tests/object_urls.py with the roles allowed to open them."
    )


def test_sweep_names_only_real_urls():
    names = {route.name for route in routes()}
    assert set(CASES) <= names, sorted(set(CASES) - names)


# --- The sweep ------------------------------------------------------------------------------


@pytest.fixture
def role_clients(signed_in, front_desk, therapist, manager, no_role_user):
    users = {"front_desk": front_desk, "therapist": therapist, "manager": manager, "no_role": no_role_user}
    clients = {role: signed_in(user) for role, user in users.items()}
    clients["anonymous"] = signed_in(None)
    return clients


def _assert_refused(response, *, role: str, public: bool, method: str, login_url: str, what: str) -> None:
    if role == "anonymous" and not public:
        assert response.status_code == 302, f"{what}: HTTP {response.status_code}, expected the sign-in page"
        assert response["Location"].startswith(login_url), f"{what}: redirected to {response['Location']}"
        return
    allowed_codes = (403, 404, 405) if method == "GET" else (403, 404)
    assert response.status_code in allowed_codes, f"{what}: HTTP {response.status_code}, expected 403 or 404"


def _sweep(role_clients, url: str, *, denied, post: dict, public: bool, login_url: str, label: str) -> int:
    tables = tracked_tables()
    before = fingerprint(tables)
    checked = 0
    for role in denied:
        http = role_clients[role]
        for method in ("GET", "POST"):
            what = f"{method} {url} ({label}) as {role}"
            response = http.get(url) if method == "GET" else http.post(url, post)
            _assert_refused(response, role=role, public=public, method=method, login_url=login_url, what=what)
            changed = changed_tables(before, fingerprint(tables))
            assert not changed, f"{what} was refused but changed {changed}"
            checked += 1
    return checked


@pytest.mark.parametrize(
    ("name", "case"),
    [(name, case) for name, cases in CASES.items() for case in cases],
    ids=[f"{name}[{case.label}]" for name, cases in CASES.items() for case in cases],
)
def test_roles_that_may_not_open_a_record_are_refused_and_change_nothing(role_clients, world, name, case):
    url = reverse(name, kwargs=case.kwargs(world))
    query = case.query(world)
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    denied = [role for role in ROLES if role not in case.allowed]
    checked = _sweep(
        role_clients,
        url,
        denied=denied,
        post=case.post(world),
        public=case.public,
        login_url=reverse("login"),
        label=case.label,
    )
    assert checked == 2 * len(denied)
    # The control: the same URL opens for a role that may see it, so the refusals above
    # are about who asked, not about a record that does not exist.
    allowed = [role for role in ROLES if role in case.allowed]
    if allowed:
        response = role_clients[allowed[0]].get(url)
        assert response.status_code not in (403, 404) and response.status_code < 500, (
            f"GET {url} ({case.label}) as {allowed[0]}, who may open it: HTTP {response.status_code}"
        )


# --- The admin: staff only, and within it, the model permissions --------------------------------


MISSING_ID = "999999999"
ID_PARAMS = ("object_id", "id", "pk")


def _model_admin(route):
    """The ModelAdmin behind an admin URL, also for extra pages a ModelAdmin adds (e.g.
    django-otp's device QR code), found from the URL name "<app>_<model>_<page>"."""
    if route.model_admin is not None:
        return route.model_admin
    page = route.name.removeprefix("admin:")
    for model, model_admin in admin.site._registry.items():
        if page.startswith(f"{model._meta.app_label}_{model._meta.model_name}_"):
            return model_admin
    return None


def _admin_object_kwargs(route, world: World) -> dict:
    """Fill an admin URL's parameters: the first row of the model it administers."""
    kwargs = {}
    model_admin = _model_admin(route)
    for param in route.kwargs:
        if param == "id" and route.name == "admin:auth_user_password_change":
            kwargs[param] = str(world.other_therapist.pk)  # UserAdmin's password page (named after auth.User)
        elif param in ID_PARAMS and model_admin is not None:
            obj = model_admin.model._default_manager.order_by("pk").first()
            kwargs[param] = str(obj.pk) if obj else MISSING_ID
        elif param == "content_type_id":  # "view on site"
            kwargs[param] = ContentType.objects.get_for_model(Client).pk
        elif param == "object_id":
            kwargs[param] = str(world.a.client.pk)
        elif param == "app_label":
            kwargs[param] = "clients"
        else:
            pytest.fail(f"The sweep cannot fill {param!r} of {route.name}; teach _admin_object_kwargs about it.")
    return kwargs


def _admin_grants_manager(route, manager, obj_pk, method: str) -> bool:
    """What the ModelAdmin's own permission methods grant the manager on this page."""
    model_admin = _model_admin(route)
    if route.name == "admin:auth_user_password_change":
        model_admin = admin.site._registry[get_user_model()]
    if model_admin is None:
        return True  # site pages (an app's index, "view on site"): any staff member
    request = RequestFactory().get("/")
    request.user = manager
    obj = model_admin.model._default_manager.filter(pk=obj_pk).first() if obj_pk != MISSING_ID else None
    if route.name.endswith("_delete"):
        return model_admin.has_delete_permission(request, obj)
    if route.name.endswith("password_change") or (route.name.endswith("_change") and method == "POST"):
        return model_admin.has_change_permission(request, obj)
    return model_admin.has_view_or_change_permission(request, obj)


@pytest.mark.parametrize("name", [route.name for route in _admin_routes()])
def test_admin_object_pages_refuse_everyone_but_permitted_staff(role_clients, world, manager, name):
    route = next(r for r in _admin_routes() if r.name == name)
    kwargs = _admin_object_kwargs(route, world)
    url = reverse(name, kwargs=kwargs)
    denied = ["front_desk", "therapist", "no_role", "anonymous"]  # not staff: a sign-in page
    tables = tracked_tables()
    before = fingerprint(tables)
    for role in denied:
        for method in ("GET", "POST"):
            http = role_clients[role]
            response = http.get(url) if method == "GET" else http.post(url, {})
            what = f"{method} {url} as {role}"
            assert response.status_code == 302, f"{what}: HTTP {response.status_code}"
            location = response["Location"]
            assert location.startswith((reverse("admin:login"), reverse("login"))), f"{what}: redirected to {location}"
            assert not changed_tables(before, fingerprint(tables)), f"{what} changed the database"
    object_id = next((kwargs[p] for p in ID_PARAMS if p in kwargs), None)
    for method in ("GET", "POST"):
        if _admin_grants_manager(route, manager, object_id, method):
            continue
        http = role_clients["manager"]
        response = http.get(url) if method == "GET" else http.post(url, {"post": "yes"})
        what = f"{method} {url} as manager"
        if object_id == MISSING_ID and response.status_code == 302:
            # The admin looks a missing row up before checking permissions, and says it is gone.
            assert response["Location"] == reverse("admin:index"), f"{what}: redirected to {response['Location']}"
        else:
            assert response.status_code in (403, 404), f"{what}: HTTP {response.status_code}"
        assert not changed_tables(before, fingerprint(tables)), f"{what} changed the database"
