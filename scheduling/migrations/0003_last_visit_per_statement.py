"""clients_client.last_visit_at is kept per statement instead of per row: an INSERT of a
thousand visits (an import) updates each of its clients once, not once per visit (the row
trigger rewrote a client's row for every visit inserted in date order, half of an import's
time). The statement triggers see the rows changed through transition tables; an UPDATE
counts only when it changed a visit's client, start or status, as the row trigger did.

An import writing visits in date order, chunk after chunk, would still rewrite each client's
row once per chunk: it sets `clinic.last_visit_deferred` for its transaction and refreshes its
clients once at the end (imports/engine.py). Skipping the refresh only leaves the search's
ranking of recent clients stale; it guards nothing."""

from django.db import migrations

CREATE = r"""
DROP TRIGGER IF EXISTS visits_appointment_last_visit ON visits_appointment;
DROP FUNCTION IF EXISTS visits_appointment_last_visit();

CREATE OR REPLACE FUNCTION visits_refresh_clients_last_visit(the_clients bigint[]) RETURNS void
LANGUAGE sql AS $$
    UPDATE clients_client c SET last_visit_at = latest.starts_at
    FROM (SELECT ids.id,
                 (SELECT max(a.starts_at) FROM visits_appointment a
                  WHERE a.client_id = ids.id AND a.status <> 'cancelled') AS starts_at
          FROM unnest(the_clients) AS ids(id)) AS latest
    WHERE c.id = latest.id AND c.last_visit_at IS DISTINCT FROM latest.starts_at;
$$;

CREATE OR REPLACE FUNCTION visits_appointments_last_visit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('clinic.last_visit_deferred', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        PERFORM visits_refresh_clients_last_visit(ARRAY(SELECT DISTINCT client_id FROM new_rows));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM visits_refresh_clients_last_visit(ARRAY(SELECT DISTINCT client_id FROM old_rows));
    ELSE
        PERFORM visits_refresh_clients_last_visit(ARRAY(
            SELECT n.client_id FROM new_rows n JOIN old_rows o ON o.id = n.id
            WHERE (n.client_id, n.starts_at, n.status) IS DISTINCT FROM (o.client_id, o.starts_at, o.status)
            UNION
            SELECT o.client_id FROM new_rows n JOIN old_rows o ON o.id = n.id
            WHERE n.client_id <> o.client_id));
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER visits_appointment_last_visit_insert AFTER INSERT ON visits_appointment
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION visits_appointments_last_visit();
CREATE TRIGGER visits_appointment_last_visit_update AFTER UPDATE ON visits_appointment
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION visits_appointments_last_visit();
CREATE TRIGGER visits_appointment_last_visit_delete AFTER DELETE ON visits_appointment
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION visits_appointments_last_visit();
"""

DROP = r"""
DROP TRIGGER IF EXISTS visits_appointment_last_visit_insert ON visits_appointment;
DROP TRIGGER IF EXISTS visits_appointment_last_visit_update ON visits_appointment;
DROP TRIGGER IF EXISTS visits_appointment_last_visit_delete ON visits_appointment;
DROP FUNCTION IF EXISTS visits_appointments_last_visit();
DROP FUNCTION IF EXISTS visits_refresh_clients_last_visit(bigint[]);

CREATE OR REPLACE FUNCTION visits_appointment_last_visit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM visits_refresh_client_last_visit(NEW.client_id);
    END IF;
    IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.client_id <> NEW.client_id) THEN
        PERFORM visits_refresh_client_last_visit(OLD.client_id);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER visits_appointment_last_visit
    AFTER INSERT OR DELETE OR UPDATE OF client_id, starts_at, status ON visits_appointment
    FOR EACH ROW EXECUTE FUNCTION visits_appointment_last_visit();
"""


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0002_client_last_visit")]

    operations = [migrations.RunSQL(CREATE, reverse_sql=DROP)]
