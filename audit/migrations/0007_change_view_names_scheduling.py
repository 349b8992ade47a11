"""The change history's view (audit_change) names appointment events by the appointment book's
new app: "scheduling.appointment" instead of "visits.appointment". The view is the one of
migration 0002 with that label changed; the events themselves are untouched.
"""

from importlib import import_module

from django.db import migrations

BASELINE = import_module("audit.migrations.0002_append_only_view_baseline")


def _view_sql(relabel: dict[str, str]) -> str:
    selects = []
    for table, label, parent in BASELINE.EVENT_TABLES:
        label = relabel.get(label, label)
        client = "e.pgh_obj_id" if label == "clients.client" else "e.client_id"
        hidden = BASELINE.CHILD_COLUMNS if parent else BASELINE.PGH_COLUMNS
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
    return "CREATE OR REPLACE VIEW audit_change AS\n" + "\nUNION ALL\n".join(selects) + ";"


class Migration(migrations.Migration):
    dependencies = [("audit", "0006_appointment_book_from_visits")]

    operations = [
        migrations.RunSQL(
            _view_sql({"visits.appointment": "scheduling.appointment"}),
            _view_sql({}),
        )
    ]
