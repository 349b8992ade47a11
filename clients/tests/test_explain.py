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
from clinic.tests.explain import assert_uses_index, plan_of, plan_of_sql
from demo.scale import seed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def many_clients():
    seed(clients=4000, visits=0, therapists=1, batch=4000)
    ClientFactory(first_name="Jonathan", last_name="Smith", phone="(555) 010-2000", email="jsmith@example.com")


def test_the_spellings_function_reads_the_lexicon_through_its_keys():
    """clients_name_spellings() runs its lookups with generic plans kept for the connection:
    the same statements, prepared the same way, read a range of the lexicon's key, the
    deletion keys' primary key, and the lexicon's key for exact words."""
    with connection.cursor() as cursor:
        # A city's worth of distinct name words (the lexicon grows with every new surname).
        cursor.execute("SELECT substr(md5(n::text), 1, 4 + n % 6) FROM generate_series(1, 30000) AS n")
        ClientNameWord.collect(word for (word,) in cursor.fetchall())
        cursor.execute("ANALYZE clients_clientnameword")
        cursor.execute("ANALYZE clients_nameworddelete")
        cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        cursor.execute("SET LOCAL enable_seqscan = off")  # as the function sets it
        cursor.execute(
            "PREPARE prefixes(text) AS SELECT w.word FROM clients_clientnameword w "
            "WHERE w.word ~>=~ $1 AND w.word ~<~ ($1 || chr(1114111)) LIMIT 500"
        )
        cursor.execute(
            "PREPARE by_keys(text[], integer[]) AS SELECT DISTINCT k.position, d.word "
            "FROM unnest($1, $2) AS k(key, position) JOIN clients_nameworddelete d ON d.key = k.key"
        )
        try:
            cursor.execute("EXPLAIN EXECUTE prefixes('sm')")
            prefix = "\n".join(row[0] for row in cursor.fetchall())
            cursor.execute("EXPLAIN EXECUTE by_keys(ARRAY['smyth', 'myth', 'smth'], ARRAY[0, 0, 0])")
            keys = "\n".join(row[0] for row in cursor.fetchall())
        finally:
            cursor.execute("DEALLOCATE prefixes")
            cursor.execute("DEALLOCATE by_keys")

    assert_uses_index(prefix, "clients_clientnameword_word_d9b2d790_like")
    assert_uses_index(keys, "clients_nameworddelete_pkey")


def test_the_spellings_function_finds_prefixes_and_near_spellings():
    spellings = ClientNameWord.spellings_of(["smyth", "jo"])

    assert "smith" in spellings["smyth"]  # a near spelling
    assert "jonathan" in spellings["jo"]  # starts with "jo"


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
