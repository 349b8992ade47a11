"""EXPLAIN helpers for tests that prove a query can be answered from an index.

Test tables hold a handful of rows, where PostgreSQL rightly prefers reading the whole
table. With sequential scans priced out (`enable_seqscan = off`, this transaction only)
the planner still falls back to one when no index fits the query: a plan without
"Seq Scan" is a query the indexes serve at any size.
"""

import re

from django.db import connection

# Tables that hold a row or a handful by design: reading them whole is the right plan.
SMALL_TABLES = r"Seq Scan on (accounts_clinicpolicy|intake_consenttext|auth_group|django_content_type) "
# Inside a request, pghistory prefixes each statement with one that sets its context.
PGHISTORY_CONTEXT = re.compile(r"^\s*SELECT set_config\('pghistory\.[^;]*;\s*")


def analyze(*tables: str) -> None:
    """Fresh statistics, as autovacuum keeps them in a running clinic."""
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {table}")


def plan_of(queryset) -> str:
    """The plan PostgreSQL chooses for the queryset when table scans are a last resort."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    try:
        return queryset.explain()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = on")


def plan_of_sql(sql: str, params=None) -> str:
    """The plan of raw SQL (for example a statement captured from a page), as plan_of."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        try:
            cursor.execute(f"EXPLAIN {PGHISTORY_CONTEXT.sub('', sql)}", params)
            return "\n".join(row[0] for row in cursor.fetchall())
        finally:
            cursor.execute("SET LOCAL enable_seqscan = on")


def assert_uses_index(plan: str, *index_names: str) -> None:
    """No table read in full, and each named index searched with a condition (not walked whole)."""
    lines = plan.splitlines()
    full_reads = [line for line in lines if "Seq Scan on " in line and not re.search(SMALL_TABLES, line)]
    assert not full_reads, f"a table is read in full:\n{plan}"
    for name in index_names:
        searched = [
            n
            for n, line in enumerate(lines)
            if re.search(rf"(using|on) {name}( |$)", line) and "Index Cond" in "".join(lines[n + 1 : n + 2])
        ]
        assert searched, f"index {name} is not searched with a condition:\n{plan}"


def page_reads(http_client, url: str, data=None) -> list[str]:
    """The SQL of every read a GET of the page runs (writes such as the access log left out)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = http_client.get(url, data or {})
    assert response.status_code == 200
    return [q["sql"] for q in captured.captured_queries if q["sql"].lstrip("(").upper().startswith(("SELECT", "WITH"))]


def assert_page_reads_use_indexes(http_client, url: str, data=None) -> list[str]:
    """Every read of the page is served by indexes; returns the plans, to assert more on."""
    plans = [plan_of_sql(sql) for sql in page_reads(http_client, url, data)]
    assert plans
    for plan in plans:
        assert_uses_index(plan)
    return plans
