"""Front-desk search: the client list page, its htmx fragments, and ClientQuerySet.search."""

import re
from datetime import date

import pytest
from django.urls import reverse

from clients.models import Client
from clients.tests.factories import ClientFactory

LIST_URL = reverse("clients:list")


@pytest.fixture
def desk(client, front_desk):
    """The HTTP test client, signed in as front desk."""
    client.force_login(front_desk)
    return client


def search_page(desk, query="", **params):
    response = desk.get(LIST_URL, {"q": query, **params})
    assert response.status_code == 200
    return response


def shown(response, client_record) -> bool:
    """Whether the page links to this client (what a user clicks on)."""
    return f'href="{client_record.get_absolute_url()}"' in response.content.decode()


def order_on_page(response, *client_records):
    html = response.content.decode()
    positions = [html.index(f'href="{c.get_absolute_url()}"') for c in client_records]
    return [c for _, c in sorted(zip(positions, client_records, strict=True))]


def result_rows(response) -> list[str]:
    html = response.content.decode()
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    return re.findall(r"<tr>.*?</tr>", body, flags=re.S)


# Stored client, query, and a decoy that must not come up for that query.
NAME_CASES = [
    pytest.param({"first_name": "John", "last_name": "Smith"}, "Jon Smth", id="typo-in-both-words"),
    pytest.param({"first_name": "John", "last_name": "Smith"}, "jhon smith", id="swapped-letters"),
    pytest.param({"first_name": "John", "last_name": "Smith"}, "JOHN SMITH", id="upper-case"),
    pytest.param({"first_name": "John", "last_name": "Smith"}, "smi", id="prefix"),
    pytest.param({"first_name": "Zoë", "last_name": "Martin"}, "Zoe", id="query-without-accent"),
    pytest.param({"first_name": "Zoe", "last_name": "Martin"}, "zoë", id="query-with-accent"),
    pytest.param({"first_name": "Émile", "last_name": "Dubois"}, "emile dubois", id="capital-accented-letter"),
    pytest.param({"first_name": "Liam", "last_name": "O'Brien"}, "o'brien", id="apostrophe"),
    pytest.param({"first_name": "Liam", "last_name": "O'Brien"}, "O’Brien", id="curly-apostrophe"),
    pytest.param({"first_name": "Liam", "last_name": "O'Brien"}, "liam obrien", id="apostrophe-left-out"),
    pytest.param({"first_name": "Ana", "last_name": "García-López"}, "garcia lopez", id="hyphen-and-accents"),
    pytest.param({"first_name": "Ana", "last_name": "García-López"}, "Garcia-Lopez", id="hyphen-typed"),
    pytest.param({"first_name": "Ana", "last_name": "García-López"}, "lopez", id="second-half-of-hyphenated"),
    pytest.param(
        {"first_name": "Elizabeth", "last_name": "Taylor", "preferred_name": "Liz"}, "liz taylor", id="preferred-name"
    ),
    pytest.param(
        {"first_name": "Elizabeth", "last_name": "Taylor", "preferred_name": "Liz"}, "Liz", id="preferred-only"
    ),
]

PHONE_QUERIES = ["(555) 010-2000", "555.010.2000", "5550102000", "+1 555 010 2000", "555 010 2000", "010-20"]


@pytest.mark.django_db
@pytest.mark.parametrize(("stored", "query"), NAME_CASES)
def test_queryset_search_finds_client_by_name_despite_typos_accents_and_punctuation(stored, query):
    client_record = ClientFactory(**stored)
    decoy = ClientFactory(first_name="Grace", last_name="Okafor")

    results = list(Client.objects.search(query))

    assert client_record in results
    assert decoy not in results


@pytest.mark.parametrize(("stored", "query"), NAME_CASES)
def test_front_desk_finds_client_by_misspelled_or_accented_name(desk, stored, query):
    client_record = ClientFactory(**stored)
    decoy = ClientFactory(first_name="Grace", last_name="Okafor")

    response = search_page(desk, query)

    assert shown(response, client_record)
    assert not shown(response, decoy)


