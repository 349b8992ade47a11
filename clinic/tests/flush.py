"""The test runner's flush, past the TRUNCATE guards (audit migration 0004_refuse_truncate).

Transactional tests (live server, threads) end with a flush that TRUNCATEs every table;
the evidence tables refuse TRUNCATE whoever runs it. The tests run as the tables' owner,
who may disable a trigger: the flush turns the guards off around its TRUNCATE and on again,
in the same transaction. Nothing outside the test suite does this.
"""

from django.db.backends.postgresql.operations import DatabaseOperations

GUARDS_SQL = """
SELECT c.relname, t.tgname
FROM pg_trigger t
JOIN pg_class c ON c.oid = t.tgrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_proc p ON p.oid = t.tgfoid
WHERE n.nspname = current_schema() AND p.proname = 'clinic_refuse_truncate'
"""

_original_sql_flush = DatabaseOperations.sql_flush


# Procrastinate's tables are not Django models of ours (its models are unmanaged): without this,
# a job queued in one transactional test (a visit cancelled in a browser test queues the
# waitlist's offers) would still be queued in the next test.
QUEUE_TABLES = ("procrastinate_events", "procrastinate_jobs", "procrastinate_periodic_defers", "procrastinate_workers")


def _sql_flush_past_guards(self, style, tables, *, reset_sequences=False, allow_cascade=False):
    statements = _original_sql_flush(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
    if not statements:
        return statements
    statements = [*statements, f"TRUNCATE {', '.join(QUEUE_TABLES)} CASCADE;"]
    with self.connection.cursor() as cursor:
        cursor.execute(GUARDS_SQL)
        guards = cursor.fetchall()
    quote = self.quote_name
    off = [f"ALTER TABLE {quote(table)} DISABLE TRIGGER {quote(trigger)};" for table, trigger in guards]
    on = [f"ALTER TABLE {quote(table)} ENABLE TRIGGER {quote(trigger)};" for table, trigger in guards]
    return [*off, *statements, *on]


def install() -> None:
    DatabaseOperations.sql_flush = _sql_flush_past_guards
