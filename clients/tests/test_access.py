"""Who may open which client page: every clients URL against every persona."""

from datetime import date

import pytest
from django.urls import reverse

from clients.models import Client
from clients.tests.factories import ClientFactory

STAFF_ROLES = ["front_desk", "therapist", "manager"]

# name, HTTP method, whether the client starts archived (so restore has something to do)
PAGES = [
    pytest.param("clients:list", "get", False, id="list"),
    pytest.param("clients:new", "get", False, id="new-form"),
    pytest.param("clients:new", "post", False, id="new-submit"),
    pytest.param("clients:detail", "get", False, id="detail"),
    pytest.param("clients:edit", "get", False, id="edit-form"),
    pytest.param("clients:edit", "post", False, id="edit-submit"),
    pytest.param("clients:archive", "post", False, id="archive"),
    pytest.param("clients:restore", "post", True, id="restore"),
]

# Distinctive details that must never reach someone without a role.
SECRET = {
    "first_name": "Wilhelmina",
    "last_name": "Quackenbush",
    "preferred_name": "Willa",
    "phone": "555-867-5309",
    "email": "wilhelmina.q@example.com",
    "date_of_birth": date(1971, 4, 9),
    "address": "7 Hidden Lane",
}

NEW_CLIENT = {
    "first_name": "Ada",
    "last_name": "Lovelace",
    "date_of_birth": "1990-12-10",
    "phone": "555-222-3333",
    "email": "ada@example.com",
}


@pytest.fixture
def client_record(db):
    return ClientFactory(**SECRET)


def url_for(name, client_record):
    if name in ("clients:list", "clients:new"):
        return reverse(name)
    return reverse(name, args=[client_record.pk])


def request_page(http_client, name, method, client_record):
    url = url_for(name, client_record)
    if method == "get":
        query = {"q": "Quackenbush"} if name == "clients:list" else {}
        return http_client.get(url, query)
    data = NEW_CLIENT if name in ("clients:new", "clients:edit") else {}
    return http_client.post(url, data)


def snapshot():
    return list(Client.objects.order_by("id").values_list("id", "first_name", "last_name", "status", "updated_by"))


@pytest.mark.parametrize(("name", "method", "archived"), PAGES)
def test_anonymous_visitor_is_sent_to_sign_in_and_changes_nothing(client, client_record, name, method, archived):
    if archived:
        client_record.archive(by=None)
    before = snapshot()

    response = request_page(client, name, method, client_record)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")
    assert snapshot() == before
    assert "Quackenbush" not in response.content.decode()


@pytest.mark.parametrize(("name", "method", "archived"), PAGES)
def test_user_without_a_role_is_refused_and_sees_no_client_data(
    client, no_role_user, client_record, name, method, archived
):
    if archived:
        client_record.archive(by=None)
    before = snapshot()
    client.force_login(no_role_user)

    response = request_page(client, name, method, client_record)

    html = response.content.decode()
    assert response.status_code == 403
    assert "Your role does not give access to this page." in html
    for value in SECRET.values():
        assert str(value) not in html
    assert "Apr 9, 1971" not in html
    assert snapshot() == before


@pytest.mark.parametrize("role", STAFF_ROLES)
@pytest.mark.parametrize(("name", "method", "archived"), PAGES)
def test_staff_with_a_role_can_use_every_client_page(request, client, client_record, role, name, method, archived):
    if archived:
        client_record.archive(by=None)
    user = request.getfixturevalue(role)
    client.force_login(user)

    response = request_page(client, name, method, client_record)

    if method == "get":
        assert response.status_code == 200
        if name != "clients:new":
            assert "Quackenbush" in response.content.decode()
        return
    assert response.status_code == 302
    if name == "clients:new":
        created = Client.objects.get(last_name="Lovelace")
        assert response["Location"] == created.get_absolute_url()
        assert created.created_by == user
        return
    assert response["Location"] == client_record.get_absolute_url()
    client_record.refresh_from_db()
    assert client_record.updated_by == user
    expected = {
        "clients:edit": ("Ada", Client.Status.ACTIVE),
        "clients:archive": ("Wilhelmina", Client.Status.ARCHIVED),
        "clients:restore": ("Wilhelmina", Client.Status.ACTIVE),
    }[name]
    assert (client_record.first_name, client_record.status) == expected


@pytest.mark.parametrize("role", ["anonymous", "no_role_user"])
def test_global_search_dropdown_shows_nothing_to_people_without_a_role(request, client, client_record, role):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))

    response = client.get(
        reverse("clients:list"),
        {"q": "Quackenbush"},
        headers={"HX-Request": "true", "HX-Target": "global-search-results"},
    )

    assert response.status_code in (302, 403)
    assert "Quackenbush" not in response.content.decode()


def test_navigation_offers_client_pages_only_to_staff_with_a_role(client, no_role_user, front_desk):
    client.force_login(no_role_user)
    html = client.get(reverse("password_change")).content.decode()
    assert f'href="{reverse("clients:list")}"' not in html
    assert 'id="global-search"' not in html

    client.force_login(front_desk)
    html = client.get(reverse("password_change")).content.decode()
    assert f'href="{reverse("clients:list")}"' in html
    assert f'href="{reverse("clients:new")}"' in html
    assert 'id="global-search"' in html