@pytest.mark.django_db
@pytest.mark.parametrize("query", PHONE_QUERIES)
def test_queryset_search_finds_client_by_phone_in_any_format(query):
    client_record = ClientFactory(phone="555-010-2000")
    decoy = ClientFactory(phone="555-020-3000")

    results = list(Client.objects.search(query))

    assert results == [client_record]
    assert decoy not in results


@pytest.mark.parametrize("query", PHONE_QUERIES)
def test_front_desk_finds_client_by_phone_in_any_format(desk, query):
    client_record = ClientFactory(phone="555-010-2000")
    decoy = ClientFactory(phone="555-020-3000")

    response = search_page(desk, query)

    assert shown(response, client_record)
    assert not shown(response, decoy)


@pytest.mark.parametrize("stored", ["(555) 010-2000", "+1 555 010 2000", "555.010.2000"])
def test_front_desk_finds_client_whatever_format_the_phone_was_stored_in(desk, stored):
    client_record = ClientFactory(phone=stored)

    response = search_page(desk, "555-010-2000")

    assert shown(response, client_record)


@pytest.mark.parametrize(
    "query",
    ["maria.okafor@example.com", "Maria.Okafor@Example.COM", "okafor@", "@example.com", "maria.okafor@exa"],
)
def test_front_desk_finds_client_by_full_or_partial_email(desk, query):
    client_record = ClientFactory(email="maria.okafor@example.com")
    decoy = ClientFactory(email="someone@example.org")

    response = search_page(desk, query)

    assert shown(response, client_record)
    assert not shown(response, decoy)
    assert list(Client.objects.search(query)) == [client_record]


@pytest.mark.django_db
def test_queryset_search_with_blank_query_finds_nothing():
    ClientFactory()

    assert list(Client.objects.search("   ")) == []


def test_front_desk_sees_no_match_message_for_unknown_name(desk):
    ClientFactory(first_name="John", last_name="Smith")

    response = search_page(desk, "Xavier Quincy")

    assert "No client matches “Xavier Quincy”" in response.content.decode()


@pytest.mark.parametrize("query", ["smi\x00th", "\x00", "john@\x00example.com"])
def test_query_with_a_nul_character_is_answered_not_an_error(desk, query):
    ClientFactory(first_name="John", last_name="Smith")

    response = desk.get(LIST_URL, {"q": query})

    assert response.status_code == 200


def test_typed_query_is_shown_back_escaped(desk):
    query = '<script>alert("x")</script>'

    page = search_page(desk, query).content.decode()
    dropdown = desk.get(
        LIST_URL, {"q": query}, headers={"HX-Request": "true", "HX-Target": "global-search-results"}
    ).content.decode()

    for html in (page, dropdown):
        assert query not in html
        assert "&lt;script&gt;" in html


def test_archived_clients_are_hidden_from_search_by_default(desk):
    active = ClientFactory(first_name="John", last_name="Smith")
    archived = ClientFactory(first_name="Johnny", last_name="Smith", status=Client.Status.ARCHIVED)

    response = search_page(desk, "smith")
    assert shown(response, active)
    assert not shown(response, archived)

    response = search_page(desk)
    assert shown(response, active)
    assert not shown(response, archived)


def test_front_desk_finds_archived_clients_when_asking_for_them(desk):
    active = ClientFactory(first_name="John", last_name="Smith")
    archived = ClientFactory(first_name="Johnny", last_name="Smith", status=Client.Status.ARCHIVED)

    only_archived = search_page(desk, "smith", status="archived")
    assert shown(only_archived, archived)
    assert not shown(only_archived, active)
    assert "Archived</span>" in only_archived.content.decode()

    everyone = search_page(desk, "smith", status="all")
    assert shown(everyone, archived)
    assert shown(everyone, active)

    archived_list = search_page(desk, status="archived")
    assert shown(archived_list, archived)
    assert not shown(archived_list, active)


def test_unknown_status_filter_falls_back_to_active_clients(desk):
    active = ClientFactory()
    archived = ClientFactory(status=Client.Status.ARCHIVED)

    response = search_page(desk, status="deleted")

    assert shown(response, active)
    assert not shown(response, archived)


