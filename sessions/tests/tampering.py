"""Changing signed records behind the app's back, as someone with full database access could.

The tests run as the tables' owner, who may disable a table's triggers, as a superuser may;
the seals (sessions/seals.py) are what must show the change afterwards.
"""

from django.db import connection

NOTE_GUARD = ("visits_sessionnote", "visits_sessionnote_protect_signed")
AREA_GUARD = ("visits_notearea", "visits_notearea_protect_signed")
ADDENDUM_GUARD = ("visits_addendum", "visits_addendum_append_only")
SEAL_GUARD = ("visits_recordseal", "visits_recordseal_append_only")


def tamper(sql: str, params=(), *, guards=(NOTE_GUARD,)) -> None:
    """Run `sql` with the named (table, trigger) guards off, then turn them on again."""
    with connection.cursor() as cursor:
        # ALTER TABLE refuses while deferred foreign-key checks of this test's inserts are pending.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table, trigger in guards:
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
        cursor.execute(sql, params)
        for table, trigger in guards:
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
