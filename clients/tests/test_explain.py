"""The front-desk search is answered from indexes, whatever the number of clients.

4,000 synthetic clients (seed_scale) with fresh statistics; each query the search runs is
EXPLAINed with table scans priced out (clinic/tests/explain.py): the plan must search the
named index with a condition and read no table in full.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clients.models import Client, ClientNameWord
from clients.tests.factories import ClientFactory
from clinic.scale import seed
from clinic.tests.explain import assert_uses_index, plan_of, plan_of_sql

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def many_clients():
    seed(clients=4000, visits=0, therapists=1, batch=4000)
    ClientFactory(first_name="Jonathan", last_name="Smith", phone="(555) 010-2000", email="jsmith@example.com")


def test_typo_search_looks_up_spellings_in_the_name_word_index():
    # A city's worth of distinct name words (the lexicon grows with every new surname).
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO clients_clientnameword (word) SELECT substr(md5(n::text), 1, 4 + n % 6) "
            "FROM generate_series(1, 30000) AS n ON CONFLICT DO NOTHING"
        )
        cursor.execute("ANALYZE clients_clientnameword")
    spelling_lookup = ClientNameWord.objects.filter(word__trigram_similar="smyth").values_list("word", flat=True)
    prefix_lookup = ClientNameWord.objects.filter(word__startswith="smi").values_list("word", flat=True)

    assert_uses_index(plan_of(spelling_lookup), "nameword_trgm")
    assert_uses_index(plan_of(prefix_lookup), "clients_clientnameword_word_d9b2d790_like")


def test_every_statement_of_a_typo_search_is_served_by_indexes():
    with CaptureQueriesContext(connection) as captured:
        found = list(Client.objects.active().for_list().search("jonatan smyth")[:26])

    assert "Smith" in [c.last_name for c in found]
    statements = [q["sql"] for q in captured.captured_queries]
    for sql in statements:
        assert_uses_index(plan_of_sql(sql))
    assert_uses_index(plan_of_sql(statements[-1]), "client_name_words")


def test_whole_name_similarity_uses_the_trigram_index():
    results = Client.objects.for_list().filter(search_name__trigram_similar="jonathan smiht")

    assert_uses_index(plan_of(results), "client_search_name_trgm")


def test_partial_phone_search_uses_the_digits_trigram_index():
    results = Client.objects.active().for_list().search("010-20")

    assert "Smith" in [c.last_name for c in results]
    assert_uses_index(plan_of(results), "client_phone_digits_trgm")


def test_email_search_uses_the_email_trigram_index():
    results = Client.objects.active().for_list().search("jsmith@exa")

    assert [c.last_name for c in results] == ["Smith"]
    assert_uses_index(plan_of(results), "client_email_trgm")