def test_exact_name_is_listed_above_a_fuzzy_match(desk):
    fuzzy = ClientFactory(first_name="John", last_name="Smith")
    exact = ClientFactory(first_name="Jon", last_name="Smith")

    assert order_on_page(search_page(desk, "Jon Smith"), fuzzy, exact) == [exact, fuzzy]
    assert list(Client.objects.search("Jon Smith"))[:2] == [exact, fuzzy]
    # And the other way round, so the order is not just the order of creation or of names.
    assert order_on_page(search_page(desk, "John Smith"), fuzzy, exact) == [fuzzy, exact]


def test_each_result_row_shows_name_date_of_birth_and_phone(desk):
    ClientFactory(
        first_name="Elizabeth",
        last_name="Taylor",
        preferred_name="Liz",
        date_of_birth=date(1985, 3, 14),
        phone="555-010-2000",
    )

    rows = result_rows(search_page(desk, "taylor"))

    assert len(rows) == 1
    assert "Elizabeth “Liz” Taylor" in rows[0]
    assert "Mar 14, 1985" in rows[0]
    assert "555-010-2000" in rows[0]


def test_htmx_search_returns_only_the_results_fragment(desk):
    client_record = ClientFactory(first_name="John", last_name="Smith")

    response = desk.get(LIST_URL, {"q": "smith"}, headers={"HX-Request": "true", "HX-Target": "client-results"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert '<nav class="navbar' not in html
    assert 'id="client-search"' not in html  # the search form stays on the page, untouched
    assert shown(response, client_record)
    assert "1 match for “smith”" in html


def test_browser_history_restore_gets_the_full_page(desk):
    client_record = ClientFactory(first_name="John", last_name="Smith")

    response = desk.get(LIST_URL, {"q": "smith"}, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})

    html = response.content.decode()
    assert "<html" in html
    assert 'id="client-search"' in html
    assert shown(response, client_record)


def test_global_search_box_gets_the_dropdown_fragment(desk):
    client_record = ClientFactory(
        first_name="John", last_name="Smith", date_of_birth=date(1980, 5, 1), phone="555-010-2000"
    )

    response = desk.get(
        LIST_URL, {"q": "jon smth"}, headers={"HX-Request": "true", "HX-Target": "global-search-results"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "<table" not in html
    assert "list-group" in html
    assert shown(response, client_record)
    assert "May 1, 1980" in html
    assert "555-010-2000" in html


@pytest.mark.parametrize(
    "headers",
    [{}, {"HX-Request": "true"}, {"HX-Request": "true", "HX-Target": "global-search-results"}],
    ids=["page", "results-fragment", "dropdown"],
)
def test_page_and_fragments_tell_caches_they_differ_by_htmx_headers(desk, headers):
    # The same URL answers with three different bodies; a shared or browser cache must not
    # hand the dropdown to someone who asked for the page.
    response = desk.get(LIST_URL, {"q": "smith"}, headers=headers)

    vary = {v.strip().lower() for v in response["Vary"].split(",")}
    assert {"hx-request", "hx-target", "hx-history-restore-request"} <= vary


def test_global_search_dropdown_offers_all_matches_when_there_are_many(desk):
    ClientFactory.create_batch(9, last_name="Smith")

    response = desk.get(LIST_URL, {"q": "smith"}, headers={"HX-Request": "true", "HX-Target": "global-search-results"})

    html = response.content.decode()
    assert html.count('class="list-group-item list-group-item-action py-2"') == 8
    assert "All matches for “smith”" in html
    assert f'href="{LIST_URL}?q=smith"' in html


def test_global_search_dropdown_is_empty_for_an_empty_query(desk):
    ClientFactory()

    response = desk.get(LIST_URL, {"q": ""}, headers={"HX-Request": "true", "HX-Target": "global-search-results"})

    assert response.status_code == 200
    assert response.content.decode().strip() == ""


def test_empty_query_lists_active_clients_by_name(desk):
    zed = ClientFactory(first_name="Zed", last_name="Young")
    amy = ClientFactory(first_name="Amy", last_name="Adams")
    bob = ClientFactory(first_name="Bob", last_name="Brown")

    response = search_page(desk)

    assert order_on_page(response, zed, amy, bob) == [amy, bob, zed]
    assert "3 clients" in response.content.decode()


def test_sort_by_name_orders_by_last_then_first_name(desk):
    smith_zoe = ClientFactory(first_name="Zoe", last_name="Smith")
    adams = ClientFactory(first_name="Zack", last_name="Adams")
    smith_al = ClientFactory(first_name="Al", last_name="Smith")

    response = search_page(desk, sort="name")

    assert order_on_page(response, smith_zoe, adams, smith_al) == [adams, smith_al, smith_zoe]


def test_sort_by_newest_lists_the_latest_client_first(desk):
    first = ClientFactory(last_name="Adams")
    second = ClientFactory(last_name="Young")
    third = ClientFactory(last_name="Brown")

    response = search_page(desk, sort="newest")

    assert order_on_page(response, first, second, third) == [third, second, first]


def test_sort_applies_to_search_results_too(desk):
    john = ClientFactory(first_name="John", last_name="Smith")
    jon = ClientFactory(first_name="Jon", last_name="Smith")

    response = search_page(desk, "jon smith", sort="newest")

    assert order_on_page(response, john, jon) == [jon, john]
    response = search_page(desk, "jon smith", sort="name")
    assert order_on_page(response, john, jon) == [john, jon]


def test_long_list_is_paginated_with_a_link_to_page_two(desk):
    ClientFactory.create_batch(30)

    first_page = search_page(desk)
    html = first_page.content.decode()
    assert len(result_rows(first_page)) == 25
    assert "Page 1 of 2" in html
    assert "page=2" in html

    second_page = search_page(desk, page=2)
    assert len(result_rows(second_page)) == 5
    assert "Page 2 of 2" in second_page.content.decode()


def test_page_links_keep_the_query_and_filters(desk):
    ClientFactory.create_batch(27, last_name="Smith")

    response = search_page(desk, "smith", status="all", sort="newest")

    assert "?q=smith&amp;status=all&amp;sort=newest&amp;page=2" in response.content.decode()


def test_out_of_range_page_shows_the_last_page(desk):
    ClientFactory.create_batch(3)

    response = search_page(desk, page=99)

    assert len(result_rows(response)) == 3


# The list page's query count must not grow with the number of clients shown (no N+1).
# Session, user, the user's permissions (direct and via groups), the navbar's role label
# (the user's groups, asked twice), the name-word lexicon (one per query word), count, one
# page of rows: none of them per client.
LIST_PAGE_MAX_QUERIES = 9


@pytest.mark.parametrize(
    "query", ["", "smith", "555", "@example.com"], ids=["list", "name-search", "phone-search", "email-search"]
)
def test_client_list_runs_as_many_queries_for_60_clients_as_for_5(
    desk, django_assert_num_queries, django_assert_max_num_queries, query
):
    ClientFactory.create_batch(5, last_name="Smith", preferred_name="Sam", pronouns="they/them")
    ClientFactory.create_batch(5, status=Client.Status.ARCHIVED)
    with django_assert_max_num_queries(LIST_PAGE_MAX_QUERIES) as few_clients:
        response = desk.get(LIST_URL, {"q": query})
    assert len(result_rows(response)) == 5

    ClientFactory.create_batch(55, last_name="Smith", preferred_name="Sam", pronouns="they/them")
    ClientFactory.create_batch(55, status=Client.Status.ARCHIVED)
    with django_assert_num_queries(len(few_clients)):
        response = desk.get(LIST_URL, {"q": query})
    assert len(result_rows(response)) == 25


def test_global_search_dropdown_runs_as_many_queries_for_60_matches_as_for_5(
    desk, django_assert_num_queries, django_assert_max_num_queries
):
    dropdown = {"HX-Request": "true", "HX-Target": "global-search-results"}
    ClientFactory.create_batch(5, last_name="Smith")
    # Session, user, the user's permissions (direct and via groups), the name-word lexicon,
    # one query for the matches.
    with django_assert_max_num_queries(6) as few_matches:
        response = desk.get(LIST_URL, {"q": "smith"}, headers=dropdown)
    assert response.content.decode().count("list-group-item-action py-2") == 5

    ClientFactory.create_batch(55, last_name="Smith")
    with django_assert_num_queries(len(few_matches)):
        response = desk.get(LIST_URL, {"q": "smith"}, headers=dropdown)
    assert response.content.decode().count("list-group-item-action py-2") == 8
