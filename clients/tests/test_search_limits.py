"""Searches that match a large part of the clinic stay cheap: counted up to a limit, ranked by names."""

import pytest
from django.urls import reverse

from clients import views
from clients.models import Client
from clients.tests.factories import ClientFactory


@pytest.fixture
def desk(client, front_desk):
    client.force_login(front_desk)
    return client


def test_a_one_or_two_letter_search_counts_up_to_the_limit(desk, monkeypatch):
    monkeypatch.setattr(views, "SEARCH_COUNT_LIMIT", 3)
    ClientFactory.create_batch(5, last_name="Smith")

    html = desk.get(reverse("clients:list"), {"q": "sm"}).content.decode()

    assert "3+ matches for “sm”" in html


def test_a_ranked_search_counts_every_match_with_its_page(desk, monkeypatch, django_assert_max_num_queries):
    monkeypatch.setattr(views, "SEARCH_COUNT_LIMIT", 3)
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    ClientFactory.create_batch(5, last_name="Smith")
    desk.get(reverse("clients:list"))  # session and user warmed up

    with django_assert_max_num_queries(4):  # session, user, name words, one page with its count
        html = desk.get(reverse("clients:list"), {"q": "smith", "page": 2}).content.decode()

    assert "5 matches for “smith”" in html
    assert "Page 2 of 3" in html
    assert "Page 3 of 3" in desk.get(reverse("clients:list"), {"q": "smith", "page": 99}).content.decode()


def test_a_narrow_search_gives_the_exact_number_of_matches(desk, monkeypatch):
    monkeypatch.setattr(views, "SEARCH_COUNT_LIMIT", 3)
    ClientFactory.create_batch(2, last_name="Smith")

    html = desk.get(reverse("clients:list"), {"q": "smith"}).content.decode()

    assert "2 matches for “smith”" in html and "+ matches" not in html


def test_the_plain_client_list_counts_everyone(desk, monkeypatch):
    monkeypatch.setattr(views, "SEARCH_COUNT_LIMIT", 3)
    ClientFactory.create_batch(5)

    assert "5 clients" in desk.get(reverse("clients:list")).content.decode()


@pytest.mark.django_db
def test_exact_names_come_before_longer_names_and_those_before_other_spellings():
    close = ClientFactory(first_name="Anna", last_name="Smyth")  # alphabetically last, though
    longer = ClientFactory(first_name="Anna", last_name="Smithers")
    exact = ClientFactory(first_name="Anna", last_name="Smith")

    results = list(Client.objects.search("anna smith"))

    assert results == [exact, longer, close]


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["%", "_", "j%n", "\\"])
def test_like_wildcards_typed_in_a_name_search_are_taken_literally(query):
    ClientFactory(first_name="John", last_name="Smith")
    ClientFactory(first_name="Mary", last_name="Jones")

    assert list(Client.objects.search(query)) == []
