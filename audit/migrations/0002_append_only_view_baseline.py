"""The audit trail in the database: child events know their client, nothing is ever changed or
deleted, one view lists every change, and rows that existed before get a first snapshot.

1. audit_event_client(): events of child records (intake areas, assessment tests, note areas,
   addenda) get the client of their parent record when written, so a client's history is one
   indexed lookup.
2. Append-only: PostgreSQL refuses UPDATE and DELETE on every event table, through
   clinic_append_only() (clinic migration 0005), whoever asks. pghistory's own Context table is
   guarded the same way: this app stores each change's context on the event row instead
   (audit.models), so nothing writes to that table. (Were events ever switched to pghistory's
   shared context rows, its upsert UPDATEs context rows during a request, and that trigger
   would then have to forbid DELETE only.) TRUNCATE is not guarded: like DROP TRIGGER it
   needs the table's owner, and the test runner empties tables with it.
3. audit_change: a view over all event tables, read by audit.models.Change. Each row carries
   the object's previous snapshot, for the before → after of an update.
4. Baseline: a "baseline" snapshot of every row that existed before the audit trail, so its
   first change still shows the values before.

Tracking another model: add its event model in audit.models, then a migration that adds it
to the view and to the append-only triggers.
"""

from django.db import migrations

# (event table, tracked model label, parent: (table, column pointing to it, parent's event table) or None)
EVENT_TABLES = [
    ("audit_clientevent", "clients.client", None),
    ("audit_intakeevent", "intake.intake", None),
    ("audit_intakeareaevent", "intake.intakearea", ("intake_intake", "intake_id", "audit_intakeevent")),
    ("audit_intakehistoryeventevent", "intake.intakehistoryevent", ("intake_intake", "intake_id", "audit_intakeevent")),
    ("audit_assessmentevent", "visits.assessment", None),
    ("audit_rangeofmotiontestevent", "visits.rangeofmotiontest", ("visits_assessment", "assessment_id", "audit_assessmentevent")),
    ("audit_palpationfindingevent", "visits.palpationfinding", ("visits_assessment", "assessment_id", "audit_assessmentevent")),
    ("audit_specialtestevent", "visits.specialtest", ("visits_assessment", "assessment_id", "audit_assessmentevent")),
    ("audit_treatmentplanevent", "visits.treatmentplan", None),
    ("audit_sessionnoteevent", "visits.sessionnote", None),
    ("audit_noteareaevent", "visits.notearea", ("visits_sessionnote", "note_id", "audit_sessionnoteevent")),
    ("audit_addendumevent", "visits.addendum", ("visits_sessionnote", "note_id", "audit_sessionnoteevent")),
    ("audit_appointmentevent", "visits.appointment", None),
]

PGH_COLUMNS = "'{pgh_id,pgh_created_at,pgh_label,pgh_obj_id,pgh_context,pgh_context_id}'::text[]"
# A child event's client_id is the parent's, not a column of the tracked row.
CHILD_COLUMNS = "'{pgh_id,pgh_created_at,pgh_label,pgh_obj_id,pgh_context,pgh_context_id,client_id}'::text[]"

EVENT_CLIENT = """
CREATE FUNCTION audit_event_client() RETURNS trigger LANGUAGE plpgsql AS $$
-- TG_ARGV: the parent table, this row's column that points to it, the parent's event table.
DECLARE
    parent_id bigint := (to_jsonb(NEW) ->> TG_ARGV[1])::bigint;
BEGIN
    EXECUTE format('SELECT client_id FROM %I WHERE id = $1', TG_ARGV[0]) INTO NEW.client_id USING parent_id;
    IF NEW.client_id IS NULL THEN  -- the parent row is gone: its last snapshot knows the client
        EXECUTE format('SELECT client_id FROM %I WHERE pgh_obj_id = $1 ORDER BY pgh_id DESC LIMIT 1', TG_ARGV[2])
            INTO NEW.client_id USING parent_id;
    END IF;
    RETURN NEW;
END
$$;
"""


def _forward_sql() -> str:
    statements = [EVENT_CLIENT]
    for table, _label, parent in EVENT_TABLES:
        if parent:
            parent_table, column, parent_events = parent
            statements.append(
                f"CREATE TRIGGER {table}_client BEFORE INSERT ON {table} FOR EACH ROW "
                f"EXECUTE FUNCTION audit_event_client('{parent_table}', '{column}', '{parent_events}');"
            )
    for table in [t for t, _, _ in EVENT_TABLES] + ["pghistory_context"]:
        statements.append(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION clinic_append_only();"
        )
    selects = []
    for table, label, parent in EVENT_TABLES:
        client = "e.pgh_obj_id" if label == "clients.client" else "e.client_id"
        hidden = CHILD_COLUMNS if parent else PGH_COLUMNS
        selects.append(
            f"""SELECT
    '{label}:' || e.pgh_id AS id,
    '{label}'::text AS model,
    e.pgh_id::bigint AS event_id,
    e.pgh_obj_id AS object_id,
    e.pgh_label AS action,
    e.pgh_created_at AS at,
    (e.pgh_context ->> 'user')::bigint AS user_id,
    COALESCE(e.pgh_context ->> 'username', '') AS username,
    COALESCE(e.pgh_context ->> 'url', '') AS url,
    COALESCE(e.pgh_context ->> 'url_name', '') AS url_name,
    e.pgh_context_id AS context_id,
    {client} AS client_id,
    to_jsonb(e) - {hidden} AS data,
    (SELECT to_jsonb(p) - {hidden} FROM {table} p
     WHERE p.pgh_obj_id = e.pgh_obj_id AND p.pgh_id < e.pgh_id ORDER BY p.pgh_id DESC LIMIT 1) AS previous
FROM {table} e"""
        )
    statements.append("CREATE VIEW audit_change AS\n" + "\nUNION ALL\n".join(selects) + ";")
    return "\n".join(statements)


def _backward_sql() -> str:
    statements = ["DROP VIEW IF EXISTS audit_change;"]
    for table in [t for t, _, _ in EVENT_TABLES] + ["pghistory_context"]:
        statements.append(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")
    for table, _label, parent in EVENT_TABLES:
        if parent:
            statements.append(f"DROP TRIGGER IF EXISTS {table}_client ON {table};")
    statements.append("DROP FUNCTION IF EXISTS audit_event_client();")
    return "\n".join(statements)


def snapshot_existing_rows(apps, schema_editor):
    """One "baseline" event per row already in a tracked table (the triggers record from now on)."""
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        for table, label, _parent in EVENT_TABLES:
            tracked = apps.get_model(label)
            event_model = apps.get_model("audit", table.removeprefix("audit_"))
            tracked_columns = {field.column for field in tracked._meta.concrete_fields}
            columns = [
                field.column
                for field in event_model._meta.concrete_fields
                if field.column in tracked_columns and not field.generated
            ]
            quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
            cursor.execute(
                f"INSERT INTO {table} ({quoted}, pgh_created_at, pgh_label, pgh_obj_id) "
                f"SELECT {quoted}, clock_timestamp(), 'baseline', id FROM {tracked._meta.db_table} ORDER BY id"
            )


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_event_tables"),
        ("clinic", "0005_access_log_append_only"),
        ("pghistory", "0007_auto_20250421_0444"),
    ]

    operations = [
        migrations.RunSQL(_forward_sql(), _backward_sql()),
        migrations.RunPython(snapshot_existing_rows, migrations.RunPython.noop),
    ]
