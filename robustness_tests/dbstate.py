"""A fingerprint of every table, to prove a refused request changed nothing."""

import re

from django.db import connection

# Rows written on purpose by any request, allowed or refused: sessions, the access log
# (refusals are logged), rate-limit counters, sign-in attempt logs and audit/history trails.
WRITTEN_ON_PURPOSE = re.compile(r"^django_session$|accesslog|audit|pghistory|ratelimit|^axes_|historical|signin|login")


def tracked_tables() -> list[str]:
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    return sorted(t for t in tables if not WRITTEN_ON_PURPOSE.search(t))


def fingerprint(tables: list[str]) -> dict[str, tuple[int, str]]:
    """(row count, md5 of every row as text) per table, in one query."""
    quote = connection.ops.quote_name
    parts = [
        f"SELECT %s, count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {quote(table)} t"
        for table in tables
    ]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), tables)
        return {table: (count, digest) for table, count, digest in cursor.fetchall()}


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(table for table in before if before[table] != after.get(table))
